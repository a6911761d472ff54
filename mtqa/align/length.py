"""The model-free aligner: Gale–Church lengths, anchors and paragraph structure, searched in a band.

Two passes: the first uses the document's overall length ratio, the second re-estimates ratio and variance
from the beads of the first (so that page furniture and omissions do not skew them) and aligns again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mtqa.align import make_pairs, register_aligner
from mtqa.align.cost import LengthCost, LengthModel, SideFeatures, StructureTerms, build_features
from mtqa.align.search import WIDE_BEADS, BeadType, align_in_band
from mtqa.data import AlignedPair, Document, Glossary
from mtqa.languages import Language


def length_path(source: SideFeatures, target: SideFeatures) -> np.ndarray:
    """Expected target position per source position: where the same share of the text has been read.

    A band around this path follows a document whose parts have different length ratios far better than
    the straight diagonal does.
    """
    n, m = source.count, target.count
    if n == 0 or m == 0:
        return np.zeros(n + 1)
    src_share = source.cum_lengths / max(source.cum_lengths[-1], 1.0)
    tgt_share = target.cum_lengths / max(target.cum_lengths[-1], 1.0)
    return np.interp(src_share, tgt_share, np.arange(m + 1, dtype=np.float64))


class LengthAligner:
    name = "length"

    def __init__(self, bead_types: tuple[BeadType, ...] = WIDE_BEADS, band_width: int = 30) -> None:
        self.bead_types = bead_types
        self.band_width = band_width

    def align(
        self,
        source: Document,
        target: Document,
        source_language: Language,
        target_language: Language,
        glossary: Glossary | None = None,
    ) -> list[AlignedPair]:
        beads = self.align_segments(source, target, source_language, target_language, glossary)
        return make_pairs(beads, source.segments, target.segments)

    def align_segments(self, source, target, source_language, target_language, glossary=None):
        """Beads as (source ids, target ids) tuples, for callers that need no offsets."""
        n, m = len(source.segments), len(target.segments)
        src, tgt = build_features(
            source.segments, target.segments, source_language, target_language, glossary
        )
        terms = StructureTerms(src, tgt)
        model = LengthModel.from_totals(src, tgt)
        beads = []
        path = length_path(src, tgt)
        for _ in range(2):
            cost = LengthCost(terms, model, self.bead_types)
            beads = align_in_band(n, m, cost, path_j=path, width=self.band_width)
            model = model.refit(src, tgt, beads)
        return beads


@register_aligner("length")
def _create_length(*, warn: Callable[[str], None] | None = None, **options) -> LengthAligner:
    return LengthAligner(**options)
