"""The scoring stage: a ``Scorer`` turns aligned pairs into per-pair scores and model-found spans.

A run without a model uses no scorer (scores stay empty); the neural scorer implements the same protocol,
and unit tests use a fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mtqa.data import AlignedPair, Document, PairScore
from mtqa.languages import Language


class Scorer(Protocol):
    name: str

    def score(
        self,
        source: Document,
        target: Document,
        pairs: Sequence[AlignedPair],
        source_language: Language,
        target_language: Language,
    ) -> dict[int, PairScore]:
        """Scores for the pairs that have text on both sides, keyed by pair id."""
        ...
