"""A fake ``LanguageModel`` for unit tests: deterministic log-probs from a small bilingual dictionary.

Tokens are words, single punctuation marks and single CJK characters. Tokens of the first scored piece
(the "unconditional" side) get ``baseline``. A token of a later scored piece (the "conditioned" side)
gets ``supported`` when the dictionary links it to a token of the earlier piece, ``unsupported`` when
the dictionary knows it but none of its translations is there, and ``baseline`` when the dictionary
does not know it (function words: the source neither helps nor hurts). Words in ``garbled`` are
improbable everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from mtqa.score.lm import PieceScores, Request

_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+|[^\w\s]")


class FakeLanguageModel:
    name = "fake"

    def __init__(
        self,
        dictionary: Iterable[tuple[str, str]] = (),
        *,
        supported: float = -1.0,
        unsupported: float = -6.0,
        baseline: float = -4.0,
        garbled: Iterable[str] = (),
        garbled_logprob: float = -12.0,
    ) -> None:
        self.links: dict[str, set[str]] = {}
        for a, b in dictionary:
            self.links.setdefault(a.lower(), set()).add(b.lower())
            self.links.setdefault(b.lower(), set()).add(a.lower())
        self.supported = supported
        self.unsupported = unsupported
        self.baseline = baseline
        self.garbled = {g.lower() for g in garbled}
        self.garbled_logprob = garbled_logprob
        self.requests_seen = 0

    @staticmethod
    def tokenize(text: str) -> list[tuple[str, int, int]]:
        return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]

    def score(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> list[list[PieceScores]]:
        results = []
        for request in requests:
            per_request = []
            context_words: set[str] = set()
            for index, piece in enumerate(request.pieces):
                tokens = self.tokenize(piece)
                if index in request.scored:
                    values = [self._logprob(word, context_words) for word, _, _ in tokens]
                    per_request.append(
                        PieceScores(
                            [hash(word.lower()) % 1000 for word, _, _ in tokens],
                            values,
                            [(start, end) for _, start, end in tokens],
                        )
                    )
                    context_words |= {word.lower() for word, _, _ in tokens}
            results.append(per_request)
            self.requests_seen += 1
            if progress is not None:
                progress(1)
        return results

    def _logprob(self, word: str, context: set[str]) -> float:
        word = word.lower()
        if word in self.garbled:
            return self.garbled_logprob
        if not context or word not in self.links:
            return self.baseline
        return self.supported if self.links[word] & context else self.unsupported

    def unigram_logprobs(self, token_ids: Sequence[int]) -> list[float]:
        return [-8.0] * len(token_ids)
