"""Identifiers a translation must carry over unchanged: URLs, e-mail addresses, @handles, #hashtags and
alphanumeric codes (model numbers, order numbers: a token of Latin letters and digits together).

Each one found in a pair's source must appear in its target. One that does not is reported as altered when
the target holds a token of the same kind that is close to it (a mistyped code, a changed domain), else as
missing. Comparison ignores a URL's scheme and trailing slash and an e-mail address's case. Plain numbers
with a unit ("10km", "5G", "3rd") are left to the numbers check: a translation may spell them out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from mtqa.checks import CheckContext, register_check
from mtqa.checks._tokens import Token, find_identifiers
from mtqa.checks.names import source_names
from mtqa.data import Category, Finding, Severity

__all__ = ["check_identifiers", "find_identifiers"]

NAME = "identifiers"
# A target token of the same kind at least this similar (difflib ratio) is the source's, altered.
ALTERED_SIMILARITY = 0.6

def _normal(token: Token) -> str:
    value = token.text
    if token.kind == "URL":
        value = re.sub(r"^(?:https?://)?(?:www\.)?", "", value, flags=re.IGNORECASE).rstrip("/").lower()
    elif token.kind in ("e-mail address", "handle", "hashtag"):
        value = value.lower()
    return value


@register_check(
    NAME,
    description="URLs, e-mail addresses, @handles, #hashtags and alphanumeric codes of the source that are "
    "missing from the translation or altered in it.",
    categories=(Category.MISTRANSLATION.value, Category.OMISSION.value),
    severity=Severity.MAJOR.value,
)
def check_identifiers(ctx: CheckContext) -> Iterator[Finding]:
    for pair in ctx.aligned_pairs():
        source_text = pair.source_text(ctx.source)
        source_tokens = find_identifiers(source_text)
        if not source_tokens:
            continue
        # A code the names check reads as one name (A320, C919) is its to report; hyphenated order numbers
        # (ORD-2023-0081), which it reads in pieces, are this check's.
        names = {(start, end) for start, end, _ in source_names(source_text, ctx.source_language.script)}
        source_tokens = [t for t in source_tokens if not (t.kind == "code" and (t.start, t.end) in names)]
        target_text = pair.target_text(ctx.target)
        target_tokens = find_identifiers(target_text)
        remaining = [_normal(t) for t in target_tokens]
        for token in source_tokens:
            value = _normal(token)
            if value in remaining:
                remaining.remove(value)
                continue
            if token.text in target_text:  # inside a longer token of the target (a URL with a path)
                continue
            source_span = ctx.source_span(pair.source_start + token.start, pair.source_start + token.end)
            close = _closest(token, target_tokens, remaining)
            if close is not None:
                yield Finding(NAME, Category.MISTRANSLATION.value, Severity.MAJOR,
                              f"{token.kind} {token.text} is changed to {close.text} in the translation",
                              token.text, pair.id, source_span=source_span,
                              target_span=ctx.target_span(pair.target_start + close.start,
                                                          pair.target_start + close.end))
            else:
                yield Finding(NAME, Category.OMISSION.value, Severity.MAJOR,
                              f"{token.kind} {token.text} of the source is missing from the translation",
                              token.text, pair.id, source_span=source_span)


def _closest(token: Token, candidates: list[Token], remaining: list[str]) -> Token | None:
    best, best_ratio = None, ALTERED_SIMILARITY
    value = _normal(token)
    for candidate in candidates:
        if candidate.kind != token.kind or _normal(candidate) not in remaining:
            continue
        ratio = difflib.SequenceMatcher(None, value, _normal(candidate)).ratio()
        if ratio >= best_ratio:
            best, best_ratio = candidate, ratio
    return best
