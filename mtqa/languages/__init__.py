"""Languages are registered, not branched on: each one says how to split its sentences, count its words,
recognise its script and read its numbers, and holds every table the checks need about it (punctuation,
function words, page-furniture patterns, inflection, the BLEU tokenizer). Adding a language is adding a
module that calls ``register_language`` (and, for a built-in one, listing it in ``BUILTIN_LANGUAGES``);
no check, aligner or scorer names a language.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mtqa.errors import MtqaError


@dataclass(frozen=True)
class NumberMention:
    """A number, date part or quantity found in a text, normalised so that both languages compare.

    ``value`` is the numeric value (3.5万 → 35000.0); ``kind`` is one of ``number``, ``percent``,
    ``year``, ``month``, ``day``, ``ordinal``; ``start``/``end`` are offsets into the text searched.
    ``unit`` is the unit of length or weight written after it, by its symbol in ``UNIT_SCALES`` (六十公斤 →
    "kg", "130 pounds" → "lb"), so that a translation converting units can be recognised.
    """

    value: float
    kind: str
    start: int
    end: int
    text: str
    unit: str = ""


# Units a translator may convert between (literary and news translations turn 公斤 into pounds, 英尺 into
# metres): symbol → (dimension, size in the dimension's SI unit).
UNIT_SCALES: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1.0), "jin": ("mass", 0.5), "lb": ("mass", 0.45359237),
    "m": ("length", 1.0), "cm": ("length", 0.01), "mm": ("length", 0.001), "km": ("length", 1000.0),
    "li": ("length", 500.0), "ft": ("length", 0.3048), "in": ("length", 0.0254), "mi": ("length", 1609.344),
}


@dataclass(frozen=True, eq=False)
class Punctuation:
    """How a language punctuates, for the punctuation check."""

    # Punctuation that does not belong in this language's text, with the usual replacement.
    foreign: Mapping[str, str]
    sentence_end: str
    # Closing quotes and brackets that may follow the final stop ("… new era.”").
    closers: str
    brackets: tuple[tuple[str, str], ...]
    # Marks that take no space before them (None: the language does, e.g. French « ; : ! ? »).
    no_space_before: str | None


FULL_WIDTH_IN_LATIN: Mapping[str, str] = {
    "，": ",", "。": ".", "、": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")",
    "【": "[", "】": "]", "《": "“", "》": "”", "「": "“", "」": "”", "『": "‘", "』": "’", "〔": "(",
    "〕": ")", "～": "~", "\u3000": " ",
}
# Western conventions: the default for a language that does not give its own. Curly quotes “ ” are English
# typography too, so they are never "foreign"; ’ doubles as the apostrophe, so single quotes are not
# balanced.
WESTERN_PUNCTUATION = Punctuation(
    foreign=FULL_WIDTH_IN_LATIN,
    sentence_end=".!?…",
    closers="\"'”’)]»",
    brackets=(("(", ")"), ("[", "]"), ("“", "”")),
    no_space_before=",.;:!?",
)

# Page furniture: (kind, compiled pattern) matched against one stripped segment (``mtqa.align.furniture``).
FurniturePatterns = tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    # Characters that belong to this language's script and betray untranslated text in another language.
    script: re.Pattern[str]
    # Splits a paragraph into sentences: returns (start, end) offsets into the given text.
    split_sentences: Callable[[str], list[tuple[int, int]]]
    count_words: Callable[[str], int]
    extract_numbers: Callable[[str], list[NumberMention]] = field(default=lambda text: [])
    # Characters per word of typical text, for length-based alignment (zh ≈ 1.6 characters ≈ 1 English word).
    chars_per_unit: float = 1.0
    # Prompt label used by the neural scorer ("Chinese", "English").
    prompt_name: str = ""
    # Words are separated by spaces (English, German) rather than run together (Chinese, Japanese, Thai):
    # glossary terms then match on word boundaries, with inflection and hyphen/space tolerance; otherwise
    # as plain substrings.
    word_separated: bool = True
    punctuation: Punctuation = WESTERN_PUNCTUATION
    # Words that carry no content of their own (articles, particles, prepositions): a neural span made only
    # of them is not reported, and spans lose them at their edges. None: every span is kept. Lower case;
    # single characters for languages written without spaces.
    function_words: frozenset[str] | None = None
    # Page-furniture patterns (breadcrumbs, "See also", cookie banners) of text in this language.
    furniture: FurniturePatterns = ()
    # Regular inflections of a word, both ways ("strategy" → "strategies", and back), for matching a
    # glossary term's last word in running text; None: terms match as written.
    inflections: Callable[[str], set[str]] | None = None
    # sacrebleu's BLEU tokenizer for text in this language (as ``sacrebleu -l`` picks it), and whether TER
    # needs its Asian-language support.
    bleu_tokenizer: str = "13a"
    ter_asian_support: bool = False
    # Characters of other writing systems that share this language's script: text holding a fair share of
    # them is not this language (kana in Han text is Japanese, not Chinese).
    excluded_script: re.Pattern[str] | None = None
    # Word boundaries, as (start, end) offsets, of text in a language written without spaces (a segmenter's
    # words): model spans widen to them, so a finding never cuts a word. None: words are runs of letters
    # and digits (with inner apostrophes and hyphens), found without a segmenter.
    word_spans: Callable[[str], list[tuple[int, int]]] | None = None
    # The repeated-words check. Words written twice in a row on purpose ("had had", "that that"), lower case;
    # and, for a language without spaces, the characters that never reduplicate (function particles), the
    # only doubled characters it reports, since content words reduplicate freely (看看, 常常, 谢谢).
    doubled_word_exceptions: frozenset[str] = frozenset()
    non_reduplicating: frozenset[str] = frozenset()
    # The numbers check. Words and phrases that say "two" without the number (both, pair, twin, "one … the
    # other"), lower case, as a regex: a 2 written in words in the source (两个嘴角) that the translation
    # renders this way ("up at one end and down at the other") is not missing.
    dual_words: re.Pattern[str] | None = None


# The modules of the built-in languages, imported on first use (each registers itself when imported):
# the one place that names them.
BUILTIN_LANGUAGES = ("mtqa.languages.en", "mtqa.languages.zh")
_LANGUAGES: dict[str, Language] = {}
# Share of a text's letters in a language's ``excluded_script`` above which the text is not that language
# (Japanese prose is about a third kana or more; Chinese text holds kana only in a rare brand name).
_EXCLUDED_SHARE = 0.05


def register_language(language: Language) -> Language:
    """Make ``language`` available to ``get_language`` by its code (replacing one of the same code)."""
    _LANGUAGES[language.code] = language
    return language


def unregister_language(code: str) -> None:
    """Remove a registered language (tests that register a language of their own clean up with this)."""
    _LANGUAGES.pop(code, None)


def get_language(code: str) -> Language:
    _load_builtin()
    base = code.lower().replace("_", "-").split("-")[0]
    if base not in _LANGUAGES:
        known = ", ".join(available_languages())
        raise MtqaError(f"unsupported language {code!r} (supported: {known})")
    return _LANGUAGES[base]


def available_languages() -> list[str]:
    _load_builtin()
    return sorted(_LANGUAGES)


def detect_language(text: str) -> str | None:
    """The registered language whose script covers most of the text's letters, or None.

    A language whose ``excluded_script`` holds a fair share of the letters is not a candidate: Japanese
    is written with Han characters too, and its kana tell it from Chinese.
    """
    _load_builtin()
    letters = max(sum(1 for ch in text if ch.isalpha()), 1)
    counts = {
        code: len(lang.script.findall(text))
        for code, lang in _LANGUAGES.items()
        if not lang.excluded_script or len(lang.excluded_script.findall(text)) <= _EXCLUDED_SHARE * letters
    }
    if not counts:
        return None
    code, best = max(counts.items(), key=lambda item: item[1])
    if best == 0 or best < 0.3 * letters:
        return None
    return code


def _load_builtin() -> None:
    # Imported lazily so that importing mtqa stays cheap; each module registers itself.
    for module in BUILTIN_LANGUAGES:
        importlib.import_module(module)
