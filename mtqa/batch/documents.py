"""``mtqa batch --documents``: rows grouped by their ``doc`` into documents, each aligned and checked as
``mtqa check`` checks a document, and the results handed back row by row.

A row holds one source line and its target line as the corpus has them (either side may be empty); the
rows of one ``doc`` must be contiguous (the order of a WMT or TMX export). A document's source lines and
target lines are each joined one per line, segmented one segment per line (``pre_segmented``), aligned by
the run's aligner (1-1, 1-2, 2-1, 1-0, 0-1 …), scored and checked; so a target line that holds two source
lines, a dropped line and an added one show up, which pair-by-pair scoring cannot see.

Each output row then gets the scores of the bead its target line (else its source line) belongs to, and the
findings that point into its lines, with spans as offsets into the row's own source and target; a finding
of a whole bead goes to the bead's first row. ``pair`` in a finding is the bead's number in its document.
A document that cannot be checked (mixed languages, a translation that does not belong to its source, too
large) makes an error row of each of its rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from mtqa.batch.rows import NOT_FOR_PAIRS, RowProcessor, _raw_id, record_fields
from mtqa.data import Finding, Report
from mtqa.errors import MtqaError
from mtqa.pipeline import check, report_signature

# A document is held whole while it is checked: above these it is refused (each of its rows an error row),
# so that one runaway doc id cannot hold the corpus in memory.
MAX_DOCUMENT_ROWS = 5_000
MAX_DOCUMENT_CHARS = 1_000_000


@dataclass
class DocumentRow:
    id: object
    source: str
    target: str
    source_lang: str | None
    target_lang: str | None


@dataclass
class Group:
    """The records of one document (or one unreadable record, alone), and where they start in the input."""

    first: int
    doc: object
    records: list[object]
    problem: str | None = None


def group_documents(records: Iterator[object]) -> Iterator[Group]:
    """Contiguous runs of records with the same ``doc``, in input order. A record that cannot be read, has
    no ``doc``, or names a document that ended earlier is a group of its own carrying the problem."""
    seen: set[str] = set()
    current: Group | None = None
    for index, record in enumerate(records):
        if isinstance(record, str) and not record.strip():
            continue
        try:
            doc = record_fields(record).get("doc")
            if doc is None or doc == "":
                raise ValueError("no doc (--documents groups rows by their doc)")
        except ValueError as error:
            if current is not None:
                yield current
                current = None
            yield Group(index, None, [record], str(error))
            continue
        key = json.dumps(doc, sort_keys=True)
        if current is not None and current.doc == key:
            current.records.append(record)
            if len(current.records) > MAX_DOCUMENT_ROWS:
                current.problem = f"document {doc} has more than {MAX_DOCUMENT_ROWS:,} rows"
            continue
        if current is not None:
            yield current
        problem = (f"document {doc} appeared earlier in the input; the rows of a document must be contiguous"
                   if key in seen else None)
        seen.add(key)
        current = Group(index, key, [record], problem)
    if current is not None:
        yield current


class DocumentProcessor:
    """Checks one document's rows with the ``RowProcessor``'s scorer, glossaries and settings and an aligner
    (created once per process)."""

    def __init__(self, rows: RowProcessor, aligner) -> None:
        self.rows = rows
        self.aligner = aligner
        base = rows.settings.options
        # The alignment check is what documents add over pairs: omissions, additions, merged lines.
        self.options = replace(base, pre_segmented=True,
                               disabled_checks=set(base.disabled_checks) - set(NOT_FOR_PAIRS))
        self.signature = str(report_signature(aligner, rows.scorer, self.options))

    def process(self, group: Group) -> list[dict]:
        if group.problem is not None:
            return [self._error(_raw_id(record), group.problem) for record in group.records]
        try:
            rows = [self._parse(record) for record in group.records]
        except ValueError as error:
            return [self._error(_raw_id(record), str(error)) for record in group.records]
        try:
            return self._check(rows)
        except MtqaError as error:
            return [self._error(row.id, str(error)) for row in rows]

    def _parse(self, record: object) -> DocumentRow:
        data = record_fields(record)
        row_id = data.get("id")
        if row_id is None or row_id == "":
            raise ValueError(f"a row of document {data.get('doc')} has no id")
        texts = []
        for side in ("source", "target"):
            value = data.get(side, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ValueError(f"row {row_id}: {side} is not text")
            texts.append(value)
        return DocumentRow(row_id, texts[0], texts[1], _text_or_none(data.get("source_lang")),
                           _text_or_none(data.get("target_lang")))

    def _check(self, rows: list[DocumentRow]) -> list[dict]:
        source, source_lines = _join([row.source for row in rows])
        target, target_lines = _join([row.target for row in rows])
        if len(source) > MAX_DOCUMENT_CHARS or len(target) > MAX_DOCUMENT_CHARS:
            raise MtqaError(f"document over {MAX_DOCUMENT_CHARS:,} characters on one side")
        if not source.strip() or not target.strip():
            raise MtqaError("document has no " + ("source" if not source.strip() else "target") + " text")
        settings = self.rows.settings
        source_lang = rows[0].source_lang or settings.source_lang
        target_lang = rows[0].target_lang or settings.target_lang
        glossary = None
        if settings.glossaries:
            from mtqa.pipeline import resolve_language

            glossary = self.rows.glossary(resolve_language(source_lang, source, None, "source"),
                                          resolve_language(target_lang, target, None, "target"))
        report = check(source, target, glossary=glossary, source_lang=source_lang, target_lang=target_lang,
                       aligner=self.aligner, scorer=self.rows.scorer, options=self.options)
        return _rows_of(report, rows, source_lines, target_lines, self.signature)

    def _error(self, row_id: object, message: str) -> dict:
        return {"id": row_id, "estimate": None, "adequacy": None, "fluency": None, "findings": [],
                "signature": self.signature, "error": message}


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _join(lines: list[str]) -> tuple[str, list[tuple[int, int] | None]]:
    """The non-empty lines joined one per line, and each line's ``(start, end)`` in the text (None: empty)."""
    parts, spans, position = [], [], 0
    for line in lines:
        line = line.strip("\n")
        if not line.strip():
            spans.append(None)
            continue
        if parts:
            position += 1  # the newline before it
        spans.append((position, position + len(line)))
        parts.append(line)
        position += len(line)
    return "\n".join(parts), spans


