"""Gettext PO/POT files through polib: msgid/msgstr, plural forms, msgctxt, fuzzy and obsolete entries.

Fuzzy entries are skipped unless asked for (gettext itself does not use them); obsolete (``#~``) entries
are always ignored. A plural entry gives one unit per ``msgstr[n]``: ``msgstr[0]`` is checked against
``msgid``, every other form against ``msgid_plural`` (Chinese has a single form, English two).
"""

from __future__ import annotations

import bisect
import codecs
import re
from pathlib import Path

import polib

from mtqa.errors import InputError
from mtqa.formats import BilingualFile, BilingualUnit, read_limited
from mtqa.formats.po_validate import validate_po
from mtqa.textio import decode

_LOCALE_DIR = re.compile(r"(?:^|/)([a-z]{2,3}(?:[_-][A-Za-z]{2,4})?)/LC_MESSAGES/")


def read(
    path: str | Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> BilingualFile:
    name = str(path)
    text = _decode_po(read_limited(path), name)
    # gettext's rules first: polib reads an unterminated string, an unquoted msgid or a duplicate message
    # without complaint, and would hand the checks a text that is not in the file.
    validate_po(text, name, template=name.lower().endswith(".pot"))
    try:
        catalog = polib.pofile(text, wrapwidth=0)
    except (OSError, ValueError) as exc:
        # polib reports "Syntax error in po file (line N)"; keep its words, drop the embedded file text.
        message = str(exc).replace(text, "").strip() or "malformed PO file"
        raise InputError(name, f"malformed PO file: {_one_line(message)}") from None
    declared_target = (catalog.metadata.get("Language") or "").strip() or _locale_from_path(name)

    msgstr_lines = _keyword_lines(text, "msgstr")
    result = BilingualFile(name, "po", source_lang=source_lang, target_lang=target_lang or declared_target)
    for entry in catalog:
        if entry.obsolete or not entry.msgid:  # the header has an empty msgid
            continue
        is_fuzzy = "fuzzy" in entry.flags
        if is_fuzzy and not include_fuzzy:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        notes = tuple(n for n in (entry.comment, entry.tcomment) if n)
        common = dict(
            path=name,
            context=entry.msgctxt or "",
            state="fuzzy" if is_fuzzy else "",
            fuzzy=is_fuzzy,
            notes=notes,
        )
        first_msgstr = _next_line(msgstr_lines, entry.linenum)
        if entry.msgid_plural:
            for index in sorted(entry.msgstr_plural):
                target = entry.msgstr_plural[index]
                if not target:
                    result.empty_targets += 1
                    continue
                source = entry.msgid if index == 0 else entry.msgid_plural
                line = _next_line(msgstr_lines, entry.linenum, skip=index)
                result.units.append(BilingualUnit(f"{key}[{index}]", source, target, line=line, **common))
        elif entry.msgstr:
            result.units.append(BilingualUnit(key, entry.msgid, entry.msgstr, line=first_msgstr, **common))
        else:
            result.empty_targets += 1
    return result


_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decode_po(data: bytes, path: str) -> str:
    """Decode as gettext does, by the header's charset; detect only when the header declares none.

    A header charset that contradicts the bytes is refused: gettext would decode the file by it and show
    garbled strings, which mtqa must not check as if they were the translation."""
    match = _CHARSET.search(data[:8192])
    declared = match.group(1).decode("ascii") if match else ""
    if not declared or declared.upper() == "CHARSET" or data.startswith(_BOMS):
        text, _ = decode(data, path, flag="charset=NAME in the header's Content-Type")
    else:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            raise InputError(path, f"the header declares an unknown charset={declared}") from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(path, f"byte {exc.start} is not valid {declared}, the charset the header "
                                   "declares") from None
        utf8 = _utf8_with_non_ascii(data) if codec != "utf-8" else None
        if utf8 is not None and utf8 != text:
            # Legacy-encoded text is valid UTF-8 only by accident (see textio.UTF8_SURE_CHARACTERS): the
            # header is wrong, and gettext would show every string garbled.
            word, garbled = next(((u, t) for u, t in zip(utf8.split(), text.split(), strict=False) if u != t),
                                 ("", ""))
            raise InputError(path, f"the header declares charset={declared}, but the file is UTF-8 ({word!r} "
                                   f"would read as {garbled!r}); fix its Content-Type line")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _utf8_with_non_ascii(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if any(ord(ch) > 0x7F for ch in text) else None


def _keyword_lines(text: str, keyword: str) -> list[int]:
    """1-based numbers of the lines that start with ``keyword`` (outside obsolete entries)."""
    return [number for number, line in enumerate(text.split("\n"), 1) if line.startswith(keyword)]


def _next_line(lines: list[int], after: int, skip: int = 0) -> int:
    """The first listed line at or after ``after`` (plus ``skip`` more), or ``after`` if none."""
    index = bisect.bisect_left(lines, max(after, 1)) + skip
    return lines[index] if index < len(lines) else max(after, 1)


def _locale_from_path(path: str) -> str | None:
    match = _LOCALE_DIR.search(path.replace("\\", "/"))
    return match.group(1) if match else None


def _one_line(message: str) -> str:
    return " ".join(message.split())[:200]
