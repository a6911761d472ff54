"""Coverage features of the quality head 2.2 (``mtqa.score.neural.coverage_features``), on hand-made
per-token log-probs: an uncovered stretch of the source (an omission) or of the target (an addition) must
move them, and they must not grow with length."""

from __future__ import annotations

import pytest

from mtqa.score.neural import (
    COVERAGE_FLOOR,
    COVERAGE_WINDOW,
    FEATURE_NAMES,
    TokenScores,
    coverage_features,
    pair_features,
)


def side(pmis: list[float], uncond: float = -5.0) -> TokenScores:
    """A side whose tokens have these PMIs (log-prob given the other side minus log-prob alone)."""
    n = len(pmis)
    offsets = [(i, i + 1) for i in range(n)]
    return TokenScores(list(range(n)), offsets, [uncond + p for p in pmis], [uncond] * n)


COVERED = [3.0, 2.5, 4.0, 3.5, 2.0, 3.0, 2.8, 3.2, 2.6, 3.1, 2.9, 3.4]


def test_an_uncovered_source_clause_moves_the_source_coverage_features():
    intact = coverage_features(side(COVERED), side(COVERED))
    # Eight source tokens in the middle that the target no longer explains: PMI about 0.
    omitted = [*COVERED[:2], 0.1, -0.2, 0.0, 0.3, 0.2, -0.1, 0.0, 0.1, *COVERED[:2]]
    damaged = coverage_features(side(omitted), side(COVERED))
    assert intact["src_unsupported_share"] == 0.0
    assert damaged["src_unsupported_share"] == pytest.approx(8 / 12)
    assert intact["pmi_rev_window_min"] > 2.0
    assert damaged["pmi_rev_window_min"] == pytest.approx(0.05)
    # The target side is unchanged, so are its features.
    assert damaged["tgt_unsupported_share"] == intact["tgt_unsupported_share"]
    assert damaged["pmi_fwd_window_min"] == intact["pmi_fwd_window_min"]


def test_an_unexplained_target_stretch_moves_the_target_coverage_features():
    added = [*COVERED, *[-1.0] * COVERAGE_WINDOW]
    features = coverage_features(side(COVERED), side(added))
    assert features["tgt_unsupported_share"] == pytest.approx(COVERAGE_WINDOW / len(added))
    assert features["pmi_fwd_window_min"] == pytest.approx(-1.0)
    assert features["src_unsupported_share"] == 0.0


def test_shares_count_tokens_below_the_floor_and_do_not_grow_with_length():
    pmis = [COVERAGE_FLOOR - 0.01, COVERAGE_FLOOR + 0.01, 5.0, 0.0]
    once = coverage_features(side(pmis), side(pmis))
    thrice = coverage_features(side(pmis * 3), side(pmis * 3))
    assert once["src_unsupported_share"] == pytest.approx(0.5)
    assert thrice["src_unsupported_share"] == pytest.approx(0.5)


def test_short_and_empty_sides():
    short = coverage_features(side([1.0, 3.0]), side([]))
    assert short["pmi_rev_window_min"] == pytest.approx(2.0)  # fewer tokens than the window: their mean
    assert short["tgt_unsupported_share"] == 0.0 and short["pmi_fwd_window_min"] == 0.0


def test_pair_features_carry_the_coverage_features_and_keep_the_others():
    source, target = side(COVERED), side(COVERED[:6])
    features = pair_features(source, target, [-8.0] * 6, 12, 30)
    assert set(features) == set(FEATURE_NAMES)
    assert {k: features[k] for k in coverage_features(source, target)} == coverage_features(source, target)
    assert features["pmi_rev"] == pytest.approx(sum(COVERED) / len(COVERED))
