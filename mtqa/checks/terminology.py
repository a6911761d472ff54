"""Terminology: glossary terms in the source must reach the aligned target as the glossary prefers.

Per aligned pair:
- source terms are found **longest match first**, without overlaps, so that 中国节能环保集团有限公司 does not
  also count as 中国节能 or 节能环保;
- in the target, every rendering the glossary knows (preferred, accepted alternatives and forbidden variants
  of *all* entries) is searched the same way, longest first: a forbidden variant that is only part of a
  longer glossary rendering ("China Energy Conservation" inside the full company name) is covered by the
  longer match and never reported;
- a forbidden variant of a term found in the pair's source is a **major** finding with the preferred
  rendering as suggestion; a source term with none of its renderings (preferred, alternative or forbidden)
  in the target is a **minor** finding.

Sentence alignment is not perfect, so a term without any rendering in its own bead may take one from an
adjacent bead (an unaligned target sentence, or a clause the aligner put next door) when no source term of
that bead explains it.

Across the document, a term whose known renderings differ from pair to pair (中国节能 as "CECEP" here and
"China Energy Conservation" there) is reported once as an inconsistency. Only renderings the glossary names
can be recognised; an unknown rendering shows up as a missing term instead.

Matching follows the language, never its code: in scripts written without spaces (Chinese, Japanese) a term
is a substring; in spaced scripts it matches on word boundaries, case-insensitively, with the last word
inflected (plural, possessive, -ed, -ing), hyphen or space between words, and straight or curly quotes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mtqa.checks import CheckContext, register_check
from mtqa.data import Category, Finding, Glossary, GlossaryEntry, Severity, Span

CHECK_NAME = "terminology"

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


# --- matching ------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def term_pattern(term: str, word_separated: bool) -> re.Pattern[str] | None:
    """The compiled pattern for one glossary term (cached: glossaries are reused for every string)."""
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
    parts.append(_last_token_pattern(tokens[-1]))
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


def _last_token_pattern(token: str) -> str:
    # Only a plain word of three letters or more is inflected: short words and codes ("5G", "Co.,") are
    # too easily turned into other words.
    if not _LATIN_WORD.fullmatch(token):
        return _token_pattern(token)
    forms = sorted(_inflections(token.lower()), key=lambda f: (-len(f), f))
    # A possessive needs no pattern: the apostrophe ends the word ("Campaign’s"), and the span stays on the
    # term itself so that the suggestion can replace it.
    return "(?:" + "|".join(re.escape(f) for f in forms) + ")"


def _inflections(word: str) -> set[str]:
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

    def __init__(self, terms: Sequence[str], word_separated: bool) -> None:
        self.terms = list(terms)
        self.word_separated = word_separated
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
            pattern = term_pattern(term, self.word_separated)
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


def find_terms(text: str, terms: Sequence[str], word_separated: bool) -> list[TermMatch]:
    """Occurrences of ``terms`` in ``text``, longest first and without overlaps, in text order."""
    return TermSearcher(terms, word_separated).find(text)


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
        self._searchers: dict[tuple[str, bool], TermSearcher] = {}
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

    def _searcher(self, side: str, word_separated: bool) -> TermSearcher:
        key = (side, word_separated)
        if key not in self._searchers:
            terms = self.source_terms if side == "source" else self.target_forms
            self._searchers[key] = TermSearcher(terms, word_separated)
        return self._searchers[key]

    def source_occurrences(self, text: str, word_separated: bool) -> dict[int, list[TermMatch]]:
        """Entry index → its occurrences in ``text`` (longest match first across all source terms)."""
        found: dict[int, list[TermMatch]] = defaultdict(list)
        for match in self._searcher("source", word_separated).find(text):
            for entry in self.source_entries[match.key]:
                found[entry].append(match)
        return found

    def target_occurrences(self, text: str, word_separated: bool) -> list[tuple[TermMatch, list[Rendering]]]:
        """Every known rendering in ``text`` (longest first across all entries), with what it renders."""
        matches = self._searcher("target", word_separated).find(text)
        return [(m, self.target_renderings[m.key]) for m in matches]


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


def _term_index(glossary: Glossary) -> TermIndex:
    return _cached_term_index(_EntriesKey(glossary.entries))


@lru_cache(maxsize=4)
def _cached_term_index(key: _EntriesKey) -> TermIndex:
    # A localisation run checks thousands of short strings against one glossary: index it once.
    return TermIndex(Glossary(list(key.entries)))


def _norm(term: str) -> str:
    return " ".join(term.split()).casefold()


# --- the check -----------------------------------------------------------------------------------------


@dataclass
class _Seen:
    """Where a term's known renderings were seen across the document, for the consistency finding."""

    forms: dict[str, list[int]]  # rendering (glossary form) → pair ids, in document order
    first_source: Span


