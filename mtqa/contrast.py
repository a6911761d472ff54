"""Controlled damage to a translation, for contrast tests that need no human labels.

``damage(text, kind, seed=…)`` returns a copy of an English translation with exactly one known error of
one kind, and where it is; ``damage_all`` makes one copy per kind. A good quality estimate must rank the
intact translation above each damaged copy. The same copies serve as training signal (pairs whose order
is known) and as gold for span tests: ``Damage.span`` is the changed region of the damaged text (for an
omission, the point where the clause was, with the dropped words in ``removed``).

Kinds:

* ``omission``  – drop one clause (a comma/semicolon-delimited part or a coordinated clause);
* ``addition``  – insert a clause about something unrelated;
* ``number``    – change a number (digits or an English number word);
* ``entity``    – replace a named entity (a capitalised word inside a sentence) or, when ``terms`` are
  given, a glossary term by a wrong rendering;
* ``negation``  – negate an auxiliary verb ("is" → "is not"), or remove an existing negation;
* ``swap``      – exchange two content words (who did what to whom changes).

Everything is deterministic for a given (text, kind, seed): the random generator is seeded from all three.
A kind that does not apply to a text (no number to change, a single clause to drop) gives ``None``.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KINDS: tuple[str, ...] = ("omission", "addition", "number", "entity", "negation", "swap")


@dataclass(frozen=True)
class Damage:
    kind: str
    text: str  # the damaged translation
    span: tuple[int, int]  # changed characters in ``text`` (for an omission, an empty span at the cut)
    removed: str = ""  # what was taken out of the intact text
    inserted: str = ""  # what was put in


# Clauses about nothing a news or talk translation would contain: an addition can never be right.
_UNRELATED_CLAUSES = (
    "while the zoo's two pandas celebrated their birthday with a cake",
    "and the recipe calls for two cups of flour and a pinch of salt",
    "although the football match was postponed because of heavy snow",
    "as a famous violinist tuned her instrument backstage",
    "and the old lighthouse was painted bright green last summer",
    "while tourists queued for ice cream on the beach",
    "after the cat knocked a glass of milk off the kitchen table",
    "and the annual chess tournament ended in a surprising draw",
)

# Replacement names by rough kind; the replacement is always a different, unrelated name.
_NAMES = (
    "Norway", "Brazil", "Kenya", "Portugal", "Canada", "Vietnam", "Chile", "Finland",
    "Toronto", "Lisbon", "Nairobi", "Oslo", "Santiago", "Hanoi", "Helsinki", "Melbourne",
    "Microsoft", "Siemens", "Toyota", "Nestle", "Boeing", "Unilever",
    "Johnson", "Martinez", "Okafor", "Lindqvist", "Tanaka", "Rossi",
)

# English number words and a clearly different replacement ("first"/"second" are left out: "for a
# second", "first of all" are not numbers).
_NUMBER_SWAPS = {
    "one": "three", "two": "five", "three": "seven", "four": "nine", "five": "two", "six": "eleven",
    "seven": "four", "eight": "three", "nine": "six", "ten": "forty", "eleven": "two", "twelve": "thirty",
    "twenty": "ninety", "thirty": "eighty", "forty": "twelve", "fifty": "fifteen", "hundred": "thousand",
    "thousand": "million", "million": "billion", "billion": "million", "third": "first",
}

# "one" as a pronoun ("no one", "the one that"), not a number.
_PRONOUN_ONE = re.compile(r"\b(?:no|any|every|some|the|this|that|each|which|little)\s+one$", re.IGNORECASE)

_AUXILIARIES = (
    "is", "are", "was", "were", "can", "will", "would", "should", "could", "has", "have", "had", "must",
    "may", "might",
)
_NEGATIONS = re.compile(r"\b(?:not |never )|n't\b", re.IGNORECASE)

# Words that carry no content of their own: never the target of an entity or word swap.
_FUNCTION = frozenset(
    """a an the and or but nor so yet if then than that this these those there here it its they them their we
    us our you your he him his she her i me my which who whom whose what when where why how of to in on at
    by for from with without into over under about as up down out off within through between among against
    during before after above below since until while is are was were be been being am do does did has have
    had will would shall should can could may might must not no also too very just only all any both each
    every some such more most other another again further once own same""".split()  # noqa: SIM905
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def _rng(text: str, kind: str, seed: int) -> random.Random:
    # A string seed is hashed with SHA-512 by ``random``: the same on every machine and Python run.
    return random.Random(f"{seed}\x1f{kind}\x1f{text}")


def damage(
    text: str, kind: str, *, seed: int = 0, terms: Sequence[tuple[str, str]] = ()
) -> Damage | None:
    """One damaged copy of ``text`` of ``kind`` (one of ``KINDS``), or None when the kind cannot apply.

    ``terms``: (correct target term, wrong rendering) pairs, e.g. from a glossary's forbidden column; for
    ``entity``, a term present in the text is swapped before any capitalised name.
    """
    if kind not in _MAKERS:
        raise ValueError(f"unknown damage kind {kind!r}; expected one of {', '.join(KINDS)}")
    if kind == "entity":
        return _entity(text, _rng(text, kind, seed), terms)
    return _MAKERS[kind](text, _rng(text, kind, seed))


def damage_all(
    text: str, *, seed: int = 0, kinds: Iterable[str] = KINDS, terms: Sequence[tuple[str, str]] = ()
) -> list[Damage]:
    """One damaged copy per applicable kind."""
    out = []
    for kind in kinds:
        result = damage(text, kind, seed=seed, terms=terms)
        if result is not None and result.text != text:
            out.append(result)
    return out


def _clauses(text: str) -> list[tuple[int, int]]:
    """Character ranges of clause-like parts: split after , ; : and before " and "/" but "/" while ",
    keeping the delimiter with the part before it."""
    bounds = [0]
    for match in re.finditer(r"[,;:，；]\s+|\s+(?=(?:and|but|while|because|which|who|so)\s)", text):
        bounds.append(match.end())
    bounds.append(len(text))
    ranges = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    return ranges


def _omission(text: str, rng: random.Random) -> Damage | None:
    parts = _clauses(text)
    # A clause worth dropping has at least three words and is not the whole text.
    candidates = [
        (a, b) for a, b in parts if len(_WORD.findall(text[a:b])) >= 3 and (b - a) < 0.8 * len(text)
    ]
    if len(parts) < 2 or not candidates:
        return None
    start, end = rng.choice(candidates)
    removed = text[start:end]
    if end == len(text):
        # The last clause: keep the sentence's final punctuation, drop the dangling comma before the cut.
        final = re.search(r"[.!?。！？\"”]*\s*$", removed).group()
        head = re.sub(r"[,;:，；]\s*$", "", text[:start].rstrip())
        damaged = head + final
        return Damage("omission", damaged, (len(head), len(head)), removed=removed.removesuffix(final))
    damaged = text[:start] + text[end:]
    if start == 0 and damaged:
        damaged = damaged[0].upper() + damaged[1:]
    return Damage("omission", damaged, (start, start), removed=removed)


def _addition(text: str, rng: random.Random) -> Damage | None:
    clause = rng.choice(_UNRELATED_CLAUSES)
    # Insert before a sentence's final punctuation (or at the end), so the sentence stays well formed.
    ends = [m.start() for m in re.finditer(r"[.!?](?=\s|$|[\"”])", text)]
    point = rng.choice(ends) if ends else len(text.rstrip())
    inserted = (", " if point and text[point - 1] not in ",;" else " ") + clause
    damaged = text[:point] + inserted + text[point:]
    return Damage("addition", damaged, (point, point + len(inserted)), inserted=inserted)


def _number(text: str, rng: random.Random) -> Damage | None:
    digits = list(_DIGITS.finditer(text))
    if digits:
        match = rng.choice(digits)
        original = match.group()
        new = _changed_digits(original, rng)
        start, end = match.span()
    else:
        words = [
            m
            for m in _WORD.finditer(text)
            if m.group().lower() in _NUMBER_SWAPS and not _PRONOUN_ONE.search(text[: m.end()])
        ]
        if not words:
            return None
        match = rng.choice(words)
        original = match.group()
        new = _NUMBER_SWAPS[original.lower()]
        if original[0].isupper():
            new = new[0].upper() + new[1:]
        start, end = match.span()
    damaged = text[:start] + new + text[end:]
    return Damage("number", damaged, (start, start + len(new)), removed=original, inserted=new)


def _changed_digits(original: str, rng: random.Random) -> str:
    """A clearly different number in the same format: another leading digit, or a year moved by years."""
    plain = original.replace(",", "")
    if re.fullmatch(r"(1[89]|20)\d\d", plain):
        return str(int(plain) + rng.choice((-7, -3, 3, 7)))
    first = original[0]
    choices = [d for d in "123456789" if d != first]
    return rng.choice(choices) + original[1:]


def _entity(text: str, rng: random.Random, terms: Sequence[tuple[str, str]]) -> Damage | None:
    for correct, wrong in terms:
        index = text.find(correct)
        if correct and wrong and index >= 0:
            damaged = text[:index] + wrong + text[index + len(correct) :]
            return Damage("entity", damaged, (index, index + len(wrong)), removed=correct, inserted=wrong)
    names = []
    for match in re.finditer(r"[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*", text):
        start = match.start()
        before = text[:start].rstrip()
        # A capital after a sentence end is not evidence of a name; one inside a sentence is.
        if not before or before[-1] in ".!?\"“”:":
            continue
        if match.group().lower() in _FUNCTION or match.group() in ("I",):
            continue
        names.append(match)
    if not names:
        return None
    match = rng.choice(names)
    original = match.group()
    replacement = rng.choice([n for n in _NAMES if n.lower() not in text.lower()])
    start, end = match.span()
    damaged = text[:start] + replacement + text[end:]
    span = (start, start + len(replacement))
    return Damage("entity", damaged, span, removed=original, inserted=replacement)


def _negation(text: str, rng: random.Random) -> Damage | None:
    existing = list(_NEGATIONS.finditer(text))
    if existing:
        match = rng.choice(existing)
        start, end = match.span()
        damaged = text[:start] + text[end:]
        return Damage("negation", damaged, (start, start), removed=match.group())
    aux = [m for m in re.finditer(r"\b(" + "|".join(_AUXILIARIES) + r")\b", text)]
    if not aux:
        # A plain past-tense or present verb is hard to negate reliably without a parser; skip.
        return None
    match = rng.choice(aux)
    inserted = " not"
    point = match.end()
    damaged = text[:point] + inserted + text[point:]
    return Damage("negation", damaged, (point, point + len(inserted)), inserted=inserted.strip())


def _swap(text: str, rng: random.Random) -> Damage | None:
    words = [
        m for m in _WORD.finditer(text) if len(m.group()) >= 4 and m.group().lower() not in _FUNCTION
    ]
    pairs = [
        (a, b)
        for i, a in enumerate(words)
        for b in words[i + 1 :]
        if a.group().lower() != b.group().lower() and b.start() - a.end() >= 3
    ]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    wa, wb = a.group(), b.group()
    damaged = text[: a.start()] + wb + text[a.end() : b.start()] + wa + text[b.end() :]
    # The two words trade places: the text keeps its length, and the changed region ends where b did.
    return Damage("swap", damaged, (a.start(), b.end()), removed=f"{wa} … {wb}", inserted=f"{wb} … {wa}")


_MAKERS = {
    "omission": _omission,
    "addition": _addition,
    "number": _number,
    "entity": lambda text, rng: _entity(text, rng, ()),
    "negation": _negation,
    "swap": _swap,
}
