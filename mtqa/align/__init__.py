"""The alignment stage: segments of two documents → beads (``AlignedPair``), 1-1, 1-2, 2-1, 1-0, 0-1 …

Aligners share one protocol so that the length-based aligner (no model) and the encoder aligner are
interchangeable; both return beads in document order covering every segment exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mtqa.data import AlignedPair, Document, Glossary, Segment
from mtqa.languages import Language


class Aligner(Protocol):
    name: str

    def align(
        self,
        source: Document,
        target: Document,
        source_language: Language,
        target_language: Language,
        glossary: Glossary | None = None,
    ) -> list[AlignedPair]: ...


def make_pairs(
    beads: Sequence[tuple[Sequence[int], Sequence[int]]],
    source_segments: Sequence[Segment],
    target_segments: Sequence[Segment],
    similarities: Sequence[float | None] | None = None,
) -> list[AlignedPair]:
    """Turn beads of segment ids into ``AlignedPair``s with document offsets, numbered in order."""
    pairs = []
    for index, (src, tgt) in enumerate(beads):
        src, tgt = tuple(src), tuple(tgt)
        pairs.append(
            AlignedPair(
                id=index,
                source_segments=src,
                target_segments=tgt,
                source_start=source_segments[src[0]].start if src else None,
                source_end=source_segments[src[-1]].end if src else None,
                target_start=target_segments[tgt[0]].start if tgt else None,
                target_end=target_segments[tgt[-1]].end if tgt else None,
                similarity=similarities[index] if similarities else None,
            )
        )
    return pairs
