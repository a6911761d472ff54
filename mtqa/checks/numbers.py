"""Numbers and dates: every number of a source sentence must reach its aligned translation, and the
translation must not bring numbers of its own.

Each language's ``extract_numbers`` turns its text into comparable values (3.5万 → 35000, "3.5 million" →
3500000, 4月 → month 4, "April" → month 4), so the comparison here is language-independent: a multiset
match per aligned pair on (kind class, value), with looser passes for a likely formatting difference
(20% written as 20, a rounded value) before anything is called missing, changed or added.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mtqa.checks import CheckContext, register_check
from mtqa.data import AlignedPair, Category, Finding, Severity
from mtqa.languages import UNIT_SCALES, NumberMention

CHECK = "numbers"
_DATE_KINDS = frozenset({"year", "month", "day", "decade"})
# Rounding a translator may do (35,432 → "about 35,400"); anything further apart is a different number.
_ROUNDING = 0.01
# A converted quantity is rounded more ("60 kg" → "about 130 pounds" is 1.7 % off).
_CONVERSION_ROUNDING = 0.05


@dataclass
class _Side:
    """The unmatched mentions of one side of one pair, with the pair and its offset in the document."""

    pair: AlignedPair
    offset: int
    text: str
    mentions: list[NumberMention]
    # Mentions that found their counterpart (kept to tell a repeated value from a missing one).
    matched: list[NumberMention] = field(default_factory=list)


def _kind_class(mention: NumberMention) -> str:
    # Years, days, ordinals and plain numbers compare with one another ("2023年" ↔ "2023", "第三" ↔ "3rd");
    # percentages and month names are told apart, since "20%" ↔ "20" or "April" ↔ "4" is a formatting slip.
    if mention.kind in ("percent", "month", "decade"):
        return mention.kind
    return "number"  # number, ordinal, year, day, approximate


def _same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _digits(mention: NumberMention) -> bool:
    return any(char.isdigit() for char in mention.text)


def _take(mentions: list[NumberMention], wanted: NumberMention, matches) -> NumberMention | None:
    # Prefer a counterpart written the same way (digits for digits): "12：00" should take "12:00", not the
    # "noon" of "noon news" earlier in the sentence.
    order = sorted(range(len(mentions)), key=lambda i: _digits(mentions[i]) != _digits(wanted))
    for index in order:
        if matches(wanted, mentions[index]):
            return mentions.pop(index)
    return None


def _exact(a: NumberMention, b: NumberMention) -> bool:
    return _kind_class(a) == _kind_class(b) and _same_value(a.value, b.value)


def _value_only(a: NumberMention, b: NumberMention) -> bool:
    return _same_value(a.value, b.value)


def _rounded(a: NumberMention, b: NumberMention) -> bool:
    if _kind_class(a) != _kind_class(b) or a.value == 0 or b.value == 0:
        return False
    if a.kind in _DATE_KINDS or b.kind in _DATE_KINDS:
        return False  # 2023 and 2024 are different years, however close
    return abs(a.value - b.value) / max(abs(a.value), abs(b.value)) <= _ROUNDING


def _converted(a: NumberMention, b: NumberMention) -> bool:
    """Is ``b`` ``a`` converted to another unit of the same dimension, within a translator's rounding
    (六十公斤 → "about 130 pounds": 132.3 lb; 二十英尺 → "six-meter": 6.1 m)?"""
    if not (a.unit and b.unit and a.unit != b.unit):
        return False
    (dimension_a, size_a), (dimension_b, size_b) = UNIT_SCALES[a.unit], UNIT_SCALES[b.unit]
    if dimension_a != dimension_b or a.value <= 0 or b.value <= 0:
        return False
    quantity_a, quantity_b = a.value * size_a, b.value * size_b
    return abs(quantity_a - quantity_b) / max(quantity_a, quantity_b) <= _CONVERSION_ROUNDING


def display(mention: NumberMention) -> str:
    """A neutral rendering of a value for messages: 35000 → "35,000", percent 20 → "20%"."""
    value = mention.value
    text = f"{int(value):,}" if value == int(value) else f"{value:,.6g}"
    if mention.kind == "percent":
        return f"{text}%"
    if mention.kind in ("month", "day", "year"):
        return f"{mention.kind} {text}"
    return text


@register_check(
    CHECK,
    description="Numbers and dates of each source sentence must reach its translation (Chinese numerals, "
    "万/亿, percentages, dates); numbers the translation adds are reported too.",
    categories=(Category.NUMBER.value, Category.DATE.value),
)
def check_numbers(ctx: CheckContext) -> Iterator[Finding]:
    sources: list[_Side] = []
    targets: list[_Side] = []
    for pair in ctx.aligned_pairs():
        assert pair.source_start is not None and pair.target_start is not None
        source_text, target_text = pair.source_text(ctx.source), pair.target_text(ctx.target)
        source_mentions = ctx.source_language.extract_numbers(source_text)
        target_mentions = ctx.target_language.extract_numbers(target_text)
        matched = _cancel(source_mentions, target_mentions)
        sources.append(_Side(pair, pair.source_start, source_text, source_mentions, matched))
        targets.append(_Side(pair, pair.target_start, target_text, target_mentions))

    # A sentence boundary the aligner drew one sentence off moves a number into the neighbouring pair:
    # a value left over on one side that is left over in an adjacent pair's other side is not an error.
    for index, source_side in enumerate(sources):
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(targets) and abs(targets[neighbour].pair.id - source_side.pair.id) == 1:
                _cancel(source_side.mentions, targets[neighbour].mentions)

    for source_side, target_side in zip(sources, targets, strict=True):
        yield from _compare(ctx, source_side, target_side, matches=_value_only)
        yield from _compare(ctx, source_side, target_side, matches=_rounded)
        yield from _compare(ctx, source_side, target_side, matches=_converted)
        yield from _report_rest(ctx, source_side, target_side, source_side.matched)


def _cancel(
    source_mentions: list[NumberMention], target_mentions: list[NumberMention]
) -> list[NumberMention]:
    """Remove the exact matches from both lists; return the source mentions that matched."""
    matched = []
    for mention in list(source_mentions):
        if _take(target_mentions, mention, _exact) is not None:
            source_mentions.remove(mention)
            matched.append(mention)
    return matched


def _compare(ctx: CheckContext, source: _Side, target: _Side, *, matches) -> Iterator[Finding]:
    """Pair up what a looser criterion matches and report each such pair as a formatting difference."""
    for mention in list(source.mentions):
        found = _take(target.mentions, mention, matches)
        if found is None:
            continue
        source.mentions.remove(mention)
        if _same_value(mention.value, found.value):
            reading = f"not as a {mention.kind}" if mention.kind != "number" else f"as a {found.kind}"
            message = f"{display(mention)} ({mention.text}) appears as {found.text!r} in the translation"
            message += f", {reading}"
        elif mention.unit != found.unit:
            message = (f"{display(mention)} {mention.unit} ({mention.text}) is converted to {found.text!r} "
                       f"{found.unit} in the translation")
        else:
            message = f"{display(mention)} ({mention.text}) is rounded to {found.text!r} in the translation"
        yield _finding(ctx, source, target, mention, found, Severity.MINOR, message)


def _report_rest(
    ctx: CheckContext, source: _Side, target: _Side, matched: list[NumberMention]
) -> Iterator[Finding]:
    # Number words that the translation adds ("the two sides" for 双方, "first" for 首次) are idiomatic far
    # more often than they are errors; only added digits and month names are reported. An added year is
    # usually a clarification ("the 1992 Consensus" for 九二共识); a number hyphenated to a word is part of
    # a name the source may write without it (新冠 → COVID-19).
    added = [m for m in target.mentions if (m.kind == "month" or _digits(m)) and not _in_a_name(target, m)]
    for mention in source.mentions:
        if mention.kind == "approximate" or _same_value(mention.value, 1):
            # 三四个: "three or four", "several" or "three" are all fine; a 1 is as often "a" or "per"
            # (1美元兑7元 → "7 yuan per dollar") as "one".
            continue
        if _dual(ctx, mention, target):
            continue  # 两个嘴角 → "up at one end and down at the other", 两个极端 → "opposite ends"
        same_class = [m for m in added if _comparable(m, mention)]
        if not same_class and mention.unit:
            # A quantity the translation states in another amount of the same dimension ("1.60 m" → "six
            # feet") is changed, even in words, which are otherwise not counted as added numbers.
            same_class = [m for m in target.mentions if m not in added and _same_dimension(m, mention)]
        if same_class:
            found = same_class[0]
            if found in added:
                added.remove(found)
            else:
                target.mentions.remove(found)  # a number in words, reported once
            message = f"{display(mention)} ({mention.text}) is changed to {found.text!r} in the translation"
            yield _finding(ctx, source, target, mention, found, Severity.MAJOR, message)
        elif any(_exact(mention, other) for other in matched):
            # The value is in the translation, once fewer than in the source: a repetition the translation
            # folded into a pronoun ("两名妇女 … 这两名妇女" → "two women … them") more often than a loss.
            # Only a repeated figure in digits (a date repeated in a dateline and the text) is worth a note.
            if not _digits(mention) or mention.kind in ("month", "year"):
                continue  # "7月17和7月22日" → "July 17 and 22" shares the month
            message = f"{display(mention)} ({mention.text}) occurs fewer times in the translation"
            yield _finding(ctx, source, target, mention, None, Severity.MINOR, message)
        else:
            # A figure in digits is data a reader acts on (a date, an amount, a list number); a number in
            # words that the translation does not state is as often an implicit count (三人 → "they"), an
            # idiom (伤敌一千自损八百) or a hyperbole (一万个不服 → "a hundred times no") as a loss. On WMT23
            # the MQM raters marked 77 of 103 missing digit figures and none of 12 missing number words.
            severity = Severity.MAJOR if _digits(mention) else Severity.MINOR
            message = f"{display(mention)} ({mention.text}) is missing from the translation"
            yield _finding(ctx, source, target, mention, None, severity, message)
    for mention in added:
        if mention.kind in ("year", "month") or _same_value(mention.value, 1):
            # A year or month is usually a clarification (25日 → "July 25" where the dateline gives the
            # month); a 1 renders 一 or 第一 ("No. 1"), which the extractors leave out on the source side
            # because it is mostly "a"/"an". Either can still pair with a source number as a change.
            continue
        message = f"{mention.text!r} in the translation has no counterpart in the source"
        yield _finding(ctx, source, target, None, mention, Severity.MAJOR, message)


def _dual(ctx: CheckContext, mention: NumberMention, target: _Side) -> bool:
    """A 2 written in words (not digits) that the translation says with a word for two (``Language.
    dual_words``: both, pair, the other, opposite …)."""
    dual = ctx.target_language.dual_words
    return (
        dual is not None
        and mention.kind == "number"
        and _same_value(mention.value, 2)
        and not _digits(mention)
        and dual.search(target.text) is not None
    )


def _same_dimension(a: NumberMention, b: NumberMention) -> bool:
    return bool(a.unit and b.unit) and UNIT_SCALES[a.unit][0] == UNIT_SCALES[b.unit][0]


def _comparable(a: NumberMention, b: NumberMention) -> bool:
    """May ``b`` be reported as a changed ``a``? Same kind, or both plain counts (3 ↔ "3rd")."""
    plain = ("number", "ordinal")
    return a.kind == b.kind or (a.kind in plain and b.kind in plain)


_HYPHENATED_TO_A_WORD = re.compile(r"[^\W\d_]-$")


def _in_a_name(side: _Side, mention: NumberMention) -> bool:
    return bool(_HYPHENATED_TO_A_WORD.search(side.text[: mention.start]))


def _finding(
    ctx: CheckContext,
    source: _Side,
    target: _Side,
    source_mention: NumberMention | None,
    target_mention: NumberMention | None,
    severity: Severity,
    message: str,
) -> Finding:
    kinds = {m.kind for m in (source_mention, target_mention) if m is not None}
    category = Category.DATE if kinds & _DATE_KINDS else Category.NUMBER
    source_span = target_span = None
    if source_mention is not None:
        offset = source.offset
        source_span = ctx.source_span(offset + source_mention.start, offset + source_mention.end)
    if target_mention is not None:
        offset = target.offset
        target_span = ctx.target_span(offset + target_mention.start, offset + target_mention.end)
    suggestion = None
    if source_mention is not None and source_mention.kind not in _DATE_KINDS:
        suggestion = display(source_mention)
    return Finding(
        check=CHECK,
        category=category.value,
        severity=severity,
        message=message,
        suggestion=suggestion,
        pair=source.pair.id,
        source_span=source_span,
        target_span=target_span,
    )
