"""CSV/TSV with named columns: ``source`` and ``target`` (plus optional ``key``/``id``, ``context``,
``note``), or one column per locale (``key,en,zh``) with the languages chosen by the caller.

A CSV with a ``forbidden`` column is a glossary, not strings: it is refused here (``mtqa scan`` skips it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mtqa.errors import InputError
from mtqa.formats import BilingualFile, BilingualUnit, read_text_limited

_KEY_COLUMNS = ("key", "id", "msgid", "name")
_NOTE_COLUMNS = ("note", "notes", "comment", "description")


def _base(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def is_glossary_header(header: list[str]) -> bool:
    return "forbidden" in {column.strip().lower() for column in header}


def read(
    path: str | Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> BilingualFile:
    name = str(path)
    text = read_text_limited(path)
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(name, f"malformed CSV ({exc})") from None
    if not rows:
        raise InputError(name, "is empty")
    header = [column.strip() for column in rows[0]]
    lowered = [column.lower() for column in header]
    if is_glossary_header(header):
        raise InputError(name, "is a glossary (it has a 'forbidden' column), not a file of strings")

    if "source" in lowered and "target" in lowered:
        source_col, target_col = lowered.index("source"), lowered.index("target")
    else:
        by_lang = {
            _base(column): index for index, column in enumerate(header) if 2 <= len(_base(column)) <= 3
        }
        source_col = by_lang.get(_base(source_lang)) if source_lang else None
        target_col = by_lang.get(_base(target_lang)) if target_lang else None
        if source_col is None or target_col is None:
            raise InputError(
                name,
                "needs 'source' and 'target' columns, or locale columns with --source-lang/--target-lang "
                f"(header: {', '.join(header)})",
            )
        source_lang = source_lang or header[source_col]
        target_lang = target_lang or header[target_col]
    key_col = next((lowered.index(c) for c in _KEY_COLUMNS if c in lowered), None)
    context_col = lowered.index("context") if "context" in lowered else None
    note_col = next((lowered.index(c) for c in _NOTE_COLUMNS if c in lowered), None)

    result = BilingualFile(name, "csv", source_lang=source_lang, target_lang=target_lang)
    # csv rows may span lines (quoted newlines); count physical lines to point at the right one.
    line_starts = _row_lines(text, delimiter)
    for number, row in enumerate(rows[1:], 1):
        def cell(index: int | None, row=row) -> str:
            return row[index] if index is not None and index < len(row) else ""

        source, target = cell(source_col), cell(target_col)
        if not source.strip():
            continue
        if not target.strip():
            result.empty_targets += 1
            continue
        result.units.append(
            BilingualUnit(
                key=cell(key_col) or str(number),
                source=source,
                target=target,
                path=name,
                line=line_starts[number] if number < len(line_starts) else number + 1,
                context=cell(context_col),
                notes=(cell(note_col),) if cell(note_col) else (),
            )
        )
    return result


def _row_lines(text: str, delimiter: str) -> list[int]:
    """1-based physical line where each CSV record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts = []
    previous = 1
    for _ in reader:
        starts.append(previous)
        previous = reader.line_num + 1
    return starts
