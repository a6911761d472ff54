"""Names written in another script inside the source — acronyms, brands, model numbers ("CECEP", "5G",
"iPhone 14", "C919") — must reach the translation unchanged. Capitalisation is not compared: English
conventions are the translation's to apply (google → Google); spacing is (iPhone 14 → iPhone14).

Language-independent: a name is a run of Latin letters and digits that the source language's own script
does not cover (so an English source has none). Glossary terms are left to the terminology check. A name
missing from the translation is major when it carries a digit (a model number cannot be paraphrased) and
minor otherwise (an acronym may be spelt out: "GDP" → "gross domestic product", which is accepted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa.checks import CheckContext, register_check
from mtqa.checks._tokens import find_identifiers
from mtqa.data import AlignedPair, Category, Finding, Severity
from mtqa.languages.numbers_en import LATIN_UNITS, UNIT_WORDS, is_measurement

CHECK = "names"
# Words of Latin letters and digits (inner . - & ' allowed), joined by single spaces: "iPhone 14 Pro".
_WORD = r"[A-Za-z0-9](?:[A-Za-z0-9&_.'’-]*[A-Za-z0-9])?"
_NAME = re.compile(rf"{_WORD}(?: {_WORD})*")
_LETTER = re.compile(r"[A-Za-z]")
# Units written in Latin letters: quantities, not names ("500Mbps" may well become "500 Mbps").
_UNITS = LATIN_UNITS | {"Mbps", "Gbps", "Kbps", "kbps", "mAh", "nm", "dB", "ppm", "rpm", "km/h", "kcal"}
_CLOCK = re.compile(r"\d{1,2}[Hh]\d{2}")  # 08H00: a time, written "8:00" in English
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:[.,]\d+)*\s*([A-Za-z]+)")
_SMALL_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "to", "&"})
# A small count before letters may be spelt out in English: 3K → "Three-K", 4S店 → "four-S".
_SPELT_COUNT = re.compile(r"(?P<count>\d{1,2})-?(?P<rest>[A-Za-z]\w*)")
_COUNT_WORDS = {value: word for word, value in UNIT_WORDS.items()}


def source_names(text: str, source_script: re.Pattern[str]) -> list[tuple[int, int, str]]:
    """(start, end, name) of each Latin-script name in a text written in another script."""
    names = []
    for match in _NAME.finditer(text):
        for start, end in _pieces(text, match.start(), match.end()):
            name = text[start:end]
            if _is_name(name, source_script):
                names.append((start, end, name))
    return names


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split off what belongs to the text around: digits hyphenated to a name (COVID-19: the 19 is the
    numbers check's) and digits glued to a following date character (APEC2020年后: "after 2020")."""
    pieces = []
    for part in re.finditer(r"[^-]+(?:-(?!\d+(?:-|$))[^-]+)*", text[start:end]):
        piece_start, piece_end = start + part.start(), start + part.end()
        if piece_end == end and text[end : end + 1] in ("年", "月", "日", "号"):
            digits = re.search(r"\d+$", text[piece_start:piece_end])
            if digits:
                piece_end -= len(digits.group())
        if piece_start < piece_end:
            pieces.append((piece_start, piece_end))
    return pieces


def _is_name(name: str, source_script: re.Pattern[str]) -> bool:
    if not _LETTER.search(name) or source_script.search(name) or _CLOCK.fullmatch(name):
        return False
    unit = _NUMBER_WITH_UNIT.fullmatch(name)
    if name in _UNITS or (unit and (unit.group(1) in _UNITS or is_measurement(name, unit.group(1)))):
        return False  # 100MW, 2.726K are quantities: the numbers check compares them
    # C位 ("centre position"), A：(an interview's answer): single letters are used as words.
    return len(name) > 1


def _bounded(name: str, flags: int = 0) -> re.Pattern[str]:
    # An acronym or a model number takes English plural and possessive endings: "IDs", "ID's", "URLs",
    # "A320s". A name ending in a lower-case letter does not ("Apples" is not "Apple").
    suffix = r"(?:['’]?s|es)?" if name[-1:].isupper() or name[-1:].isdigit() else ""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}{suffix}(?![A-Za-z0-9])", flags)


