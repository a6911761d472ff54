"""Key-value JSON string files (i18next, vue-i18n, Chrome-extension ``messages.json``), read in pairs.

A source-locale file and a target-locale file are matched by key; nested objects are flattened with dots
(``{"menu": {"open": "…"}}`` → ``menu.open``), arrays with indices (``items.0``). Chrome's
``{"key": {"message": …, "description": …}}`` form yields ``key`` with the description as a note.
Non-string leaves (numbers, booleans, null) are not translatable text and are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

from mtqa.errors import InputError
from mtqa.formats import BilingualFile, BilingualUnit, read_text_limited


def load_strings(path: str | Path) -> dict[str, tuple[str, int, str]]:
    """Flattened ``key → (text, line, note)`` of one JSON string file."""
    text = read_text_limited(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InputError(str(path), f"malformed JSON ({exc.msg}, {where})") from None
    if not isinstance(data, dict):
        raise InputError(str(path), f"JSON string file must be an object of keys, not {_type_name(data)}")
    chrome = bool(data) and all(
        isinstance(v, dict) and isinstance(v.get("message"), str) for v in data.values()
    )
    flat: list[tuple[str, str, str, str]] = []  # key, text, quoted leaf key (to find its line), note
    if chrome:
        for key, value in data.items():
            quoted = json.dumps(key, ensure_ascii=False)
            flat.append((key, value["message"], quoted, value.get("description", "")))
    else:
        _flatten(data, "", flat)
    lines = _key_lines(text, [quoted for _, _, quoted, _ in flat])
    return {key: (value, line, note) for (key, value, _, note), line in zip(flat, lines, strict=True)}


def _flatten(node, prefix: str, out: list[tuple[str, str, str, str]]) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict | list):
            _flatten(value, path, out)
        elif isinstance(value, str):
            # Array items have no key of their own in the text; they are located by their value instead.
            marker = json.dumps(key, ensure_ascii=False) if isinstance(node, dict) else json.dumps(
                value, ensure_ascii=False
            )
            out.append((path, value, marker, ""))


def _key_lines(text: str, quoted_keys: list[str]) -> list[int]:
    """Line of each key, found in document order (json keeps that order), searching forward only."""
    lines = []
    position = 0
    line = 1
    for quoted in quoted_keys:
        found = text.find(quoted, position)
        if found < 0:  # written with other escapes than json.dumps uses: keep the previous line
            lines.append(line)
            continue
        line += text.count("\n", position, found)
        position = found
        lines.append(line)
    return lines


def _type_name(value) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "null"
    )


def read_pair(
    source_path: str | Path,
    target_path: str | Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> BilingualFile:
    """Units for the keys both files hold; keys missing from the target count as untranslated."""
    source = load_strings(source_path)
    target = load_strings(target_path)
    result = BilingualFile(
        str(target_path),
        "json",
        source_lang=source_lang,
        target_lang=target_lang,
        source_path=str(source_path),
    )
    for key, (source_text, source_line, note) in source.items():
        entry = target.get(key)
        if entry is None or not entry[0].strip():
            result.empty_targets += 1
            continue
        target_text, target_line, target_note = entry
        result.units.append(
            BilingualUnit(
                key=key,
                source=source_text,
                target=target_text,
                path=str(target_path),
                line=target_line,
                source_path=str(source_path),
                source_line=source_line,
                notes=tuple(n for n in (note, target_note) if n),
            )
        )
    return result
