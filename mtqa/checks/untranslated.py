"""Untranslated text: runs of the source language's script left in the translation.

Language-independent: the source script comes from the registered ``Language`` (Han for Chinese, Latin for
English …). Not applied when both languages share a script (the text would be indistinguishable). Short
capitalised or alphanumeric runs — names, acronyms, model numbers a translation keeps on purpose — are
left to the names check, and a gloss in brackets after a rendering ("Hao Peng (郝鹏)") is a convention,
not an omission.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa.checks import CheckContext, register_check
from mtqa.data import Category, Finding, Severity

CHECK = "untranslated"
# Characters that may sit inside one untranslated run without ending it: spaces, punctuation, digits.
_JOINERS = re.compile(r"[\s\d\W_]*")
# A run that covers at least this share of its segment's letters is an untranslated segment.
_WHOLE_SEGMENT = 0.5
_GLOSS_OPEN = "(（["
_GLOSS_CLOSE = ")）]"


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def script_runs(text: str, script: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of maximal runs of the script's characters, joined across spaces and punctuation."""
    runs: list[list[int]] = []
    for match in script.finditer(text):
        if runs:
            gap = text[runs[-1][1] : match.start()]
            if _JOINERS.fullmatch(gap) and not any(char.isalpha() for char in gap):
                runs[-1][1] = match.end()
                continue
        runs.append([match.start(), match.end()])
    return [(start, end) for start, end in runs]


def _looks_like_a_name(run: str) -> bool:
    # Only cased scripts can say so: Han text left in English is never "a name kept on purpose".
    cased = any(char.isupper() or char.islower() for char in run)
    return cased and len(run.split()) <= 3 and any(char.isupper() or char.isdigit() for char in run)


def _is_gloss(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return bool(before) and before[-1] in _GLOSS_OPEN and bool(after) and after[0] in _GLOSS_CLOSE and (
        _letters(before[:-1][-20:]) > 0
    )


@register_check(
    CHECK,
    description="Source-language script left in the translation (a whole segment or a short run).",
    categories=(Category.UNTRANSLATED.value,),
)
def check_untranslated(ctx: CheckContext) -> Iterator[Finding]:
    script = ctx.source_language.script
    if script.pattern == ctx.target_language.script.pattern:
        return
    for pair in ctx.pairs:
        if not pair.target_segments:
            continue
        for segment_id in pair.target_segments:
            segment = ctx.target.segments[segment_id]
            letters = _letters(segment.text)
            for start, end in script_runs(segment.text, script):
                run = segment.text[start:end]
                if _looks_like_a_name(run) or _is_gloss(segment.text, start, end):
                    continue
                whole = _letters(run) >= _WHOLE_SEGMENT * letters
                span = ctx.target_span(segment.start + start, segment.start + end)
                source_span = None
                if whole and pair.source_start is not None and pair.source_end is not None:
                    source_span = ctx.source_span(pair.source_start, pair.source_end)
                if whole:
                    message = f"segment left untranslated ({ctx.source_language.name}): {run[:40]!r}"
                else:
                    message = f"untranslated {ctx.source_language.name} text {run!r}"
                yield Finding(
                    check=CHECK,
                    category=Category.UNTRANSLATED.value,
                    severity=Severity.MAJOR if whole else Severity.MINOR,
                    message=message,
                    pair=pair.id,
                    source_span=source_span,
                    target_span=span,
                )
