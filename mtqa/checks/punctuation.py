"""Punctuation of the translation, only where a translator would agree: punctuation of another script
(full-width ，。、 in English), unbalanced brackets and quotes, doubled spaces inside a sentence, a space
before a comma or stop, and a missing final stop where the source sentence has one.

The rules are language-independent; what differs per language (which marks are foreign, which end a
sentence, which brackets pair) is the language's ``Punctuation`` (``Language.punctuation``), with Western
conventions as the default. Curly quotes “ ” are English typography too, so they are never "foreign"; ’
doubles as the apostrophe, so single quotes are not balanced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from mtqa.checks import CheckContext, register_check
from mtqa.data import AlignedPair, Category, Finding, Severity
from mtqa.languages import Punctuation

CHECK = "punctuation"


# A list marker "1)" or "a)" opens a line without an opening bracket.
_LIST_MARKER = re.compile(r"\s*\w{1,2}\)")
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")


@register_check(
    CHECK,
    description="Punctuation of the translation: marks of another script, unbalanced brackets or quotes, "
    "doubled spaces, a space before a comma or stop, a missing final stop.",
    categories=(Category.PUNCTUATION.value,),
    severity=Severity.MINOR.value,
)
def check_punctuation(ctx: CheckContext) -> Iterator[Finding]:
    target_rules = ctx.target_language.punctuation
    source_rules = ctx.source_language.punctuation
    # Unaligned target segments are page furniture or additions: the alignment check reports them whole.
    for pair in ctx.aligned_pairs():
        for segment_id in pair.target_segments:
            segment = ctx.target.segments[segment_id]
            yield from _foreign_marks(ctx, pair, segment.start, segment.text, target_rules)
            yield from _spacing(ctx, pair, segment.start, segment.text, target_rules)
        yield from _unbalanced(ctx, pair, source_rules, target_rules)
        yield from _final_stop(ctx, pair, source_rules, target_rules)


def _finding(ctx: CheckContext, pair: AlignedPair, start: int, end: int, message: str,
             suggestion: str | None = None) -> Finding:
    return Finding(
        check=CHECK,
        category=Category.PUNCTUATION.value,
        severity=Severity.MINOR,
        message=message,
        suggestion=suggestion,
        pair=pair.id,
        target_span=ctx.target_span(start, end),
    )


def _foreign_marks(ctx, pair, offset: int, text: str, rules: Punctuation) -> Iterator[Finding]:
    for index, char in enumerate(text):
        if char in rules.foreign:
            name = unicodedata.name(char, "mark").lower()
            yield _finding(ctx, pair, offset + index, offset + index + 1,
                           f"{name} {char!r} does not belong in {ctx.target_language.name} text",
                           rules.foreign[char])


def _spacing(ctx, pair, offset: int, text: str, rules: Punctuation) -> Iterator[Finding]:
    for match in _DOUBLE_SPACE.finditer(text):
        yield _finding(ctx, pair, offset + match.start(), offset + match.end(),
                       "doubled space inside a sentence", " ")
    if rules.no_space_before:
        marks = re.escape(rules.no_space_before)
        # "word ," but not an ellipsis " ...", a spaced ellipsis " . . ." (the style of published fiction)
        # or a decimal " .5".
        pattern = re.compile(rf"(?<=\w) +(?=[{marks}](?:\s|$))(?!\.\.)(?!\. \.)")
        for match in pattern.finditer(text):
            mark = text[match.end()]
            yield _finding(ctx, pair, offset + match.start(), offset + match.end() + 1,
                           f"space before {mark!r}", mark)


def _unbalanced(ctx, pair: AlignedPair, source_rules: Punctuation, rules: Punctuation) -> Iterator[Finding]:
    assert pair.target_start is not None and pair.target_end is not None
    assert pair.source_start is not None and pair.source_end is not None
    # Quotes may span sentences: balance over the whole line(s) the pair sits on, report inside the pair
    # only. A quotation that spans paragraphs leaves the source unbalanced too; the translation mirroring
    # it is right, so a kind of mark that is unbalanced in the source is not reported in the target.
    source_start, source_end = _lines_around(ctx.source.text, pair.source_start, pair.source_end)
    unbalanced_in_source = {
        _mark_kind(ctx.source.text[at]) for at, _ in _imbalances(ctx.source.text, source_start, source_end,
                                                                  source_rules)
    }
    start, end = _lines_around(ctx.target.text, pair.target_start, pair.target_end)
    for position, message in _imbalances(ctx.target.text, start, end, rules):
        if _mark_kind(ctx.target.text[position]) in unbalanced_in_source:
            continue
        if pair.target_start <= position < pair.target_end:
            yield _finding(ctx, pair, position, position + 1, message)


_QUOTES = "“”\"「」『』«»„"


def _mark_kind(char: str) -> str:
    return "quote" if char in _QUOTES else "bracket"


def _lines_around(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end


def _imbalances(text: str, start: int, end: int, rules: Punctuation) -> list[tuple[int, str]]:
    openers = {o: c for o, c in rules.brackets}
    closers = {c: o for o, c in rules.brackets}
    # A straight '"' is an opening or a closing quote by context: it closes an open “ (or ") and opens
    # otherwise, so '"… ”' is one quotation in two styles rather than two unbalanced quotes.
    curly = ("“", "”") in rules.brackets
    stack: list[tuple[str, int, bool]] = []  # (opener, position, written straight)
    problems: list[tuple[int, str]] = []
    straight: list[int] = []
    list_marker = _LIST_MARKER.match(text, start)
    for position in range(start, end):
        char = text[position]
        is_straight = char == '"'
        if is_straight:
            if not curly:
                straight.append(position)
                continue
            char = "”" if any(o == "“" for o, _, _ in stack) else "“"
        if char in openers and not (char in closers and any(o == char for o, _, _ in stack)):
            stack.append((char, position, is_straight))
        elif char in closers:
            if list_marker and position == list_marker.end() - 1:
                continue
            opener = closers[char]
            if not any(o == opener for o, _, _ in stack):
                problems.append((position, f"{text[position]!r} closes nothing"))
                continue
            while stack[-1][0] != opener:
                _, at, _ = stack.pop()
                problems.append((at, f"{text[at]!r} is never closed"))
            _, at, opened_straight = stack.pop()
            if opened_straight != is_straight:
                where = at if opened_straight else position
                problems.append((where, "straight and curly quotes mixed in one quotation"))
    problems.extend((at, f"{text[at]!r} is never closed") for _, at, _ in stack)
    if len(straight) % 2:
        problems.append((straight[-1], "odd number of '\"' quotes"))
    return sorted(problems)


def _final_stop(
    ctx, pair: AlignedPair, source_rules: Punctuation, target_rules: Punctuation
) -> Iterator[Finding]:
    source = pair.source_text(ctx.source).rstrip().rstrip(source_rules.closers).rstrip()
    target = pair.target_text(ctx.target).rstrip()
    if not source or not target or source[-1] not in source_rules.sentence_end:
        return
    bare = target.rstrip(target_rules.closers).rstrip()
    if not bare or not bare[-1].isalnum():
        return  # ends in some other mark (":" or ";"): a choice, not a missing stop
    assert pair.target_start is not None
    last_word = re.search(r"\w+$", bare)
    start = pair.target_start + (last_word.start() if last_word else len(bare) - 1)
    end = pair.target_start + len(bare)
    stop = target_rules.sentence_end[0]
    yield _finding(ctx, pair, start, end, "the sentence has no final stop (the source has one)",
                   f"{ctx.target.text[start:end]}{stop}")
