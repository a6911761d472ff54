"""Identifier tokens (URLs, e-mail addresses, @handles, #hashtags, alphanumeric codes) in a text: found
here for the identifiers check, and for the names check, which leaves them to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EDGE = r"(?<![A-Za-z0-9_@#./:-])"  # ASCII only: a handle may follow Chinese text directly
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("URL", re.compile(r"(?:https?://|www\.)[^\s<>\"'，。、；：！？）】》“”]+", re.IGNORECASE)),
    ("e-mail address", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("handle", re.compile(_EDGE + r"@[A-Za-z0-9_]{2,30}\b")),
    ("hashtag", re.compile(_EDGE + r"#[A-Za-z][A-Za-z0-9_]{1,50}\b")),
    # Letters and digits together, at least three characters: A320, RTX-4090, ORD-2023-0081, H1N1.
    ("code", re.compile(r"(?<![A-Za-z0-9_@#./,-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])"
                        r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?![A-Za-z0-9_/-])")),
)
# A number with a unit ("500Mbps", "10km") or an ordinal suffix is a quantity, not a code; so is "5G".
_QUANTITY = re.compile(r"^\d+(?:\.\d+)?[a-zA-Z]+$|^[a-zA-Z]{1,2}\d$")


@dataclass(frozen=True)
class Token:
    kind: str
    start: int
    end: int
    text: str


def find_identifiers(text: str) -> list[Token]:
    """Identifiers in ``text``, the earlier kind winning where two overlap (an e-mail's domain is no URL)."""
    tokens: list[Token] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in KINDS:
        for match in pattern.finditer(text):
            start, end = match.span()
            value = match.group(0).rstrip(".,;:!?)")
            end = start + len(value)
            if kind == "code" and (len(value) < 3 or _QUANTITY.match(value)):
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            tokens.append(Token(kind, start, end, value))
    return sorted(tokens, key=lambda t: t.start)
