"""Placeholders and markup of a software string must survive translation: a dropped ``{name}`` or ``%s``
prints wrong text or crashes the program, a dropped ``</b>`` breaks the layout.

Recognised: brace placeholders (``{name}``, ``{0}``, ``{count, number}``), double-brace templates
(``{{name}}``), printf (``%s``, ``%d``, ``%(name)s``, ``%1$s``, ``%@``), HTML/XML tags (``<b>``, ``</b>``,
``<br/>``; attributes ignored, since translators may localise them), shell/env variables (``$VAR``,
``${VAR}``) and ICU MessageFormat arguments (``{count, plural, one {…} other {…}}``: the argument and its
type must stay; the branch keywords may differ, since languages have different plural categories, but
placeholders inside the branches must reach the target's branches).

Off by default: news prose has percent signs, angle brackets and dollar amounts, and is not a program's
string table. ``mtqa scan`` and the localisation runner enable it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from mtqa.checks import CheckContext, register_check
from mtqa.data import Category, Finding, Severity

_PRINTF = re.compile(
    r"%(?:\((?P<named>[A-Za-z_]\w*)\)|(?P<pos>\d+)\$)?[-#0+]*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
    r"(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGcsrab@]"
)
_TAG = re.compile(r"</?([A-Za-z][\w:.-]*)(?:\s+[^<>]*?)?\s*/?>")
_ENV = re.compile(r"\$\{[A-Za-z_]\w*\}|\$[A-Z_][A-Z0-9_]*\b")
_ICU_HEAD = re.compile(r"\s*([A-Za-z_][\w.-]*)\s*,\s*(plural|select|selectordinal)\s*,")
_BRACE_ARG = re.compile(r"\s*([A-Za-z_][\w.-]*|\d+)\s*(?:,\s*(\w+)\s*(?:,[^{}]*)?)?")
_BRANCH = re.compile(r"\s*(=\d+|[A-Za-z_][\w-]*)\s*\{")
_OFFSET = re.compile(r"\s*offset:\s*\d+")


@dataclass(frozen=True)
class Token:
    kind: str  # printf, brace, template, tag, env, icu
    key: str  # what must match between source and target
    start: int
    end: int
    # Inside an ICU plural/select branch: languages have different branches, so such placeholders are
    # compared by presence, not by count.
    in_branch: bool = False


def find_tokens(text: str) -> list[Token]:
    """Every placeholder and tag in ``text``, with offsets; ICU branches are searched recursively."""
    tokens: list[Token] = []
    _scan(text, 0, len(text), tokens, False)
    tokens.sort(key=lambda token: token.start)
    return tokens


def _scan(text: str, start: int, end: int, out: list[Token], in_branch: bool) -> None:
    position = start
    plain_from = start
    while position < end:
        char = text[position]
        if char == "{":
            close = _matching_brace(text, position, end)
            if close is None:
                position += 1
                continue
            if position > start and text[position - 1] == "$":  # ${VAR}: the plain-text scan takes it
                position = close + 1
                continue
            _scan_plain(text, plain_from, position, out, in_branch)
            _brace(text, position, close, out, in_branch)
            position = plain_from = close + 1
        else:
            position += 1
    _scan_plain(text, plain_from, end, out, in_branch)


def _matching_brace(text: str, open_at: int, end: int) -> int | None:
    depth = 0
    for index in range(open_at, end):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _brace(text: str, open_at: int, close_at: int, out: list[Token], in_branch: bool) -> None:
    inner = text[open_at + 1 : close_at]
    if inner.startswith("{") and inner.endswith("}") and "{" not in inner[1:-1]:
        name = inner[1:-1].strip()
        out.append(Token("template", "{{" + name + "}}", open_at, close_at + 1, in_branch))
        return
    icu = _ICU_HEAD.match(inner)
    if icu:
        name, kind = icu.group(1), icu.group(2)
        out.append(Token("icu", f"{{{name}, {kind}}}", open_at, close_at + 1, in_branch))
        # Branch bodies: placeholders inside them belong to the message too ("#" is ICU's own number).
        position = open_at + 1 + icu.end()
        offset = _OFFSET.match(text, position, close_at)
        if offset:
            position = offset.end()
        while True:
            branch = _BRANCH.match(text, position, close_at)
            if not branch:
                break
            body_open = branch.end() - 1
            body_close = _matching_brace(text, body_open, close_at)
            if body_close is None:
                break
            _scan(text, body_open + 1, body_close, out, True)
            position = body_close + 1
        return
    arg = _BRACE_ARG.fullmatch(inner)
    if arg:
        key = f"{{{arg.group(1)}, {arg.group(2)}}}" if arg.group(2) else f"{{{arg.group(1)}}}"
        out.append(Token("brace", key, open_at, close_at + 1, in_branch))
    # Anything else in braces (JSON-looking text, CSS) is not a placeholder; look inside it for others.
    else:
        _scan(text, open_at + 1, close_at, out, in_branch)


def _scan_plain(text: str, start: int, end: int, out: list[Token], in_branch: bool) -> None:
    segment = text[start:end]
    for match in _PRINTF.finditer(segment):
        # "%%" is a literal percent sign; "50%d" style false hits are rare enough in software strings.
        if match.start() > 0 and segment[match.start() - 1] == "%":
            continue
        out.append(Token("printf", match.group(), start + match.start(), start + match.end(), in_branch))
    for match in _TAG.finditer(segment):
        closing = match.group().startswith("</")
        self_closing = match.group().endswith("/>")
        name = match.group(1).lower()
        key = f"</{name}>" if closing else (f"<{name}/>" if self_closing else f"<{name}>")
        out.append(Token("tag", key, start + match.start(), start + match.end(), in_branch))
    for match in _ENV.finditer(segment):
        key = match.group()
        if key.startswith("${"):
            key = "$" + key[2:-1]
        out.append(Token("env", key, start + match.start(), start + match.end(), in_branch))


def _describe(token_key: str) -> str:
    return "tag" if token_key.startswith("<") else "placeholder"


@register_check(
    "placeholders",
    description="placeholders ({name}, %s, {{x}}, $VAR, ICU arguments) and tags of the source are all in "
    "the target, and the target adds none",
    categories=(Category.MARKUP.value,),
    default_enabled=False,
    severity=Severity.MAJOR.value,
)
def check_placeholders(ctx: CheckContext) -> Iterator[Finding]:
    for pair in ctx.aligned_pairs():
        source_start, target_start = pair.source_start or 0, pair.target_start or 0
        source_tokens = find_tokens(pair.source_text(ctx.source))
        target_tokens = find_tokens(pair.target_text(ctx.target))
        if not source_tokens and not target_tokens:
            continue
        source_counts = _expected_counts(source_tokens)
        target_counts = _expected_counts(target_tokens)
        target_text = pair.target_text(ctx.target)
        for key in source_counts:
            missing = source_counts[key] - target_counts[key]
            if missing <= 0:
                continue
            # Point at the last occurrences in the source: those are the ones without a counterpart.
            for token in [t for t in source_tokens if t.key == key][-missing:]:
                yield Finding(
                    check="placeholders",
                    category=Category.MARKUP.value,
                    severity=Severity.MAJOR,
                    message=f"{_describe(key)} {key} of the source is missing from the translation",
                    suggestion=f"keep {text_of(pair.source_text(ctx.source), token)} in the translation",
                    pair=pair.id,
                    source_span=ctx.source_span(source_start + token.start, source_start + token.end),
                    target_span=ctx.target_span(target_start, target_start + len(target_text)),
                )
        for key in target_counts:
            extra = target_counts[key] - source_counts[key]
            if extra <= 0:
                continue
            for token in [t for t in target_tokens if t.key == key][-extra:]:
                yield Finding(
                    check="placeholders",
                    category=Category.MARKUP.value,
                    severity=Severity.MAJOR,
                    message=f"{_describe(key)} {key} in the translation is not in the source",
                    suggestion=None,
                    pair=pair.id,
                    target_span=ctx.target_span(target_start + token.start, target_start + token.end),
                )


def _expected_counts(tokens: list[Token]) -> Counter:
    """How often each placeholder must appear: outside ICU branches by count, inside them at least once."""
    counts = Counter(t.key for t in tokens if not t.in_branch)
    for key in {t.key for t in tokens if t.in_branch}:
        counts[key] = max(counts[key], 1)
    return counts


def text_of(text: str, token: Token) -> str:
    return text[token.start : token.end]
