"""Consistency from target to source: one translation used for different source texts.

The terminology check looks from the source (one term, several renderings); this one looks back, as
Xbench's "inconsistency in source" does: identical targets (case, spacing and final punctuation aside)
whose sources differ in more than spacing, punctuation and case. The second source was probably not
translated but copied over from a translation-memory match, or two different strings collapsed into one.
Targets of a single word are left out: "OK" and "Save" honestly translate several source words.

A term-level variant (a glossary rendering in a pair whose source holds another glossary term) was tried
and dropped: on the sample its one hit was a false positive ("Deputy Secretary of the Provincial Party
Committee" for 省委副书记 holds the rendering of 省委书记).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa.checks import CheckContext, Setting, register_check
from mtqa.data import Category, Finding, Severity

NAME = "target_consistency"
MIN_WORDS = 2
_STRIP = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".。!！?？;；:：,，")


def _source_key(text: str) -> str:
    return _STRIP.sub("", text.lower())


@register_check(
    NAME,
    description="One translation used for different source texts: identical target segments with different "
    "sources.",
    categories=(Category.INCONSISTENCY.value,),
    severity=Severity.MINOR.value,
    settings=(Setting("min_words", MIN_WORDS, "shortest target (in words) compared at segment level"),),
)
def check_target_consistency(ctx: CheckContext) -> Iterator[Finding]:
    yield from _segments(ctx)


def _segments(ctx: CheckContext) -> Iterator[Finding]:
    min_words = int(ctx.settings.get(NAME, {}).get("min_words", MIN_WORDS))
    groups: dict[str, list] = {}
    for pair in ctx.aligned_pairs():
        target = pair.target_text(ctx.target)
        if ctx.target_language.count_words(target) < min_words:
            continue
        groups.setdefault(_key(target), []).append(pair)
    for pairs in groups.values():
        sources: dict[str, list[int]] = {}
        for pair in pairs:
            sources.setdefault(_source_key(pair.source_text(ctx.source)), []).append(pair.id)
        if len(sources) < 2:
            continue
        first = pairs[0]
        listed = "; ".join(f"pair{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids[:5]))}"
                           for ids in sources.values())
        later = next(p for p in pairs if _source_key(p.source_text(ctx.source)) != _source_key(
            first.source_text(ctx.source)))
        yield Finding(
            NAME, Category.INCONSISTENCY.value, Severity.MINOR,
            f"the same translation stands for {len(sources)} different source texts ({listed})",
            None, later.id,
            source_span=ctx.source_span(later.source_start, later.source_end),
            target_span=ctx.target_span(later.target_start, later.target_end),
        )

