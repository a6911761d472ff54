"""The model-free aligner: Gale–Church lengths, anchors and paragraph structure, searched in a band.

Two passes: the first uses the document's overall length ratio, the second re-estimates ratio and variance
from the beads of the first (so that page furniture and omissions do not skew them) and aligns again.
"""

from __future__ import annotations

from mtqa.align import make_pairs
from mtqa.align.cost import LengthCost, LengthModel, StructureTerms, build_features
from mtqa.align.search import WIDE_BEADS, BeadType, align_in_band
from mtqa.data import AlignedPair, Document, Glossary
from mtqa.languages import Language


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
        for _ in range(2):
            cost = LengthCost(terms, model, self.bead_types)
            beads = align_in_band(n, m, cost, width=self.band_width)
            model = model.refit(src, tgt, beads)
        return beads
