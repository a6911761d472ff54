"""Scorer factories for ``mtqa batch`` tests (``--scorer-factory tests.batch_helper:fake_scorer``): the
neural scorer on the dictionary fake model, fast and deterministic, importable in a subprocess or a Ray
actor started from the repository root."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mtqa.score.lm import PieceScores, Request
from mtqa.score.neural import NeuralScorer
from tests.fake_model import FakeLanguageModel

DICTIONARY = [("公司", "company"), ("收入", "revenue"), ("增长", "grew"), ("银行", "bank"),
              ("利率", "rates"), ("提高", "raised"), ("城市", "city"), ("人口", "population")]
SOURCES = ["公司收入增长了{n}%。", "银行提高了利率{n}个基点。", "城市人口增长了{n}万。"]
TARGETS = ["The company's revenue grew by {n}%.", "The bank raised rates by {n} basis points.",
           "The city population grew by {n}0,000."]


def fake_scorer() -> NeuralScorer:
    return NeuralScorer(FakeLanguageModel(DICTIONARY), quiet=True, use_calibration=False)


class _SlowModel(FakeLanguageModel):
    def score(self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
              ) -> list[list[PieceScores]]:
        time.sleep(0.3)  # per model call (one batch): slow enough to kill a run between its shards
        return super().score(requests, progress)


def slow_fake_scorer() -> NeuralScorer:
    return NeuralScorer(_SlowModel(DICTIONARY), quiet=True, use_calibration=False)


def write_pairs(path: Path, count: int, *, broken: Sequence[int] = ()) -> list[str]:
    """``count`` JSONL rows zh→en (every 7th with a changed number); the rows at ``broken`` are not JSON.
    Returns the ids in order."""
    ids = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            row_id = f"r{i:05d}"
            ids.append(row_id)
            if i in broken:
                handle.write(f'{{"id": "{row_id}", "source": oops\n')
                continue
            k = i % len(SOURCES)
            n = i % 90 + 10
            wrong = n + 1 if i % 7 == 0 else n
            handle.write(json.dumps({"id": row_id, "source": SOURCES[k].format(n=n),
                                     "target": TARGETS[k].format(n=wrong), "source_lang": "zh",
                                     "target_lang": "en"}, ensure_ascii=False) + "\n")
    return ids
