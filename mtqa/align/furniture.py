"""Page furniture: text a website wraps around an article (breadcrumbs, "See also" links, comment forms,
cookie banners). Aggregators publish machine translations with it still inside; it is never translation.

Patterns belong to the target language (``Language.furniture``) so that another language brings its own
list; a language without patterns simply gets no furniture detection from text, and the encoder aligner
still recognises furniture by its near-zero similarity to every source segment.
"""

from __future__ import annotations

import re

from mtqa.errors import MtqaError
from mtqa.languages import FurniturePatterns, Language, get_language


def _patterns(lang: Language | str) -> FurniturePatterns:
    if isinstance(lang, Language):
        return lang.furniture
    try:
        return get_language(lang).furniture
    except MtqaError:  # a language mtqa does not know has no patterns
        return ()


def furniture_kind(text: str, lang: Language | str) -> str | None:
    """The kind of page furniture ``text`` looks like ("related link", "breadcrumb", …), or None."""
    return _kind(text, _patterns(lang))


def _kind(text: str, patterns: FurniturePatterns) -> str | None:
    stripped = text.strip()
    if not stripped:
        return None
    for kind, pattern in patterns:
        if pattern.search(stripped):
            return kind
    return None


# A list of related links under a "You may also like" header is a run of short headlines; a segment longer
# than this many words ends it (an article sentence, or the comment form's prose).
_LIST_ITEM_MAX_WORDS = 20
_WORD = re.compile(r"\w+")


def document_furniture(texts: list[str], paragraphs: list[int], lang: Language | str) -> list[str | None]:
    """Furniture kind per segment of a document, using the neighbours as well as the patterns.

    A segment continues the furniture it shares a paragraph with ("See also <headline>" split in two by
    the sentence splitter), and the short lines after a related-links header are its list.
    """
    patterns = _patterns(lang)
    kinds = [_kind(text, patterns) for text in texts]
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