@register_check(
    CHECK_NAME,
    description="Glossary terms: forbidden variants (major), missing preferred renderings (minor), "
    "inconsistent renderings of a term across the document (minor).",
    categories=(Category.TERMINOLOGY.value, Category.INCONSISTENCY.value),
)
def check_terminology(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.glossary is None or not ctx.glossary.entries:
        return
    settings = ctx.settings.get(CHECK_NAME, {})
    report_missing = settings.get("missing", True)
    report_inconsistency = settings.get("consistency", True)
    index = _term_index(ctx.glossary)
    beads = _BeadTerms.collect(ctx, index)
    seen: dict[int, _Seen] = {}
    borrowed: set[tuple[int, int, int]] = set()  # (bead position, target offset, entry) already used
    for position, pair in enumerate(ctx.pairs):
        if pair.source_segments and pair.target_segments:
            yield from _check_pair(ctx, index, beads, position, seen, borrowed, report_missing)
    if report_inconsistency:
        yield from _inconsistencies(index, seen)


@dataclass
class _BeadTerms:
    """Glossary terms in the source of one bead and known renderings in its target (document offsets)."""

    source: dict[int, list[Span]]  # entry index → occurrences
    target: list[tuple[Span, Rendering]]

    @classmethod
    def collect(cls, ctx: CheckContext, index: TermIndex) -> list[_BeadTerms]:
        beads = []
        for pair in ctx.pairs:
            source: dict[int, list[Span]] = {}
            target: list[tuple[Span, Rendering]] = []
            if pair.source_segments and pair.source_start is not None:
                text = pair.source_text(ctx.source)
                found = index.source_occurrences(text, ctx.source_language.word_separated)
                base = pair.source_start
                source = {
                    entry: [ctx.source_span(base + m.start, base + m.end) for m in matches]
                    for entry, matches in found.items()
                }
            if pair.target_segments and pair.target_start is not None:
                base = pair.target_start
                for match, renderings in index.target_occurrences(
                    pair.target_text(ctx.target), ctx.target_language.word_separated
                ):
                    span = ctx.target_span(base + match.start, base + match.end)
                    target.extend((span, rendering) for rendering in renderings)
            beads.append(cls(source, target))
        return beads


def _check_pair(
    ctx: CheckContext,
    index: TermIndex,
    beads: list[_BeadTerms],
    position: int,
    seen: dict[int, _Seen],
    borrowed: set[tuple[int, int, int]],
    report_missing: bool,
) -> Iterator[Finding]:
    pair = ctx.pairs[position]
    bead = beads[position]
    for entry_index, source_spans in sorted(bead.source.items(), key=lambda item: item[1][0].start):
        entry = index.entries[entry_index]
        renderings = [(position, span, r) for span, r in bead.target if r.entry == entry_index]
        if not renderings:
            renderings = _borrow(beads, position, entry_index, borrowed)
        record = seen.setdefault(entry_index, _Seen({}, source_spans[0]))
        for order, (holder, target_span, rendering) in enumerate(renderings):
            holder_id = ctx.pairs[holder].id
            pairs_seen = record.forms.setdefault(rendering.form, [])
            if holder_id not in pairs_seen:
                pairs_seen.append(holder_id)
            if rendering.kind != "forbidden":
                continue
            # The n-th rendering in the target most likely translates the n-th occurrence in the source.
            yield Finding(
                check=CHECK_NAME,
                category=Category.TERMINOLOGY.value,
                severity=Severity.MAJOR,
                message=_forbidden_message(entry, target_span.text),
                suggestion=entry.target or None,
                pair=holder_id,
                source_span=source_spans[min(order, len(source_spans) - 1)],
                target_span=target_span,
            )
        if not renderings and entry.target and report_missing:
            count = len(source_spans)
            times = f" ({count} occurrences)" if count > 1 else ""
            yield Finding(
                check=CHECK_NAME,
                category=Category.TERMINOLOGY.value,
                severity=Severity.MINOR,
                message=f"glossary term {entry.source}{times} is not rendered as \u201c{entry.target}\u201d "
                f"in the translation",
                suggestion=entry.target,
                pair=pair.id,
                source_span=source_spans[0],
                target_span=None,
            )


def _borrow(
    beads: list[_BeadTerms], position: int, entry_index: int, borrowed: set[tuple[int, int, int]]
) -> list[tuple[int, Span, Rendering]]:
    """Renderings of the term in an adjacent bead whose own source lacks the term.

    Sentence alignment is not perfect: a clause may land in the next bead, or a target sentence may be
    left unaligned (0-1). A rendering there that no source term of its own bead explains most likely
    translates this bead's term; each is used once.
    """
    for neighbour in (position - 1, position + 1):
        if not 0 <= neighbour < len(beads) or entry_index in beads[neighbour].source:
            continue
        found = [
            (neighbour, span, r)
            for span, r in beads[neighbour].target
            if r.entry == entry_index and (neighbour, span.start, entry_index) not in borrowed
        ]
        if found:
            borrowed.update((neighbour, span.start, entry_index) for _, span, _ in found)
            return found
    return []


def _forbidden_message(entry: GlossaryEntry, found: str) -> str:
    if entry.target:
        return (f"\u201c{found}\u201d is a forbidden rendering of {entry.source}; "
                f"use \u201c{entry.target}\u201d")
    return f"\u201c{found}\u201d is a forbidden rendering of {entry.source}"


def _inconsistencies(index: TermIndex, seen: dict[int, _Seen]) -> Iterable[Finding]:
    for entry_index, record in seen.items():
        if len(record.forms) < 2:
            continue
        entry = index.entries[entry_index]
        variants = "; ".join(
            f"\u201c{form}\u201d in {_pair_list(pairs)}" for form, pairs in record.forms.items()
        )
        # No target span: each forbidden occurrence already has its own finding and highlight.
        yield Finding(
            check=CHECK_NAME,
            category=Category.INCONSISTENCY.value,
            severity=Severity.MINOR,
            message=f"{entry.source} is rendered in {len(record.forms)} different ways: {variants}",
            suggestion=entry.target or None,
            pair=None,
            source_span=record.first_source,
            target_span=None,
        )


def _pair_list(pairs: list[int], shown: int = 5) -> str:
    """"pair 3", "pairs 3, 7" or "pairs 3, 7, 9, 12, 15 and 4 more": messages stay one readable line."""
    if len(pairs) == 1:
        return f"pair {pairs[0]}"
    listed = ", ".join(map(str, pairs[:shown]))
    more = f" and {len(pairs) - shown} more" if len(pairs) > shown else ""
    return f"pairs {listed}{more}"
