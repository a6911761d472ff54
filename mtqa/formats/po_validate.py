"""PO syntax and consistency as ``msgfmt -c`` checks them, before polib reads the file.

polib is lenient where gettext is not: it reads an unterminated ``msgstr "登录`` as "登", an unquoted
``msgid Login`` as "ogi", keeps an invalid escape, and accepts duplicate messages and plural entries whose
number of forms disagrees with the header. A file gettext refuses to compile is an input error here too:
``InputError`` with the file and line, like msgfmt's ``file:line: problem``.

Checked (all fatal in ``msgfmt -c``): string literals (closing quote, nothing after it, escapes), keywords
and their order (``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr``/``msgstr[N]``), a ``msgid`` without
``msgstr``, duplicate messages (same context and ``msgid``), plural forms against the header's
``nplurals``, and msgid and msgstr both beginning and ending with a newline or neither. Not here: printf
format mismatches in ``c-format`` entries, which the placeholders check reports as findings where they
are; obsolete ``#~`` entries, which gettext does not compile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mtqa.errors import InputError

_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?=\s|\")\s*(.*)$")
# Escapes gettext's lexer accepts (C escapes, octal, hex).
_ESCAPE = re.compile(r"\\(?:[ntbrfva\\\"'?]|[0-7]{1,3}|x[0-9A-Fa-f]+)")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


def _error(path: str, problem: str) -> InputError:
    return InputError(path, f"malformed PO file: {problem}")


@dataclass
class _Entry:
    line: int  # of the first keyword
    fields: dict[str, str] = field(default_factory=dict)  # keyword (msgstr[0] …) → decoded string
    fuzzy: bool = False


def validate_po(text: str, path: str, *, template: bool = False) -> None:
    """Raise InputError at the first problem msgfmt -c would reject. ``template``: a ``.pot`` file, whose
    header holds placeholders (``nplurals=INTEGER``) and whose translations are empty."""
    entries = _parse(text, path)
    header = next((e for e in entries if e.fields.get("msgid") == "" and "msgctxt" not in e.fields), None)
    nplurals = None
    if header is not None and not template:
        match = _NPLURALS.search(header.fields.get("msgstr", ""))
        nplurals = int(match.group(1)) if match else None
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        key = (entry.fields.get("msgctxt"), entry.fields["msgid"])
        if key in seen:
            raise _error(path, f"line {entry.line}: duplicate message definition (first defined at line "
                                   f"{seen[key]})")
        seen[key] = entry.line
        if "msgid_plural" in entry.fields and not template:
            forms = sum(1 for name in entry.fields if name.startswith("msgstr["))
            if nplurals is None:
                raise _error(path, f"line {entry.line}: plural forms, but the header has no "
                                       "'Plural-Forms: nplurals=N; plural=…' line")
            if forms != nplurals:
                raise _error(path, f"line {entry.line}: {forms} plural form(s), but the header says "
                                       f"nplurals={nplurals}")
        if entry.fields["msgid"] and not entry.fuzzy:
            _check_newlines(entry, path)


def _check_newlines(entry: _Entry, path: str) -> None:
    msgid = entry.fields["msgid"]
    others = [(name, value) for name, value in entry.fields.items()
              if value and (name == "msgid_plural" or name.startswith("msgstr"))]
    for name, value in others:
        for where, test in (("begin", str.startswith), ("end", str.endswith)):
            if test(msgid, "\n") != test(value, "\n"):
                raise _error(path, f"line {entry.line}: 'msgid' and '{name}' do not both {where} with "
                                       "'\\n'")


def _parse(text: str, path: str) -> list[_Entry]:
    entries: list[_Entry] = []
    current: _Entry | None = None
    last_keyword: str | None = None
    fuzzy_pending = False
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            # Obsolete entries (#~) are not compiled by gettext; a flags comment starts the next entry.
            if line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split():
                fuzzy_pending = True
            continue
        if line.startswith('"'):
            if current is None or last_keyword is None:
                raise _error(path, f"line {number}: a string without a keyword before it")
            current.fields[last_keyword] += _string(line, path, number)
            continue
        match = _KEYWORD.match(line)
        if not match:
            word = line.split()[0][:30]
            raise _error(path, f"line {number}: keyword {word!r} unknown (expected msgctxt, msgid, "
                                   "msgid_plural, msgstr or a quoted string)")
        keyword, index, rest = match.groups()
        name = f"{keyword}[{index}]" if index is not None else keyword
        # Entries need no blank line between them: a msgctxt, or a msgid after a msgid, starts the next one.
        if keyword == "msgctxt" or (keyword == "msgid" and (current is None or "msgid" in current.fields)):
            if current is not None:
                _close(current, path)
            current = _Entry(line=number, fuzzy=fuzzy_pending)
            entries.append(current)
            fuzzy_pending = False
        if current is None:
            raise _error(path, f"line {number}: '{name}' without a 'msgid' before it")
        _check_order(current, keyword, index, name, path, number)
        current.fields[name] = _string(rest, path, number)
        last_keyword = name
    if current is not None:
        _close(current, path)
    return entries


def _check_order(entry: _Entry, keyword: str, index: str | None, name: str, path: str, number: int) -> None:
    fields = entry.fields
    if name in fields:
        raise _error(path, f"line {number}: '{name}' twice in one entry")
    if keyword in ("msgid_plural", "msgstr") and "msgid" not in fields:
        raise _error(path, f"line {number}: '{name}' without a 'msgid' before it")
    if keyword == "msgid_plural" and any(k.startswith("msgstr") for k in fields):
        raise _error(path, f"line {number}: 'msgid_plural' after 'msgstr'")
    if keyword == "msgstr" and index is None and "msgid_plural" in fields:
        raise _error(path, f"line {number}: 'msgstr' in a plural entry; expected msgstr[0], msgstr[1] …")
    if keyword == "msgstr" and index is not None:
        if "msgid_plural" not in fields:
            raise _error(path, f"line {number}: '{name}' in an entry without 'msgid_plural'")
        expected = sum(1 for k in fields if k.startswith("msgstr["))
        if int(index) != expected:
            raise _error(path, f"line {number}: '{name}' where msgstr[{expected}] was expected")


def _close(entry: _Entry, path: str) -> None:
    if not any(k.startswith("msgstr") for k in entry.fields):
        raise _error(path, f"line {entry.line}: missing 'msgstr' section")


def _string(token: str, path: str, number: int) -> str:
    """The value of the quoted string literal(s) on a line; anything else on the line is an error."""
    if not token.startswith('"'):
        shown = token[:30] or "end of line"
        raise _error(path, f"line {number}: expected a quoted string, found {shown!r}")
    position = 1
    out: list[str] = []
    while position < len(token):
        char = token[position]
        if char == '"':
            tail = token[position + 1:].strip()
            if tail.startswith('"'):  # gettext joins adjacent literals on one line too: "a" "b"
                return "".join(out) + _string(tail, path, number)
            if tail:
                raise _error(path, f"line {number}: text after the closing quote ({tail[:30]!r})")
            return "".join(out)
        if char == "\\":
            escape = _ESCAPE.match(token, position)
            if not escape:
                raise _error(path, f"line {number}: invalid escape sequence "
                                       f"{token[position:position + 2]!r}")
            out.append(_unescape(escape.group()))
            position = escape.end()
            continue
        out.append(char)
        position += 1
    raise _error(path, f"line {number}: end of line within a string (missing closing quote)")


_SIMPLE = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "\\": "\\",
           '"': '"', "'": "'", "?": "?"}


def _unescape(escape: str) -> str:
    body = escape[1:]
    if body in _SIMPLE:
        return _SIMPLE[body]
    if body.startswith("x"):
        return chr(int(body[1:], 16))
    return chr(int(body, 8))