def _loose(name: str) -> re.Pattern[str]:
    # Same characters, spaces and hyphens optional between them: "iPhone14", "iPhone-14".
    parts = [re.escape(char) for char in re.sub(r"[\s-]", "", name)]
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\s-]?".join(parts) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def _kept(name: str, target: str) -> bool:
    """The name is in the target as it stands, in another case (google → Google, APP → app: English
    capitalisation is the translation's to choose), with its count spelt out (3K → "Three-K"), or word by
    word (Google AI → Google's AI)."""
    if _bounded(name, re.IGNORECASE).search(target):
        return True
    spelt = _SPELT_COUNT.fullmatch(name)
    if spelt and int(spelt.group("count")) in _COUNT_WORDS:
        words = rf"{_COUNT_WORDS[int(spelt.group('count'))]}[\s-]?{re.escape(spelt.group('rest'))}"
        if re.search(rf"(?<![A-Za-z0-9]){words}(?![A-Za-z0-9])", target, re.IGNORECASE):
            return True
    words = name.split()
    return len(words) > 1 and all(_bounded(word, re.IGNORECASE).search(target) for word in words)


def _spelt_out(acronym: str, target: str) -> bool:
    """Does the target contain words whose initials spell the acronym (GDP → gross domestic product)?"""
    if not (acronym.isalpha() and acronym.isupper() and len(acronym) >= 2):
        return False
    words = [w for w in re.findall(r"[A-Za-z]+", target) if w.lower() not in _SMALL_WORDS]
    initials = "".join(w[0].upper() for w in words)
    return acronym in initials


def _glossary_sources(ctx: CheckContext) -> list[str]:
    return [entry.source for entry in ctx.glossary.entries] if ctx.glossary else []


@register_check(
    CHECK,
    description="Latin-script names, acronyms and model numbers in the source (CECEP, 5G, iPhone 14) must "
    "reach the translation unchanged.",
    categories=(Category.NAME.value,),
)
def check_names(ctx: CheckContext) -> Iterator[Finding]:
    script = ctx.source_language.script
    glossary_sources = _glossary_sources(ctx)
    for pair in ctx.aligned_pairs():
        assert pair.source_start is not None and pair.target_start is not None
        target = pair.target_text(ctx.target)
        source = pair.source_text(ctx.source)
        # URLs, e-mail addresses, handles and hashtags are the identifiers check's (whole, not in pieces).
        identifiers = [(t.start, t.end) for t in find_identifiers(source) if t.kind != "code"]
        for start, end, name in source_names(source, script):
            if any(name in term for term in glossary_sources):
                continue
            if any(a < end and start < b for a, b in identifiers):
                continue
            if _kept(name, target):
                continue
            source_span = ctx.source_span(pair.source_start + start, pair.source_start + end)
            yield from _report(ctx, pair, name, source_span, target)


def _report(ctx: CheckContext, pair: AlignedPair, name: str, source_span, target: str) -> Iterator[Finding]:
    assert pair.target_start is not None
    variant = _loose(name).search(target)
    if variant:
        target_span = ctx.target_span(pair.target_start + variant.start(), pair.target_start + variant.end())
        yield Finding(
            check=CHECK,
            category=Category.NAME.value,
            severity=Severity.MINOR,
            message=f"name {name!r} is spaced differently in the translation: {variant.group()!r}",
            suggestion=name,
            pair=pair.id,
            source_span=source_span,
            target_span=target_span,
        )
        return
    if _spelt_out(name, target):
        return
    has_digit = any(char.isdigit() for char in name)
    yield Finding(
        check=CHECK,
        category=Category.NAME.value,
        severity=Severity.MAJOR if has_digit else Severity.MINOR,
        message=f"name {name!r} is missing from the translation",
        suggestion=name,
        pair=pair.id,
        source_span=source_span,
        target_span=None,
    )
