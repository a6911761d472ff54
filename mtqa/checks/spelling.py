"""Spelling of an English translation, with a real dictionary (Debian's Hunspell with its US and British
dictionaries, or pyspellchecker's bundled English word list; the measured choice is in docs/checks.md).

What is never reported, since a dictionary cannot know it: capitalised words (names, and sentence starts,
the price of not guessing which is which), acronyms, words with digits, words written in the source too
(Latin names and brands in a Chinese source), the words of the glossary's terms, identifiers (URLs,
e-mail addresses, handles, codes) and the words of the user's list (``[settings.spelling] words``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from mtqa.checks import CheckContext, Setting, register_check
from mtqa.data import Finding, Severity
from mtqa.errors import ConfigError, MtqaError

NAME = "spelling"
CATEGORY = "fluency/spelling"
BACKENDS = ("auto", "hunspell", "pyspellchecker")
# auto: Hunspell where Debian's dictionaries are installed (measured: 18 hits on 118,561 words of WMT23 MT
# output against pyspellchecker's 188, the same few true ones among them), else pyspellchecker.
DEFAULT_BACKEND = "auto"
# Debian's hunspell-en-us and hunspell-en-gb: a word either knows is English ("centre", "analysed").
HUNSPELL_DICTIONARIES = (Path("/usr/share/hunspell/en_US"), Path("/usr/share/hunspell/en_GB"))
# Hyphenated compounds ("pre-sale", "year-olds") are productive: their parts are not checked alone.
_WORD = re.compile(r"(?<![\w'’-])[A-Za-z]+(?:['’][A-Za-z]+)*(?![\w'’-])")
_CAPITALISED = re.compile(r"[A-Z]")
MIN_LENGTH = 3


class _PySpell:
    def __init__(self) -> None:
        from spellchecker import SpellChecker

        # distance 1: suggestions in microseconds; a two-edit typo still gets reported, without one.
        self.checker = SpellChecker(language="en", distance=1)

    def unknown(self, words: set[str]) -> set[str]:
        return {word for word in words if self.checker.unknown([word])}

    def suggest(self, words: set[str]) -> dict[str, str]:
        out = {}
        for word in words:
            correction = self.checker.correction(word)
            if correction and correction != word.lower():
                out[word] = correction
        return out


class _Hunspell:
    """Debian's Hunspell binary with its US and British dictionaries, one process per call for all the
    words of a run. (spylls, the pure-Python Hunspell, was rejected: its wheel installs a top-level
    ``tests`` package into site-packages, which shadows other projects' test packages.)"""

    def __init__(self) -> None:
        if not hunspell_installed():
            raise ConfigError(f"settings.{NAME}.backend: hunspell needs Debian's hunspell, hunspell-en-us "
                              "and hunspell-en-gb (apt-get install hunspell hunspell-en-us hunspell-en-gb)")
        self.dictionaries = ",".join(path.name for path in HUNSPELL_DICTIONARIES
                                     if path.with_suffix(".dic").exists())

    def _run(self, flag: str, words: set[str]) -> str:
        import subprocess

        try:
            done = subprocess.run(["hunspell", "-i", "utf-8", "-d", self.dictionaries, flag],
                                  input="\n".join(sorted(words)) + "\n", capture_output=True, text=True,
                                  timeout=120, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            raise MtqaError(f"spelling: hunspell failed ({exc})") from None
        return done.stdout

    def unknown(self, words: set[str]) -> set[str]:
        return set(self._run("-l", words).split()) if words else set()

    def suggest(self, words: set[str]) -> dict[str, str]:
        out = {}
        for line in self._run("-a", words).splitlines() if words else ():
            if line.startswith("& "):  # "& word count offset: first, second"
                head, _, suggestions = line.partition(": ")
                out[head.split()[1]] = suggestions.split(", ")[0]
        return out


def hunspell_installed() -> bool:
    import shutil

    return shutil.which("hunspell") is not None and any(
        path.with_suffix(".dic").exists() for path in HUNSPELL_DICTIONARIES)


@lru_cache(maxsize=2)
def speller(backend: str):
    """One loaded dictionary per backend for the process (loading costs a second or two)."""
    if backend == "hunspell" or (backend == "auto" and hunspell_installed()):
        return _Hunspell()
    return _PySpell()


def validate(settings: dict) -> None:
    backend = settings.get("backend", DEFAULT_BACKEND)
    if backend not in BACKENDS:
        raise ConfigError(f"settings.{NAME}.backend: expected one of {', '.join(BACKENDS)}, got {backend!r}")
    words = settings.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ConfigError(f"settings.{NAME}.words: expected a list of words")


def candidates(text: str, skip: set[str]) -> Iterator[re.Match[str]]:
    """Words a dictionary can judge: lower-case, at least ``MIN_LENGTH`` letters, not in ``skip``."""
    from mtqa.checks.identifiers import find_identifiers

    masked = [(t.start, t.end) for t in find_identifiers(text)]
    for match in _WORD.finditer(text):
        word = match.group(0)
        if len(word) < MIN_LENGTH or not word[0].islower() or word.lower() in skip:
            continue
        if any(a <= match.start() < b for a, b in masked):
            continue
        if len(word) <= 4 and text[match.end():match.end() + 1] == ".":
            continue  # an abbreviation: "etc.", "approx." reads as a word cut short
        if len(word) <= 3 and _next_to_capitalised(text, match.start(), match.end()):
            continue  # a particle of a name: "von der Leyen", "bin Salman"
        yield match


def _next_to_capitalised(text: str, start: int, end: int) -> bool:
    before = text[:start].split()
    after = text[end:].split()
    return bool((before and _CAPITALISED.match(before[-1])) or (after and _CAPITALISED.match(after[0])))


@register_check(
    NAME,
    description="Misspelt words in an English translation (names, acronyms, glossary terms and the user's "
    "word list excepted).",
    categories=(CATEGORY,),
    severity=Severity.MINOR.value,
    # Off by default: on MT output most words a dictionary lacks are real (neologisms, terms); see
    # docs/checks.md for the measured precision. Human translations with typos are what it is for.
    default_enabled=False,
    settings=(
        Setting("backend", DEFAULT_BACKEND, "auto, hunspell (Debian's hunspell with hunspell-en-us and "
                                            "-en-gb) or pyspellchecker (its bundled word list)"),
        Setting("words", [], "words to accept (product names, jargon), any case"),
    ),
    validate=validate,
)
def check_spelling(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.target_language.code != "en":
        return
    settings = ctx.settings.get(NAME, {})
    validate(settings)
    checker = speller(settings.get("backend", DEFAULT_BACKEND))
    skip = {w.lower() for w in settings.get("words", [])}
    if ctx.glossary is not None:
        for entry in ctx.glossary.entries:
            for term in (entry.target, *entry.alternatives):
                skip.update(w.lower() for w in re.findall(r"[A-Za-z]+", term))
    found = []
    for pair in ctx.aligned_pairs():
        source_words = {w.lower() for w in re.findall(r"[A-Za-z]+", pair.source_text(ctx.source))}
        for segment_id in pair.target_segments:
            segment = ctx.target.segments[segment_id]
            for match in candidates(segment.text, skip | source_words):
                word = match.group(0).replace("’", "'")
                stem = word[:-2] if word.endswith("'s") else word
                found.append((pair.id, segment.start + match.start(), match.group(0), stem))
    unknown = checker.unknown({stem for *_, stem in found})
    suggestions = checker.suggest(unknown)
    for pair_id, start, text, stem in found:
        if stem in unknown:
            yield Finding(NAME, CATEGORY, Severity.MINOR, f"“{text}” is not in the dictionary",
                          suggestions.get(stem), pair_id,
                          target_span=ctx.target_span(start, start + len(text)))
