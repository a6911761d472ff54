"""The model protocol: what the neural scorer asks of a language model.

The scorer asks for one thing: per-token log-probs of chosen pieces of a prompt. A request is a list of
text pieces that are tokenised separately and concatenated (so the scored spans are exact), plus which
pieces to score. The answer gives, per scored piece, its tokens' ids, log-probs and character offsets
into the piece.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Request:
    """One prompt: ``pieces`` are tokenised one by one and concatenated; ``scored`` are indexes of pieces
    whose tokens get log-probs (never piece 0: the first token has no context)."""

    pieces: tuple[str, ...]
    scored: tuple[int, ...]


@dataclass
class PieceScores:
    """Per-token results of one scored piece; ``offsets`` are (start, end) character offsets in the piece."""

    token_ids: list[int]
    logprobs: list[float]
    offsets: list[tuple[int, int]]

    @property
    def mean(self) -> float:
        return sum(self.logprobs) / len(self.logprobs) if self.logprobs else 0.0


class LanguageModel(Protocol):
    name: str

    def score(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> list[list[PieceScores]]:
        """Per request, one ``PieceScores`` per scored piece, in the order of ``Request.scored``.
        ``progress`` is called with the number of requests just finished."""
        ...

    def unigram_logprobs(self, token_ids: Sequence[int]) -> list[float]:
        """A context-free log-prob per token (for SLOR-style fluency normalisation)."""
        ...
