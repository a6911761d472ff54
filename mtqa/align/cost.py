"""Bead costs that need no model: a Gale–Church length term, anchors, paragraph boundaries, bead priors.

``SideFeatures`` holds what the costs need from one document side as arrays (cumulative lengths, anchor
counts, paragraph ids), so that the cost of a bead for a whole band row is a few numpy operations.
``LengthCost`` is the foundation aligner's cost; the encoder aligner adds a similarity term on top of the
same pieces (``StructureTerms``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mtqa.align.furniture import document_furniture
from mtqa.align.search import BeadType
from mtqa.data import Glossary, Segment
from mtqa.languages import Language

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
# Latin-script tokens inside a non-Latin source (names, acronyms, product codes) survive translation as is.
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")


@dataclass
class SideFeatures:
    """Per-segment features of one side, with cumulative sums so that a run of segments costs O(1)."""

    lengths: np.ndarray  # characters without whitespace, per segment
    cum_lengths: np.ndarray  # shape (n + 1,)
    paragraphs: np.ndarray  # paragraph id per segment
    paragraph_informative: bool  # False when every segment is its own paragraph (pre-segmented input)
    furniture: np.ndarray  # bool per segment: looks like page furniture
    # Anchors, sparse: a dense (segments × vocabulary) count matrix grows with the square of the document
    # (the vocabulary of numbers and names grows with it too): 3 GB per side at 4 MB of text.
    anchor_keys: list[list[int]]  # anchor ids (source vocabulary) per segment, repeated per occurrence
    anchor_positions: dict[int, np.ndarray]  # anchor id → sorted segment indices, one entry per occurrence
    cum_anchor_total: np.ndarray  # shape (n + 1,): cumulative number of anchors
    kinds: list[str | None] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lengths)

    def run_lengths(self, ends: np.ndarray | int, size: int) -> np.ndarray:
        return self.cum_lengths[ends] - self.cum_lengths[np.asarray(ends) - size]

    def run_anchor_counts(self, end: int, size: int) -> dict[int, int]:
        """Anchor id → occurrences in segments ``end-size .. end-1``."""
        counts: dict[int, int] = {}
        for segment in range(end - size, end):
            for key in self.anchor_keys[segment]:
                counts[key] = counts.get(key, 0) + 1
        return counts

    def run_anchor_count(self, key: int, ends: np.ndarray, size: int) -> np.ndarray:
        """Occurrences of anchor ``key`` in segments ``j-size .. j-1`` for each ``j`` in ``ends``."""
        positions = self.anchor_positions.get(key)
        if positions is None:
            return np.zeros(len(ends), dtype=np.int64)
        return np.searchsorted(positions, ends) - np.searchsorted(positions, ends - size)


def _numbers(text: str, language: Language) -> list[str]:
    try:
        mentions = language.extract_numbers(text)
        values = [m.value for m in mentions]
    except (ImportError, AttributeError):  # a language without a number reader: plain digits still anchor
        values = []
        for token in _DIGITS.findall(text):
            try:
                values.append(float(token.replace(",", "")))
            except ValueError:
                continue
    return [f"n:{value:g}" for value in values]


def _anchor_keys(segments: Sequence[Segment], language: Language, glossary_terms: list[list[str]],
                 latin_source: bool) -> list[list[str]]:
    """Anchor keys per segment: numbers, glossary entries (by index), Latin tokens of a non-Latin source."""
    keys: list[list[str]] = []
    for segment in segments:
        text = segment.text
        lowered = text.lower()
        found = _numbers(text, language)
        for index, terms in enumerate(glossary_terms):
            if any(term and term in lowered for term in terms):
                found.append(f"g:{index}")
        if latin_source:
            found.extend(f"l:{token.lower()}" for token in _LATIN_TOKEN.findall(text) if len(token) > 1)
        keys.append(found)
    return keys


def build_features(
    source: Sequence[Segment],
    target: Sequence[Segment],
    source_language: Language,
    target_language: Language,
    glossary: Glossary | None = None,
) -> tuple[SideFeatures, SideFeatures]:
    source_terms = [[e.source.lower()] for e in glossary.entries] if glossary else []
    target_terms = (
        [[t.lower() for t in (e.target, *e.forbidden) if t] for e in glossary.entries] if glossary else []
    )
    # Latin tokens anchor only when the source is not itself written in Latin script (then every word would).
    latin_source = source_language.script.search("abc") is None
    source_keys = _anchor_keys(source, source_language, source_terms, latin_source)
    target_keys = _anchor_keys(target, target_language, target_terms, latin_source)
    vocabulary = {key: i for i, key in enumerate(sorted({k for keys in source_keys for k in keys}))}
    return (
        _side(source, source_keys, vocabulary, source_language),
        _side(target, target_keys, vocabulary, target_language),
    )


def _side(
    segments: Sequence[Segment], keys: list[list[str]], vocabulary: dict[str, int], language: Language
) -> SideFeatures:
    n = len(segments)
    lengths = np.array([len(_SPACE.sub("", s.text)) for s in segments], dtype=np.float64)
    anchor_keys = [[vocabulary[key] for key in segment_keys if key in vocabulary] for segment_keys in keys]
    occurrences: dict[int, list[int]] = {}
    for i, segment_keys in enumerate(anchor_keys):
        for key in segment_keys:
            occurrences.setdefault(key, []).append(i)
    paragraphs = np.array([s.paragraph for s in segments], dtype=np.int64)
    kinds = document_furniture([s.text for s in segments], paragraphs.tolist(), language)
    return SideFeatures(
        lengths=lengths,
        cum_lengths=np.concatenate([[0.0], np.cumsum(lengths)]),
        paragraphs=paragraphs,
        paragraph_informative=n > 0 and len(set(paragraphs.tolist())) < n,
        furniture=np.array([k is not None for k in kinds], dtype=bool),
        anchor_keys=anchor_keys,
        anchor_positions={key: np.array(found, dtype=np.int64) for key, found in occurrences.items()},
        cum_anchor_total=np.concatenate([[0], np.cumsum([len(k) for k in anchor_keys])]).astype(np.float64),
        kinds=kinds,
    )


@dataclass
class LengthModel:
    """Target length ≈ ``ratio`` × source length, with variance ``variance`` × mean length (Gale–Church)."""

    ratio: float
    variance: float = 6.8

    @classmethod
    def from_totals(cls, source: SideFeatures, target: SideFeatures) -> LengthModel:
        total_source, total_target = source.lengths.sum(), target.lengths.sum()
        ratio = total_target / total_source if total_source and total_target else 1.0
        return cls(ratio=float(ratio))

    def refit(self, source: SideFeatures, target: SideFeatures, beads: Sequence) -> LengthModel:
        """Re-estimate ratio and variance from the non-skip beads of a first alignment.

        Estimating from aligned beads, not document totals, keeps page furniture and omissions out of the
        ratio; the variance uses the median of δ² (robust to the few bad beads).
        """
        pairs = [(sum(source.lengths[list(s)]), sum(target.lengths[list(t)])) for s, t in beads if s and t]
        pairs = [(a, b) for a, b in pairs if a > 0 and b > 0]
        if len(pairs) < 5:
            return self
        src = np.array([a for a, _ in pairs])
        tgt = np.array([b for _, b in pairs])
        ratio = float(tgt.sum() / src.sum())
        delta2 = (tgt / ratio - src) ** 2 / ((src + tgt / ratio) / 2)
        variance = float(np.clip(np.median(delta2) / 0.455, 1.0, 50.0))  # 0.455 = median of χ²₁
        return LengthModel(ratio=ratio, variance=variance)

    def cost(self, source_lengths: np.ndarray | float, target_lengths: np.ndarray) -> np.ndarray:
        """−log-likelihood (up to a constant) of the length difference: δ²/2."""
        scaled = target_lengths / self.ratio
        delta2 = (scaled - source_lengths) ** 2 / (self.variance * ((source_lengths + scaled) / 2 + 1.0))
        return delta2 / 2


# Bead priors as −log probability. Gale–Church's 1-1 0.89, 1-2/2-1 0.089, 2-2 0.011, skips 0.0099, with
# wider beads (1-3, 1-4, headline blocks) rarer still.
DEFAULT_PRIORS: dict[BeadType, float] = {
    (1, 1): 0.89, (1, 2): 0.045, (2, 1): 0.045, (2, 2): 0.011, (0, 1): 0.005, (1, 0): 0.005,
    (1, 3): 0.006, (3, 1): 0.006, (1, 4): 0.001, (4, 1): 0.001,
}


@dataclass
class StructureTerms:
    """The model-free parts of a bead cost: anchors, paragraph boundaries, page furniture."""

    source: SideFeatures
    target: SideFeatures
    anchor_weight: float = 1.0
    paragraph_cross: float = 2.0  # a bead spanning a paragraph boundary
    paragraph_mismatch: float = 1.0  # one side starts a paragraph, the other does not
    furniture_in_bead: float = 4.0  # page furniture inside a bead instead of left unaligned

    def __post_init__(self) -> None:
        self._cum_furniture = np.concatenate([[0], np.cumsum(self.target.furniture)])

    def anchors(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        """Number of anchors shared by the two sides of each bead (0 for skips)."""
        if a == 0 or b == 0:
            return np.zeros(len(js))
        src = self.source.run_anchor_counts(i, a)
        if not src:
            return np.zeros(len(js))
        shared = np.zeros(len(js))
        for key, count in src.items():
            shared += np.minimum(self.target.run_anchor_count(key, js, b), count)
        total = sum(src.values()) + self.target.cum_anchor_total[js] - self.target.cum_anchor_total[js - b]
        # Rewarding the shared share, not the count, keeps beads from growing just to collect anchors.
        return np.where(total > 0, 2 * shared / np.maximum(total, 1), 0.0) * np.minimum(shared, 3)

    def structure(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        cost = np.zeros(len(js))
        src, tgt = self.source, self.target
        if a and b:
            if src.paragraph_informative and a > 1 and src.paragraphs[i - 1] != src.paragraphs[i - a]:
                cost += self.paragraph_cross
            if tgt.paragraph_informative:
                if b > 1:
                    cost += self.paragraph_cross * (tgt.paragraphs[js - 1] != tgt.paragraphs[js - b])
                if src.paragraph_informative:
                    src_starts = i - a == 0 or src.paragraphs[i - a] != src.paragraphs[i - a - 1]
                    first = js - b
                    previous = tgt.paragraphs[np.maximum(first - 1, 0)]
                    tgt_starts = (first == 0) | (tgt.paragraphs[first] != previous)
                    cost += self.paragraph_mismatch * (tgt_starts != src_starts)
            cost += self.furniture_in_bead * (self._cum_furniture[js] - self._cum_furniture[js - b])
        return cost


@dataclass
class LengthCost:
    """The foundation aligner's bead cost: prior + Gale–Church length term − anchors + structure."""

    terms: StructureTerms
    length: LengthModel
    bead_types: Sequence[BeadType]
    priors: dict[BeadType, float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    furniture_skip: float = 0.5  # leaving page furniture unaligned costs almost nothing

    def __post_init__(self) -> None:
        self._prior_cost = {t: -math.log(p) for t, p in self.priors.items()}
        furniture = self.terms.target.furniture.astype(np.float64)
        self._target_furniture = np.concatenate([[0.0], furniture])

    def cost(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        prior = self._prior_cost[(a, b)]
        src, tgt = self.terms.source, self.terms.target
        if a == 0:  # target segment js-1 left unaligned (an addition)
            empty = tgt.lengths[js - 1] == 0
            furniture = self._target_furniture[js] > 0
            return np.where(empty, 0.0, np.where(furniture, self.furniture_skip, prior))
        if b == 0:  # source segment i-1 left unaligned (an omission)
            return np.full(len(js), 0.0 if src.lengths[i - 1] == 0 else prior)
        length = self.length.cost(src.run_lengths(i, a), tgt.run_lengths(js, b))
        return (prior + length - self.terms.anchor_weight * self.terms.anchors(a, b, i, js)
                + self.terms.structure(a, b, i, js))
