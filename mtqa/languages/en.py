"""English."""

from __future__ import annotations

import re
from functools import lru_cache

from mtqa.languages import Language, register_language

LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[.,'’-][A-Za-z0-9\u00c0-\u024f]+)*")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    # pysbd knows English abbreviations ("Co., Ltd.", "U.S.", "No. 3", initials) and decimals. Without
    # char_span: its offsets come from one regex per sentence, which floods Python's regex cache (512
    # entries) so that pysbd's own patterns are compiled again on every call (3× slower); the pieces are
    # located in the text below instead.
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


# Where pysbd may end a sentence: the usual marks, and a closing bracket ("(Reuters) Officials said …");
# the tail is what may follow the last one (closing quotes, brackets, spaces).
_ENDS = re.compile(r"[.!?\u2026)]")
_TAIL = re.compile(r"[.!?\u2026\"'\u201d\u2019)\]\s]*$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    # A block with no sentence-ending mark before its tail is one sentence whatever pysbd would do with it,
    # and pysbd costs milliseconds per call: most headlines, list items and one-sentence lines skip it.
    body_end = _TAIL.search(text).start()
    if not _ENDS.search(text, 0, body_end):
        return [(0, len(text))] if text.strip() else []
    spans = []
    cursor = 0
    for sentence in _segmenter().segment(text):
        start = text.find(sentence, cursor)
        if start < 0:  # pysbd changed the piece (it should not with clean=False): keep the position
            start = cursor
        end = min(start + len(sentence), len(text))
        spans.append((start, end))
        cursor = end
    return spans


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _extract_numbers(text: str):
    from mtqa.languages.numbers_en import extract_numbers

    return extract_numbers(text)


# Words that carry no content of their own: a neural span made only of these ("It", "for", "that", "and") is
# the model reacting to a rephrased sentence frame, not an error a reviewer can act on (WMT21: such spans were
# almost never inside a human-marked error; docs/neural.md).
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here it its it's they them
    their theirs we us our you your he him his she her i me my mine which who whom whose what when where
    why how of to in on at by for from with without into onto over under about as up down out off upon
    within through throughout between among against during before after above below since until while
    is are was were be been being am do does did done has have had having will would shall should can
    could may might must not no also too very just only all any both each every some such more most
    other another again further once own same s t""".split()  # noqa: SIM905 (a word list reads better)
)


def inflections(word: str) -> set[str]:
    """Regular English inflections of a word, in both directions (a glossary may give the plural)."""
    stems = {word}
    if word.endswith("ies") and len(word) > 4:
        stems.add(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        stems.update({word[:-1], word[:-2]})  # "bases" → "base", "boxes" → "box"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        stems.add(word[:-1])
    forms = set()
    vowels = "aeiou"
    for stem in stems:
        forms.update({stem, stem + "s", stem + "es", stem + "ed", stem + "ing"})
        if stem.endswith("e"):
            forms.update({stem + "d", stem[:-1] + "ing"})
        if len(stem) > 2 and stem.endswith("y") and stem[-2] not in vowels:
            forms.update({stem[:-1] + "ies", stem[:-1] + "ied"})
        if len(stem) > 2 and stem[-1] not in vowels + "wxy" and stem[-2] in vowels and stem[-3] not in vowels:
            forms.update({stem + stem[-1] + "ed", stem + stem[-1] + "ing"})  # "plan" → "planned"
    return forms


# Page furniture (web page chrome an aggregator left in a translation): (kind, pattern), matched against one
# stripped segment, case-insensitively. Each pattern is specific to web page chrome: they describe how sites
# word their links and banners, not how articles are written.
_FURNITURE: tuple[tuple[str, str], ...] = (
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
_SECTIONS = (
    r"(News|Business|World|Politics|Economy|Finance|Markets|Sports?|Tech(nology)?|Science|Entertainment|"
    r"Lifestyle|Health|Opinion|Local|National|International|China|Asia|Culture|Travel|Auto|Education)"
)
_FURNITURE_CASED: tuple[tuple[str, str], ...] = (
    ("breadcrumb", rf"^Home\s+{_SECTIONS}\b"),
    ("section label", rf"^{_SECTIONS}$"),
)
FURNITURE = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _FURNITURE) + tuple(
    (kind, re.compile(pattern)) for kind, pattern in _FURNITURE_CASED
)


# "Two" said without the number, for the numbers check: both/either/neither, a pair/couple/twins, each
# other, one … the other, opposite ends, double/dual/twofold.
DUAL_WORDS = re.compile(
    r"\b(?:both|either|neither|pairs?|couples?|twins?|each other|one another|the other|opposite|"
    r"double|dual|twofold|twice)\b",
    re.IGNORECASE,
)

ENGLISH = register_language(
    Language(
        code="en",
        name="English",
        script=LATIN,
        split_sentences=split_sentences,
        count_words=count_words,
        extract_numbers=_extract_numbers,
        chars_per_unit=1.0,
        prompt_name="English",
        function_words=FUNCTION_WORDS,
        furniture=FURNITURE,
        inflections=inflections,
        # "He had had enough", "that that was", "bye bye", "knock knock", "so so": doubled on purpose.
        doubled_word_exceptions=frozenset({"had", "that", "bye", "ha", "knock", "tut", "chop", "so", "blah"}),
        dual_words=DUAL_WORDS,
    )
)
