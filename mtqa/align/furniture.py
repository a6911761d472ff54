"""Page furniture: text a website wraps around an article (breadcrumbs, "See also" links, comment forms,
cookie banners). Aggregators publish machine translations with it still inside; it is never translation.

Patterns are per target language (registered in ``PATTERNS`` by language code) so that another language
adds its own list; a language without patterns simply gets no furniture detection from text, and the encoder
aligner still recognises furniture by its near-zero similarity to every source segment.
"""

from __future__ import annotations

import re

# (kind, pattern); matched against one stripped segment, case-insensitively. Each pattern is specific to
# web page chrome: they describe how sites word their links and banners, not how articles are written.
_EN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("related link", r"^(see also|read also|also read|read more|"
                     r"related( articles| posts| news| stories)?)\b"),
    ("related link", r"^(you (may|might) also like|recommended( for you)?|more from|trending( now)?|"
                     r"most (read|popular))\b"),
    ("related link", r"^(previous|next) (post|article|story)\b"),
    ("breadcrumb", r"^home\s*[›»>/|]"),
    ("byline", r"^(by|posted by|written by)\s+(admin|administrator|editor|staff|webmaster)\b"),
    ("comment form", r"^(leave a (comment|reply)|post a comment|\d+\s+comments?|no comments( yet)?|"
                     r"comments? (are )?closed)\b"),
    ("comment form", r"^save my name, email,? and website\b"),
    ("comment form", r"\bakismet\b|\bhow your comment data is processed\b"),
    ("cookie banner", r"\b(this (web)?site uses cookies|we use cookies|"
                      r"cookie (policy|settings|preferences))\b"),
    ("cookie banner", r"^(privacy (&|and) cookies( policy)?|privacy policy|accept( all)?( cookies)?|"
                      r"terms of (use|service))\b"),
    ("share buttons", r"^(share( this)?( on)?|tweet|follow us)\b.{0,40}$"),
    ("copyright", r"^(©|copyright\b|all rights reserved\b)"),
)

# Section names are matched with their capital letter: "Home Business …" is a breadcrumb, "Home business
# owners …" is a sentence.
_EN_SECTIONS = (
    r"(News|Business|World|Politics|Economy|Finance|Markets|Sports?|Tech(nology)?|Science|Entertainment|"
    r"Lifestyle|Health|Opinion|Local|National|International|China|Asia|Culture|Travel|Auto|Education)"
)
_EN_CASED: tuple[tuple[str, str], ...] = (
    ("breadcrumb", rf"^Home\s+{_EN_SECTIONS}\b"),
    ("section label", rf"^{_EN_SECTIONS}$"),
)

PATTERNS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "en": tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _EN_PATTERNS)
    + tuple((kind, re.compile(pattern)) for kind, pattern in _EN_CASED),
}


def furniture_kind(text: str, lang: str) -> str | None:
    """The kind of page furniture ``text`` looks like ("related link", "breadcrumb", …), or None."""
    stripped = text.strip()
    if not stripped:
        return None
    for kind, pattern in PATTERNS.get(lang.split("-")[0].lower(), ()):
        if pattern.search(stripped):
            return kind
    return None


# A list of related links under a "You may also like" header is a run of short headlines; a segment longer
# than this many words ends it (an article sentence, or the comment form's prose).
_LIST_ITEM_MAX_WORDS = 20
_WORD = re.compile(r"\w+")


def document_furniture(texts: list[str], paragraphs: list[int], lang: str) -> list[str | None]:
    """Furniture kind per segment of a document, using the neighbours as well as the patterns.

    A segment continues the furniture it shares a paragraph with ("See also <headline>" split in two by
    the sentence splitter), and the short lines after a related-links header are its list.
    """
    kinds = [furniture_kind(text, lang) for text in texts]
    # A page title repeated inside a breadcrumb ("Home Business <title>", then "<title>" as the heading).
    normalised = [" ".join(_WORD.findall(text.lower())) for text in texts]
    for index, text in enumerate(normalised):
        if kinds[index] is None and len(text.split()) >= 4:
            for other, kind in enumerate(kinds):
                if kind is not None and other != index and text in normalised[other]:
                    kinds[index] = f"{kind}, repeated page title"
                    break
    in_list = False
    for index, text in enumerate(texts):
        words = len(_WORD.findall(text))
        if kinds[index] is not None:
            in_list = kinds[index] == "related link" and words <= 6
            continue
        same_paragraph = index > 0 and paragraphs[index] == paragraphs[index - 1]
        if same_paragraph and kinds[index - 1] is not None:
            kinds[index] = kinds[index - 1]
        elif in_list and 0 < words <= _LIST_ITEM_MAX_WORDS:
            kinds[index] = "related link"
        else:
            in_list = False
    return kinds