def _row_at(spans: list[tuple[int, int] | None], offset: int) -> int | None:
    for index, span in enumerate(spans):
        if span is not None and span[0] <= offset < span[1] + 1:  # + 1: the newline after a line
            return index
    return None


def _rows_of(report: Report, rows: list[DocumentRow], source_lines, target_lines,
             signature: str) -> list[dict]:
    out = [{"id": row.id, "estimate": None, "adequacy": None, "fluency": None, "findings": [],
            "signature": signature, "error": None} for row in rows]
    first_row: dict[int, int] = {}
    for pair in report.pairs:
        members = set()
        if pair.target_start is not None:
            members |= _rows_between(target_lines, pair.target_start, pair.target_end)
        if pair.source_start is not None:
            members |= _rows_between(source_lines, pair.source_start, pair.source_end)
        if members:
            first_row[pair.id] = min(members)
        score = report.scores.get(pair.id)
        # A row takes the scores of the bead holding its target line (else its source line).
        holders = _rows_between(target_lines, pair.target_start, pair.target_end) \
            if pair.target_start is not None else set()
        holders |= {index for index in _rows_between(source_lines, pair.source_start, pair.source_end)
                    if pair.source_start is not None and target_lines[index] is None}
        for index in holders:
            if score is not None:
                out[index].update(estimate=score.estimate, adequacy=score.adequacy, fluency=score.fluency)
    for finding in report.findings:
        index = _finding_row(finding, source_lines, target_lines, first_row)
        if index is not None:
            out[index]["findings"].append(_local(finding, source_lines[index], target_lines[index],
                                                 rows[index]))
    return out


def _rows_between(spans, start: int | None, end: int | None) -> set[int]:
    if start is None or end is None:
        return set()
    return {index for index, span in enumerate(spans)
            if span is not None and span[0] < end and start < span[1]}


def _finding_row(finding: Finding, source_lines, target_lines, first_row: dict[int, int]) -> int | None:
    if finding.target_span is not None:
        index = _row_at(target_lines, finding.target_span.start)
        if index is not None:
            return index
    if finding.source_span is not None:
        index = _row_at(source_lines, finding.source_span.start)
        if index is not None:
            return index
    if finding.pair is not None:
        return first_row.get(finding.pair)
    return 0


def _local(finding: Finding, source_line, target_line, row: DocumentRow) -> dict:
    """The finding's JSON with its spans as offsets into the row's own lines (clipped to them)."""
    data = finding.to_dict()
    sides = (("source_span", source_line, row.source), ("target_span", target_line, row.target))
    for key, line, text in sides:
        span = data.get(key)
        if span is None:
            continue
        if line is None:
            data[key] = None
            continue
        offset = _line_offset(text)
        start = max(span["start"] - line[0], 0) + offset
        end = min(span["end"] - line[0], line[1] - line[0]) + offset
        data[key] = {"start": start, "end": max(start, end), "text": text[start:max(start, end)]}
    return data


def _line_offset(text: str) -> int:
    """Where the row's line starts in its text: ``_join`` strips leading newlines."""
    return len(text) - len(text.lstrip("\n"))


def run_documents(groups: Iterator[Group], processor: DocumentProcessor,
                  write: Callable[[list[dict]], None], done_rows: int,
                  advance: Callable[[int], None]) -> None:
    """Process the documents in order and write their rows; a resumed run (``done_rows`` rows written) skips
    the documents it finished and checks the one it was in again whole, writing only its unwritten rows."""
    written = 0
    for group in groups:
        size = len(group.records)
        if written + size <= done_rows:
            written += size
            continue
        rows = processor.process(group)
        skip = max(done_rows - written, 0)
        write(rows[skip:])
        advance(len(rows) - skip)
        written += size
