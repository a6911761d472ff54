"""Glossary terms in text: the one matching engine, used by the terminology check and the neural check.

Matching follows the language, never its code: in scripts written without spaces (Chinese, Japanese) a term
is a substring; in spaced scripts it matches on word boundaries, case-insensitively, with the last word
inflected by the language's own rules (``Language.inflections``: plural, -ed, -ing in English), hyphen or
space between words, and straight or curly quotes. Terms are found **longest match first**, without
overlaps, so that 中国节能环保集团有限公司 does not also count as 中国节能 or 节能环保.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mtqa.data import Glossary, GlossaryEntry
from mtqa.languages import Language

_APOSTROPHES = "'’‘ʼ`´"
_DOUBLE_QUOTES = '"“”„«»'
_HYPHENS = "-‐‑‒–"
_APOSTROPHE_CLASS = "['’‘ʼ`´]"
_DOUBLE_QUOTE_CLASS = '["“”„«»]'
# Between two words of a term: a space, a hyphen (with or without spaces) or nothing ("dual-carbon",
# "dual carbon", "dualcarbon").
_WORD_GAP = r"(?:\s*[-‐‑‒–]\s*|\s+)?"
_TOKEN_SPLIT = re.compile(r"[\s\-‐‑‒–]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{3,}")
_LATIN_ALNUM = r"[A-Za-z0-9\u00c0-\u024f]"
_HYPHEN_CLASS = "[-‐‑‒–]"


@dataclass(frozen=True)
class TermMatch:
    """An occurrence of ``terms[key]`` at ``start:end`` of the searched text."""

    key: int
    start: int
    end: int


Inflections = Callable[[str], set[str]]


@lru_cache(maxsize=8192)
def term_pattern(
    term: str, word_separated: bool, inflections: Inflections | None = None
) -> re.Pattern[str] | None:
    """The compiled pattern for one glossary term (cached: glossaries are reused for every string).
    ``inflections`` (the language's, ``Language.inflections``) gives the forms of the term's last word."""
    term = term.strip()
    if not term:
        return None
    if not word_separated:
        # Substring matching, except that a Latin word or number inside the text ("CEC" in "CECEP公司")
        # still needs its own boundaries.
        body = "".join(_char_pattern(ch, optional_punct=False) for ch in term)
        lead = rf"(?<!{_LATIN_ALNUM})" if re.fullmatch(_LATIN_ALNUM, term[0]) else ""
        trail = rf"(?!{_LATIN_ALNUM})" if re.fullmatch(_LATIN_ALNUM, term[-1]) else ""
        return re.compile(lead + body + trail, re.IGNORECASE)
    tokens = [t for t in _TOKEN_SPLIT.split(term) if t]
    if not tokens:
        return None
    parts = [_token_pattern(t) for t in tokens[:-1]]
    parts.append(_last_token_pattern(tokens[-1], inflections))
    body = _WORD_GAP.join(parts)
    lead = r"(?<!\w)" if _is_word_char(term[0]) else ""
    trail = r"(?!\w)" if _is_word_char(term.rstrip(".,")[-1:] or term[-1]) else ""
    return re.compile(lead + body + trail, re.IGNORECASE)


def _is_word_char(ch: str) -> bool:
    return bool(ch) and (ch.isalnum() or ch == "_")


def _char_pattern(ch: str, optional_punct: bool) -> str:
    if ch in _APOSTROPHES:
        return _APOSTROPHE_CLASS
    if ch in _DOUBLE_QUOTES:
        return _DOUBLE_QUOTE_CLASS
    if ch in _HYPHENS:
        return _HYPHEN_CLASS
    if ch.isspace():
        return r"\s+"
    if optional_punct and ch in ".,":
        # "Co., Ltd." is also written "Co. Ltd" or "Co Ltd"; the term stays recognisable without them.
        return re.escape(ch) + "?"
    return re.escape(ch)


def _token_pattern(token: str) -> str:
    return "".join(_char_pattern(ch, optional_punct=True) for ch in token)


def _last_token_pattern(token: str, inflections: Inflections | None) -> str:
    # Only a plain word of three letters or more is inflected: short words and codes ("5G", "Co.,") are
    # too easily turned into other words.
    if inflections is None or not _LATIN_WORD.fullmatch(token):
        return _token_pattern(token)
    forms = sorted(inflections(token.lower()), key=lambda f: (-len(f), f))
    # A possessive needs no pattern: the apostrophe ends the word ("Campaign’s"), and the span stays on the
    # term itself so that the suggestion can replace it.
    return "(?:" + "|".join(re.escape(f) for f in forms) + ")"


_CANONICAL = str.maketrans(
    {**{c: "'" for c in _APOSTROPHES}, **{c: '"' for c in _DOUBLE_QUOTES}, **{c: "-" for c in _HYPHENS}}
)


def _canonical(text: str) -> str:
    """Lower case, one apostrophe, one double quote, one hyphen: the form the prefilter compares."""
    return text.lower().translate(_CANONICAL)


@lru_cache(maxsize=65536)
def _required_pieces(term: str, word_separated: bool) -> tuple[str, ...]:
    """Pieces of text every occurrence of ``term`` contains (in ``_canonical`` form), longest first.

    Checking them with ``in`` skips the regex (and its compilation) for nearly all terms of a large
    glossary. They are the letter/digit runs of the term's words; the last word loses up to three letters,
    since inflection ("strategy" → "strategies") only changes its end.
    """
    canonical = _canonical(term.strip())
    tokens = _TOKEN_SPLIT.split(canonical) if word_separated else canonical.split()
    pieces = []
    for position, token in enumerate(tokens):
        if word_separated and position == len(tokens) - 1 and _LATIN_WORD.fullmatch(token):
            pieces.append(token[: max(1, len(token) - 3)])
        elif word_separated:
            pieces.extend(re.findall(r"[^\W_]+", token))
        else:
            pieces.append(token)
    return tuple(sorted(set(pieces), key=len, reverse=True))


class TermSearcher:
    """Finds a fixed list of terms in texts, longest match first and without overlaps.

    Terms are bucketed by two characters of a piece they must contain, so a text only looks at the terms
    whose bucket occurs in it: searching stays proportional to the text, not to the glossary.
    """

    def __init__(
        self, terms: Sequence[str], word_separated: bool, inflections: Inflections | None = None
    ) -> None:
        self.terms = list(terms)
        self.word_separated = word_separated
        self.inflections = inflections
        self._buckets: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []  # terms without a two-character piece to bucket on
        for key, term in enumerate(self.terms):
            pieces = _required_pieces(term, word_separated)
            if pieces and len(pieces[0]) >= 2:
                self._buckets[pieces[0][:2]].append(key)
            else:
                self._always.append(key)

    def find(self, text: str) -> list[TermMatch]:
        """Occurrences in ``text``, in text order: all candidates are collected, then kept from the longest
        down; a candidate overlapping a kept one is dropped, equal lengths go to the earlier one."""
        canonical = _canonical(text)
        keys = set(self._always)
        for start in range(len(canonical) - 1):
            bucket = self._buckets.get(canonical[start : start + 2])
            if bucket:
                keys.update(bucket)
        candidates: list[TermMatch] = []
        for key in sorted(keys):
            term = self.terms[key]
            if not all(piece in canonical for piece in _required_pieces(term, self.word_separated)):
                continue
            pattern = term_pattern(term, self.word_separated, self.inflections)
            if pattern is None:
                continue
            candidates.extend(
                TermMatch(key, m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()
            )
        candidates.sort(key=lambda m: (m.start - m.end, m.start, m.key))
        kept: list[TermMatch] = []
        for candidate in candidates:
            if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
                kept.append(candidate)
        return sorted(kept, key=lambda m: m.start)


def find_terms(
    text: str, terms: Sequence[str], word_separated: bool, inflections: Inflections | None = None
) -> list[TermMatch]:
    """Occurrences of ``terms`` in ``text``, longest first and without overlaps, in text order."""
    return TermSearcher(terms, word_separated, inflections).find(text)


def find_in(text: str, terms: Sequence[str], language: Language) -> list[TermMatch]:
    """``find_terms`` the way ``language`` is written (word boundaries and inflections, or substrings)."""
    return find_terms(text, terms, language.word_separated, language.inflections)


# --- the glossary seen from both sides ----------------------------------------------------------------


@dataclass(frozen=True)
class Rendering:
    entry: int  # index into the glossary entries
    kind: str  # "preferred", "alternative" or "forbidden"
    form: str  # the rendering as the glossary writes it


class TermIndex:
    """Source terms and target renderings of a glossary, deduplicated for searching."""

    def __init__(self, glossary: Glossary) -> None:
        self.entries: list[GlossaryEntry] = list(glossary.entries)
        self.source_terms: list[str] = []
        self.source_entries: list[list[int]] = []
        self.target_forms: list[str] = []
        self.target_renderings: list[list[Rendering]] = []
        self._searchers: dict[tuple[str, Language], TermSearcher] = {}
        source_keys: dict[str, int] = {}
        target_keys: dict[str, int] = {}
        for index, entry in enumerate(self.entries):
            key = _norm(entry.source)
            if not key:
                continue
            if key not in source_keys:
                source_keys[key] = len(self.source_terms)
                self.source_terms.append(entry.source)
                self.source_entries.append([])
            self.source_entries[source_keys[key]].append(index)
            forms = [(entry.target, "preferred")]
            forms += [(a, "alternative") for a in entry.alternatives]
            forms += [(f, "forbidden") for f in entry.forbidden]
            for form, kind in forms:
                key = _norm(form)
                if not key:
                    continue
                if key not in target_keys:
                    target_keys[key] = len(self.target_forms)
                    self.target_forms.append(form)
                    self.target_renderings.append([])
                self.target_renderings[target_keys[key]].append(Rendering(index, kind, form))

    def _searcher(self, side: str, language: Language) -> TermSearcher:
        key = (side, language)
        if key not in self._searchers:
            terms = self.source_terms if side == "source" else self.target_forms
            self._searchers[key] = TermSearcher(terms, language.word_separated, language.inflections)
        return self._searchers[key]

    def source_occurrences(self, text: str, language: Language) -> dict[int, list[TermMatch]]:
        """Entry index → its occurrences in ``text`` (longest match first across all source terms)."""
        found: dict[int, list[TermMatch]] = defaultdict(list)
        for match in self._searcher("source", language).find(text):
            for entry in self.source_entries[match.key]:
                found[entry].append(match)
        return found

    def target_occurrences(self, text: str, language: Language) -> list[tuple[TermMatch, list[Rendering]]]:
        """Every known rendering in ``text`` (longest first across all entries), with what it renders."""
        matches = self._searcher("target", language).find(text)
        return [(m, self.target_renderings[m.key]) for m in matches]

    def used_as_prescribed(
        self, source_text: str, target_text: str, source_language: Language, target_language: Language
    ) -> tuple[list[TermMatch], list[TermMatch]]:
        """Occurrences of the entries whose source term is in ``source_text`` and whose preferred or
        accepted rendering is in ``target_text``: (source matches, target matches)."""
        source_found = self.source_occurrences(source_text, source_language)
        source_hits: list[TermMatch] = []
        target_hits: list[TermMatch] = []
        targets = self.target_occurrences(target_text, target_language)
        for entry, matches in source_found.items():
            rendered = [m for m, renderings in targets
                        if any(r.entry == entry and r.kind != "forbidden" for r in renderings)]
            if rendered:
                source_hits.extend(matches)
                target_hits.extend(rendered)
        return source_hits, target_hits


class _EntriesKey:
    """Cache key for a glossary's entries: hashed by identity (cheap for 10,000 entries), equal by value."""

    __slots__ = ("_hash", "entries")

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries = tuple(entries)  # held by the cache, so the ids hashed below stay unique
        self._hash = hash(tuple(map(id, self.entries)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _EntriesKey) and self.entries == other.entries


def term_index(glossary: Glossary) -> TermIndex:
    """The glossary's index, built once per glossary: a localisation run checks thousands of short strings
    against one glossary."""
    return _cached_term_index(_EntriesKey(glossary.entries))


@lru_cache(maxsize=4)
def _cached_term_index(key: _EntriesKey) -> TermIndex:
    return TermIndex(Glossary(list(key.entries)))


def _norm(term: str) -> str:
    return " ".join(term.split()).casefold()
