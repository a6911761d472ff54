"""Languages are registered, not branched on: each one says how to split its sentences, count its words,
recognise its script and read its numbers. Adding a language is adding a module that calls ``register``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mtqa.errors import MtqaError


@dataclass(frozen=True)
class NumberMention:
    """A number, date part or quantity found in a text, normalised so that both languages compare.

    ``value`` is the numeric value (3.5万 → 35000.0); ``kind`` is one of ``number``, ``percent``,
    ``year``, ``month``, ``day``, ``ordinal``; ``start``/``end`` are offsets into the text searched.
    """

    value: float
    kind: str
    start: int
    end: int
    text: str


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


_LANGUAGES: dict[str, Language] = {}


def register(language: Language) -> Language:
    _LANGUAGES[language.code] = language
    return language


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
    """The registered language whose script covers most of the text's letters, or None."""
    _load_builtin()
    counts = {code: len(lang.script.findall(text)) for code, lang in _LANGUAGES.items()}
    if not counts:
        return None
    code, best = max(counts.items(), key=lambda item: item[1])
    letters = sum(1 for ch in text if ch.isalpha())
    if best == 0 or best < 0.3 * max(letters, 1):
        return None
    return code


def _load_builtin() -> None:
    # Imported lazily so that importing mtqa stays cheap; each module registers itself.
    from mtqa.languages import en, zh  # noqa: F401
