"""One batch of input rows → one output row each: the unit of work of every ``mtqa batch`` executor.

A row is a pre-segmented pair: no segmentation, no alignment. Its model scores come from the scorer's
``score_batch`` seam (``mtqa.score.score_batch``), its findings from the pipeline's ``run_checks`` on a
context of one pair, so a row gets the same checks (terminology with the glossary, numbers, names, the
model's spans …) as a sentence of ``mtqa check``. A row that cannot be read becomes an error row (its id
and a one-line message), never an exception and never a dropped row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from mtqa.align import make_pairs
from mtqa.data import Document, Glossary, PairScore, Segment
from mtqa.errors import MtqaError
from mtqa.languages import Language, detect_language, get_language
from mtqa.pipeline import CheckOptions, Prepared, check_context, report_signature, run_checks
from mtqa.score import Scorer, TextPair, score_batch

# The columns of every output row (JSONL keys, Parquet columns), in order.
OUTPUT_FIELDS = ("id", "estimate", "adequacy", "fluency", "findings", "signature", "error")
# Checks with nothing to find in a pre-aligned pair: the alignment check reports unaligned beads and
# low-similarity beads of an aligner, and a one-pair identity alignment has neither.
NOT_FOR_PAIRS = ("alignment",)
# Each side of a row is refused above this many characters: a "pair" this long is a document, and one
# such row would hold a whole batch's memory (the model scores the first 1,200 characters anyway).
MAX_ROW_CHARS = 20_000


def batch_options(base: CheckOptions | None = None) -> CheckOptions:
    options = replace(base or CheckOptions(), pre_segmented=True)
    return replace(options, disabled_checks=set(options.disabled_checks) | set(NOT_FOR_PAIRS))


@dataclass
class BatchSettings:
    """What every executor needs to build a ``RowProcessor`` (plain data: it travels to Ray actors)."""

    source_lang: str | None = None
    target_lang: str | None = None
    glossaries: tuple[str, ...] = ()
    glossary_encoding: str | None = None
    options: CheckOptions = field(default_factory=lambda: batch_options())


@dataclass
class Row:
    id: object
    source: str
    target: str
    source_language: Language
    target_language: Language


class RowProcessor:
    """Turns raw input records into output rows with one scorer (None: no model scores) and the run's
    settings. Records are dicts of columns, or JSONL lines still as text (parsed here, so a malformed line
    is an error row whichever executor read it). ``timings`` accumulates seconds per stage."""

    def __init__(self, scorer: Scorer | None, settings: BatchSettings) -> None:
        self.scorer = scorer
        self.settings = settings
        self.signature = str(report_signature(None, scorer, settings.options))
        self._glossaries: dict[tuple[str, str], Glossary | None] = {}
        self.timings: dict[str, float] = {"parse": 0.0, "score": 0.0, "checks": 0.0}

    def process(self, records: Sequence[object]) -> list[dict]:
        """One output row per record that is not a blank JSONL line, in the records' order."""
        started = time.perf_counter()
        parsed: list[Row | dict] = []
        for record in records:
            if isinstance(record, str) and not record.strip():
                continue
            try:
                parsed.append(self._parse(record))
            except (MtqaError, ValueError, TypeError) as error:
                parsed.append(self._error_row(_raw_id(record), str(error)))
        rows = [item for item in parsed if isinstance(item, Row)]
        self.timings["parse"] += time.perf_counter() - started

        started = time.perf_counter()
        scores: list[PairScore | None] = [None] * len(rows)
        if self.scorer is not None and rows:
            scores = list(score_batch(self.scorer, [
                TextPair(r.source, r.target, r.source_language, r.target_language) for r in rows]))
        self.timings["score"] += time.perf_counter() - started

        started = time.perf_counter()
        results = iter(zip(rows, scores, strict=True))
        out = []
        for item in parsed:
            if isinstance(item, Row):
                row, pair_score = next(results)
                out.append(self._result_row(row, pair_score))
            else:
                out.append(item)
        self.timings["checks"] += time.perf_counter() - started
        return out

    # -- one row ------------------------------------------------------------------------------------------
    def _parse(self, record: object) -> Row:
        record = record_fields(record)
        row_id = record.get("id")
        if row_id is None or row_id == "":
            raise ValueError("no id")
        texts = {}
        for side in ("source", "target"):
            value = record.get(side)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"no {side} text")
            if len(value) > MAX_ROW_CHARS:
                raise ValueError(f"{side} has {len(value):,} characters (a row holds one segment pair; "
                                 f"at most {MAX_ROW_CHARS:,})")
            texts[side] = value
        source_language = self._language(record.get("source_lang"), self.settings.source_lang,
                                         texts["source"], "source")
        target_language = self._language(record.get("target_lang"), self.settings.target_lang,
                                         texts["target"], "target")
        if source_language.code == target_language.code:
            raise ValueError(f"source and target are both {source_language.name}")
        return Row(row_id, texts["source"], texts["target"], source_language, target_language)

    @staticmethod
    def _language(given: object, default: str | None, text: str, side: str) -> Language:
        code = given if isinstance(given, str) and given else default
        if code is None:
            code = detect_language(text)
            if code is None:
                raise ValueError(f"cannot detect the {side} language; give {side}_lang or --{side}-lang")
        return get_language(code)

    def _result_row(self, row: Row, pair_score: PairScore | None) -> dict:
        prepared = Prepared(_document(row.source, row.source_language),
                            _document(row.target, row.target_language), row.source_language,
                            row.target_language)
        pairs = make_pairs([((0,), (0,))], prepared.source.segments, prepared.target.segments)
        scores = {0: pair_score} if pair_score is not None else {}
        glossary = self.glossary(row.source_language, row.target_language)
        findings = run_checks(check_context(prepared, pairs, scores, glossary, self.settings.options),
                              self.settings.options)
        return {
            "id": row.id,
            "estimate": pair_score.estimate if pair_score else None,
            "adequacy": pair_score.adequacy if pair_score else None,
            "fluency": pair_score.fluency if pair_score else None,
            "findings": [finding.to_dict() for finding in findings],
            "signature": self.signature,
            "error": None,
        }

    def _error_row(self, row_id: object, message: str) -> dict:
        return {"id": row_id, "estimate": None, "adequacy": None, "fluency": None, "findings": [],
                "signature": self.signature, "error": message}

    def glossary(self, source: Language, target: Language) -> Glossary | None:
        if not self.settings.glossaries:
            return None
        key = (source.code, target.code)
        if key not in self._glossaries:
            from mtqa.glossary import load_glossaries

            # A broken glossary is the run's problem (exit 2), not one row's: MtqaError goes up.
            self._glossaries[key] = load_glossaries([Path(p) for p in self.settings.glossaries], source.code,
                                                    target.code, self.settings.glossary_encoding)
        return self._glossaries[key]


def record_fields(record: object) -> dict:
    """An input record as a dict of its fields: a column dict as it is, a JSONL line parsed (``ValueError``
    with a one-line reason when it is not a JSON object)."""
    if isinstance(record, str):
        try:
            record = json.loads(record.removeprefix("\ufeff"))
        except json.JSONDecodeError as error:
            raise ValueError(f"not a JSON object ({error.msg} at column {error.colno}): "
                             f"{_preview(record)}") from None
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object: {_preview(json.dumps(record, ensure_ascii=False))}")
    return record


def _document(text: str, language: Language) -> Document:
    return Document(text, language.code, segments=[Segment(0, 0, len(text), text, 0)])


def _raw_id(record: object) -> object:
    if isinstance(record, dict):
        return record.get("id")
    if isinstance(record, str):
        try:
            value = json.loads(record)
        except json.JSONDecodeError:
            return None
        return value.get("id") if isinstance(value, dict) else None
    return None


def _preview(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
