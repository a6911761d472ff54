"""Numbers, dates and percentages in English text, normalised so that they compare with other languages.

Read in this order, each later pass skipping what an earlier one took: dates (April 3, 3 April, April 3rd),
digits (35,000, 3.5 million, 20%, 20 percent, 1st), number words (three, twenty-one, a hundred million,
three-year) and ordinal words (first … tenth). A lone "one" and the article "a" are not numbers: "one of
the", "a meeting" translate 一 that the Chinese extractor does not count either.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mtqa.languages import NumberMention

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
UNIT_WORDS = _UNITS  # for checks that compare a spelt-out count (names: 3K ↔ "Three-K")
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000}
_SHORT_SCALES = {"bn": 1_000_000_000, "mn": 1_000_000, "mln": 1_000_000, "tn": 1_000_000_000_000}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000,
}

# Capitalised month names only: "may" and "march" are also verbs.
_MONTH_NAME = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_MONTH_DAY = re.compile(rf"\b(?P<month>{_MONTH_NAME})(?:\s+{_DAY}(?![\d,.]\d|\w))?")
_DAY_MONTH = re.compile(rf"(?<![\w.,]){_DAY}\s+(?:of\s+)?(?P<month>{_MONTH_NAME})")

_PERCENT = r"(?P<percent>\s?%|(?i:\s+percent\b|\s+per\s+cent\b|\s+percentage\s+points?\b|\s+pct\b))"
_SCALE_WORDS = "|".join(_SCALES)
_DIGITS = re.compile(
    r"(?:(?<![\w.])|(?<=RMB|CNY|USD|HKD|EUR|GBP|JPY|SGD|AUD|CAD|NTD|MOP|KRW|INR)|(?<=RM))"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    # Scale words in any case: headlines capitalise them ("RMB280 Million").
    rf"(?:(?P<ordinal>st|nd|rd|th)\b|\s*(?P<scale>(?i:{_SCALE_WORDS}|bn|mn|mln|tn))\b)?"
    rf"{_PERCENT}?"
)
_DIGIT_WORDS = "|".join(list(_UNITS)[1:10])
_WORD = rf"(?:(?:{'|'.join(_TENS)})(?:-(?:{_DIGIT_WORDS}))?|{'|'.join(_UNITS)}|{_SCALE_WORDS})"
# "and" joins number words only after a scale ("two hundred and five"); "between one and five percent" is a
# range of two numbers, not six.
_AND = "".join(rf"(?<={scale})\s+and\s+|" for scale in _SCALES)
_WORDS = re.compile(
    rf"\b(?P<a>(?:a|per)\s+)?(?P<words>{_WORD}(?:(?:{_AND}\s+|-){_WORD})*)\b{_PERCENT}?", re.IGNORECASE
)
# The first number of a range in words borrows the percent of the second: "one to five percent".
_WORDS_RANGE_PERCENT = re.compile(
    rf"\s*(?:to|and|or|-|–)\s*{_WORD}(?:[\s-]{_WORD})*{_PERCENT}", re.IGNORECASE
)
_ORDINAL_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})-)?(?P<ordinal>{'|'.join(_ORDINALS)})\b", re.IGNORECASE
)
# "hundreds of billions" renders 千亿, "tens of billions" 百亿, "hundreds of millions" 上亿: the order of
# magnitude is the value the Chinese states.
_ORDER = {"tens": 10, "hundreds": 100}
_ORDERS_OF_MAGNITUDE = re.compile(
    r"\b(?P<order>tens|hundreds)\s+of\s+(?P<scale>thousand|million|billion|trillion)s\b", re.IGNORECASE
)
# "two and a half million", "half a million", "two and a half years" (两年半).
_HALVES = re.compile(
    rf"\b(?:(?P<whole>{'|'.join(_UNITS)})\s+and\s+a\s+half|half\s+an?)(?:\s+(?P<scale>{_SCALE_WORDS})\b)?",
    re.IGNORECASE,
)
# "both", "a pair of", "double" render 两个, 两倍 without a number word: they may absorb a number, never
# require one.
_SOFT_NUMBERS = {"both": 2, "pair": 2, "couple": 2, "double": 2, "doubled": 2, "triple": 3, "tripled": 3,
                 "quadruple": 4, "quadrupled": 4}
_SOFT_NUMBER = re.compile(
    r"\b(?:both|a\s+(?P<group>pair|couple)\s+of|(?P<times>double|doubled|triple|tripled|quadruple|quadrupled))\b",
    re.IGNORECASE,
)
# Nouns that carry a number: "more than a decade" translates 十余年, "a dozen" 十二.
_COUNTED_NOUNS = {"decade": 10, "dozen": 12, "twice": 2, "thrice": 3}
_COUNTED_NOUN = re.compile(r"\b(?:an?\s+|one\s+)?(?P<noun>decade|dozen|twice|thrice)\b(?!s)", re.IGNORECASE)
# "four decades" renders 四十年 (40), "tenfold" 十倍 (10), "a quarter of a million" 25万.
_DECADES = re.compile(rf"\b(?P<count>{'|'.join(_UNITS)}|\d+)\s+decades\b", re.IGNORECASE)
_FOLD = re.compile(
    rf"\b(?P<count>{'|'.join(list(_UNITS) + list(_TENS))}|hundred|thousand)fold\b", re.IGNORECASE
)
_QUARTERS = re.compile(
    rf"\b(?:a|one|(?P<three>three))\s+quarters?\s+of\s+an?\s+(?P<scale>{_SCALE_WORDS})\b", re.IGNORECASE
)
# "the nineties", "the early eighties" render 九十年代, 八十年代初: decades written as words. Only after
# "the": "in her twenties" is an age.
_DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
                 "seventies": 70, "eighties": 80, "nineties": 90}
_DECADE_WORD = re.compile(
    rf"\bthe\s+(?:(?:early|mid|late)[\s-]+)?(?P<decade>{'|'.join(_DECADE_WORDS)})\b", re.IGNORECASE
)
# "12 to 14 million", "3-5%": the first number of a range borrows the scale and percent of the second.
_RANGE_NEXT = re.compile(
    rf"\s*(?:to|-|–|—|and|or)\s*\$?(?P<next>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:\s*(?P<scale>(?i:{_SCALE_WORDS}|bn|mn|mln|tn))\b)?{_PERCENT}?"
)
# 1990s, '90s, post-90s: compared by the decade's two digits (Chinese 90年代, 90后).
_DECADE = re.compile(
    r"(?<![\w.,'’-])(?:(?:post|pre|mid|late|early)-)?['’]?(?P<decade>\d{4}|\d{2})['’]?s\b"
    r"|\b(?:post|pre)-(?P<generation>\d{2})\b(?![.,]?\d)",  # post-90 (generation), as 90后
    re.IGNORECASE,
)
# Times of day said in words: "from midnight" renders 零点, "at noon" 12时.
_TIME_WORDS = {"midnight": 0, "noon": 12, "midday": 12}
_TIME_WORD = re.compile(r"\b(?P<word>midnight|noon|midday)\b", re.IGNORECASE)
# "50K" for 5万: a thousand written as K.
_THOUSANDS_K = re.compile(r"(?<![\w.])(?P<digits>\d\d+(?:\.\d+)?)[Kk]\b")  # not 4K, 8K (video)
# Digits glued to letters (A320, iPhone14) are a name; after a hyphen (COVID-19, J-20) they are a number on
# both sides of a translation (火星17 ↔ Hwasong-17).
_LATIN_BEFORE = re.compile(r"[A-Za-z]$")
# A currency code glued to the amount (RMB41.6 billion, HKD500) is not a name.
_CURRENCY_BEFORE = re.compile(r"\b(?:RMB|CNY|USD|HKD|EUR|GBP|JPY|SGD|AUD|CAD|NTD|MOP|KRW|INR|RM)$")
_LATIN_AFTER = re.compile(r"[A-Za-z]+")
_LETTER_NAME = re.compile(r"-[A-Z]\b")  # 3-D, 4-K
# Units glued to a number ("100MW", "5km"): the number still counts. 5G, 3D, 4K are names.
# Case matters: 5G is a name, 5g would be grams. Shared with the other extractors (Latin units occur in
# Chinese text too: 100MW光伏).
LATIN_UNITS = frozenset({
    "km", "kg", "g", "mg", "t", "m", "cm", "mm", "ml", "mL", "L", "kW", "kWh", "MW", "MWh", "GW", "GWh",
    "TW", "TWh", "W", "V", "kV", "Hz", "kHz", "MHz", "GHz", "GB", "TB", "MB", "KB", "C", "F",
})
_FULL_MONTHS = frozenset(list(_MONTHS)[:12])
_CLOCK = re.compile(
    r"(?<![\d.])(?<!\d:)(?P<hour>[01]?\d|2[0-4])(?:\s?:\s?|H)(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?(?![\d:])"
)
_YEAR_AFTER = re.compile(r",?\s+\d{4}\b")
# ISO-style dates: 2023-02-11, 2023/2/11, 2023.02.11.
_ISO_DATE = re.compile(r"(?<![\d.])(?P<year>\d{4})([-/.])(?P<month>\d{1,2})\2(?P<day>\d{1,2})(?![\d])")
# "one" is a number except in "one of", "no one", "the one", "one another" and the like.
_NOT_ONE_BEFORE = re.compile(r"\b(?:no|any|every|some|the|this|that|which|each|only)\s+$", re.IGNORECASE)
_NOT_ONE_AFTER = re.compile(r"\s+(?:of|another|day|by one|or two|or another)\b", re.IGNORECASE)
# Words that make "May" a month rather than a verb when no day or year stands beside it.
_MAY_BEFORE = re.compile(r"\b(?:in|of|early|late|mid|since|until|by|from|last|next|this|since|to)[\s-]+$",
                         re.IGNORECASE)


def extract_numbers(text: str) -> list[NumberMention]:
    mentions: list[NumberMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(mention: NumberMention) -> None:
        mentions.append(mention)
        taken.append((mention.start, mention.end))

    for mention in iso_dates(text) + clock_times(text):
        add(mention)
    taken.extend(clock_spans(text))  # the zero minutes of "8:00" are not numbers either

    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            month_text = match.group("month")
            if month_text == "May" and not _may_is_month(text, match):
                continue
            if month_text.lower() not in _FULL_MONTHS and not (
                match.group("day") or _YEAR_AFTER.match(text, match.end())
            ):
                continue  # "Jan", "Jun" alone are more often names (Ma Jun) than months
            month = _MONTHS[month_text.rstrip(".").lower()]
            start, end = match.span("month")
            add(NumberMention(float(month), "month", start, end, text[start:end]))
            if match.group("day") and 1 <= int(match.group("day")) <= 31:
                start, end = match.span("day")
                add(NumberMention(float(match.group("day")), "day", start, end, text[start:end]))

    for match in _DECADE.finditer(text):
        group = "decade" if match.group("decade") else "generation"
        start = match.start(group)
        if free(start, match.end()):
            add(NumberMention(float(int(match.group(group)) % 100), "decade", start, match.end(),
                              text[start : match.end()]))

    for match in _TIME_WORD.finditer(text):
        value = float(_TIME_WORDS[match.group("word").lower()])
        add(NumberMention(value, "number", match.start(), match.end(), match.group()))

    for match in _THOUSANDS_K.finditer(text):
        if free(*match.span()):
            value = float(match.group("digits")) * 1000
            add(NumberMention(value, "number", match.start(), match.end(), match.group()))

    for match in _DECADES.finditer(text):
        count = match.group("count").lower()
        value = float(_UNITS[count] if count in _UNITS else int(count)) * 10
        add(NumberMention(value, "number", match.start(), match.end(), match.group()))

    for match in _DECADE_WORD.finditer(text):
        if free(*match.span()):
            start = match.start("decade")
            value = float(_DECADE_WORDS[match.group("decade").lower()])
            add(NumberMention(value, "decade", start, match.end(), text[start : match.end()]))

    for match in _DIGITS.finditer(text):
        start, end = match.span()
        if not free(start, end) or glued_to_a_word(text[:start]):
            continue
        if not (match.group("ordinal") or match.group("scale") or match.group("percent")):
            latin = _LATIN_AFTER.match(text, match.end("digits"))
            measured = latin and is_measurement(match.group("digits"), latin.group())
            if (latin and not measured and latin.group() not in ("x", "am", "pm")) or (
                _LETTER_NAME.match(text, match.end("digits"))
            ):
                continue  # 5G, 3D, 737MAX: a name (the names check compares those)
        digits = match.group("digits")
        value = float(digits.replace(",", ""))
        scale = (match.group("scale") or "").lower()
        value *= _scale(scale)
        percent = bool(match.group("percent"))
        following = _RANGE_NEXT.match(text, end)
        if following and not scale and not percent and not match.group("ordinal"):
            next_value = float(following.group("next").replace(",", "")) * _scale(following.group("scale"))
            if following.group("scale") and value * _scale(following.group("scale")) <= next_value:
                value *= _scale(following.group("scale"))
            percent = bool(following.group("percent"))
        if percent:
            kind = "percent"
        elif match.group("ordinal"):
            kind = "ordinal"
        elif len(digits) == 4 and not scale and 1000 <= value <= 2200:
            kind = "year"
        else:
            kind = "number"
        add(NumberMention(value, kind, start, end, text[start:end]))

    for match in _ORDINAL_WORD.finditer(text):
        if free(*match.span()):
            value = _ORDINALS[match.group("ordinal").lower()]
            value += _TENS[match.group("tens").lower()] if match.group("tens") else 0
            add(NumberMention(float(value), "ordinal", match.start(), match.end(), match.group()))

    for match in _FOLD.finditer(text):
        count = match.group("count").lower()
        value = float(_UNITS.get(count) or _TENS.get(count) or _SCALES[count])
        add(NumberMention(value, "number", match.start(), match.end(), match.group()))

    for match in _QUARTERS.finditer(text):
        if free(*match.span()):
            value = (0.75 if match.group("three") else 0.25) * _SCALES[match.group("scale").lower()]
            add(NumberMention(value, "number", match.start(), match.end(), match.group()))

    for match in _HALVES.finditer(text):
        if free(*match.span()):
            whole = _UNITS.get((match.group("whole") or "").lower(), 0) + 0.5
            value = whole * _scale(match.group("scale")) if match.group("scale") else whole
            add(NumberMention(float(value), "number", match.start(), match.end(), match.group()))

    for match in _SOFT_NUMBER.finditer(text):
        if free(*match.span()):
            word = (match.group("group") or match.group("times") or "both").lower()
            value = float(_SOFT_NUMBERS[word])
            add(NumberMention(value, "approximate", match.start(), match.end(), match.group()))

    for match in _ORDERS_OF_MAGNITUDE.finditer(text):
        if free(*match.span()):
            value = _ORDER[match.group("order").lower()] * _SCALES[match.group("scale").lower()]
            add(NumberMention(float(value), "number", match.start(), match.end(), match.group()))

    for match in _COUNTED_NOUN.finditer(text):
        if free(*match.span()):
            value = _COUNTED_NOUNS[match.group("noun").lower()]
            add(NumberMention(float(value), "number", match.start(), match.end(), match.group()))

    for match in _WORDS.finditer(text):
        words = re.split(r"\s+and\s+|\s+|-(?=[a-z])", match.group("words").lower())
        words = [w for w in words if w]
        start = match.start("words")
        if match.group("a") and words[0] in _SCALES:
            start = match.start()  # "a hundred million"
        end = match.end()
        if not free(start, end):
            continue
        if words == ["one"] and (
            _NOT_ONE_BEFORE.search(text[:start])
            or _NOT_ONE_AFTER.match(text, end)
            or text[end : end + 1] == "-"
        ):
            continue  # "one of", "no one", "one-sided"
        bare_count = words in (["hundred"], ["thousand"])
        if all(w in _SCALES for w in words) and not match.group("a") and not bare_count:
            continue  # "million" without a count; but "Thousand Talents Plan" renders 千人计划
        value = _words_value(words)
        ranged_percent = _WORDS_RANGE_PERCENT.match(text, end)
        kind = "percent" if match.group("percent") or ranged_percent else "number"
        add(NumberMention(float(value), kind, start, end, text[start:end]))

    with_units = sorted((_with_unit(mention, text) for mention in mentions), key=lambda m: m.start)
    return _feet_and_inches(with_units, text)


# "five feet four inches", "6 ft 2 in", "5'4\"" is one height: the inches belong to the feet (a Chinese
# 一米六零 is 1.60 m, one number; read apart, the 4 inches would be a number the translation adds).
_INCHES_AFTER_FEET = re.compile(r"(?:\s*,?\s*(?:and\s+)?)$")
_INCH_UNIT = re.compile(r"(?:\s+|-)?(?:inch(?:es)?|in)\b", re.IGNORECASE)


def _feet_and_inches(mentions: list[NumberMention], text: str) -> list[NumberMention]:
    out: list[NumberMention] = []
    for mention in mentions:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.unit == "ft"
            and mention.kind == "number"
            and mention.value < 12
            and _INCH_UNIT.match(text, mention.end)
            and _INCHES_AFTER_FEET.match(_unit_tail(text, previous.end, mention.start))
        ):
            inches = _INCH_UNIT.match(text, mention.end)
            assert inches is not None
            out[-1] = replace(previous, value=previous.value + mention.value / 12, end=inches.end(),
                              text=text[previous.start : inches.end()])
            continue
        out.append(mention)
    return out


def _unit_tail(text: str, end: int, start: int) -> str:
    """What lies between a number's end and the next number, without the first number's unit word."""
    unit = _UNIT_AFTER.match(text, end)
    return text[unit.end() if unit else end : start]


# Units of length and weight after a number ("130 pounds", "a six-meter antenna"), by their symbol in
# ``UNIT_SCALES``. Not "m" or "in" alone: "$5m" is five million, "5 in the morning" no length.
_UNIT_AFTER = re.compile(
    r"(?:\s+|-)?(?P<unit>pounds?|lbs?|kilograms?|kilos?|kg|feet|foot|ft|inch(?:es)?|met(?:er|re)s?|"
    r"centimet(?:er|re)s?|cm|millimet(?:er|re)s?|mm|kilomet(?:er|re)s?|km|miles?)\b",
    re.IGNORECASE,
)
_UNIT_SYMBOLS = {
    "pound": "lb", "lb": "lb", "kilogram": "kg", "kilo": "kg", "kg": "kg", "feet": "ft", "foot": "ft",
    "ft": "ft", "inch": "in", "inches": "in", "meter": "m", "metre": "m", "centimeter": "cm",
    "centimetre": "cm", "cm": "cm", "millimeter": "mm", "millimetre": "mm", "mm": "mm", "kilometer": "km",
    "kilometre": "km", "km": "km", "mile": "mi",
}


def _with_unit(mention: NumberMention, text: str) -> NumberMention:
    unit = _UNIT_AFTER.match(text, mention.end)
    if unit is None or mention.kind != "number":
        return mention
    word = unit.group("unit").lower()
    symbol = _UNIT_SYMBOLS.get(word) or _UNIT_SYMBOLS.get(word.removesuffix("s"), "")
    return replace(mention, unit=symbol)


def is_measurement(number: str, letters: str) -> bool:
    """Are letters glued to a number its unit: a known unit (100MW), or any short one after a decimal
    fraction (2.726K, 1.5T), which names and model numbers (5G, 4K, A320) do not carry?"""
    return letters in LATIN_UNITS or ("." in number and len(letters) <= 2)


def glued_to_a_word(before: str) -> bool:
    """Do the digits that follow ``before`` belong to a word or name (A320, iPhone14), not a currency?"""
    return bool(_LATIN_BEFORE.search(before)) and not _CURRENCY_BEFORE.search(before)


def iso_dates(text: str) -> list[NumberMention]:
    """Year, month and day of numeric dates (2023-02-11), shared by the extractors of other languages."""
    mentions = []
    for match in _ISO_DATE.finditer(text):
        month, day = int(match.group("month")), int(match.group("day"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        for kind in ("year", "month", "day"):
            start, end = match.span(kind)
            mentions.append(NumberMention(float(match.group(kind)), kind, start, end, text[start:end]))
    return mentions


def clock_times(text: str) -> list[NumberMention]:
    """Hours, and minutes and seconds unless zero, of clock times (8:00, 19: 54, 13:07:20): "8:00" renders
    8时 and "4:30" 四点半, so a zero minute must not count as a number of its own."""
    mentions = []
    for match in _CLOCK.finditer(text):
        for group in ("hour", "minute", "second"):
            if match.group(group) is None or (group != "hour" and int(match.group(group)) == 0):
                continue
            start, end = match.span(group)
            mentions.append(NumberMention(float(match.group(group)), "number", start, end, text[start:end]))
    return mentions


def clock_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _CLOCK.finditer(text)]


def _scale(word: str | None) -> float:
    word = (word or "").lower()
    return _SCALES.get(word, _SHORT_SCALES.get(word, 1))


def _may_is_month(text: str, match: re.Match[str]) -> bool:
    if match.group("day"):
        return True
    after = text[match.end() : match.end() + 8]
    return bool(re.match(r",?\s+\d{4}\b", after) or _MAY_BEFORE.search(text[: match.start("month")]))


def _words_value(words: list[str]) -> int:
    total, current = 0, 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif "-" in word:  # twenty-one
            tens, unit = word.split("-")
            current += _TENS[tens] + _UNITS[unit]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return total + current
