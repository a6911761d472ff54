"""The calibrated quality estimate: the shipped mapping, its runtime behaviour, the fit's building blocks."""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path

import pytest

from mtqa.errors import MtqaError
from mtqa.score.calibration import (
    FORMAT_VERSION,
    Head,
    QualityScores,
    aggregate,
    load_calibration,
    parse_calibration,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tools"))  # fit_calibration.py: training code

SHIPPED = ROOT / "mtqa" / "resources" / "calibration.json"


def typical(calibration) -> dict[str, float]:
    """Every feature at its training median, in raw units (inverse of the transform)."""
    out = {}
    for name, scale in calibration.scales.items():
        out[name] = math.exp(scale.center) if scale.transform == "log" else scale.center
    return out


def with_value(calibration, name: str, z: float) -> dict[str, float]:
    """The typical features with one moved to ``z`` scale units from its median."""
    features = typical(calibration)
    scale = calibration.scales[name]
    value = scale.center + z * scale.scale
    features[name] = math.exp(value) if scale.transform == "log" else value
    return features


# ---------------------------------------------------------------------------------------------------------
# The shipped file


def test_shipped_calibration_loads_with_version_and_provenance():
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    calibration = load_calibration()
    assert data["format"] == FORMAT_VERSION
    assert calibration.version.startswith("fit_calibration ")
    meta = calibration.meta
    assert meta["fit_script"] == "benchmarks/fit_calibration.py"
    assert meta["fit_script_version"]
    assert set(meta["training_data"]["datasets"]) == {"wmt21_ted_mqm_zhen", "wmt21_news_mqm_zhen"}
    assert "wmt23_mqm_zhen" in meta["validation"]
    assert {"adequacy", "fluency", "estimate", "mqm"} <= set(calibration.heads)


@pytest.mark.parametrize(
    ("head", "feature", "direction"),
    [
        ("adequacy", "pmi_fwd", +1),
        ("adequacy", "pmi_rev", +1),
        ("adequacy", "tgt_lp_cond", +1),
        ("fluency", "slor", +1),
        ("estimate", "pmi_rev", +1),
        ("estimate", "tgt_lp_cond", +1),
        ("estimate", "tgt_tokens", -1),
    ],
)
def test_shipped_mapping_is_monotone_in_the_features_it_should_be(head, feature, direction):
    calibration = load_calibration()
    if feature not in calibration.scales:
        pytest.skip(f"{feature} is not a calibration input")
    values = [getattr(calibration.scores(with_value(calibration, feature, z)), head) for z in range(-5, 6)]
    steps = [direction * (b - a) for a, b in itertools.pairwise(values)]
    assert all(step >= 0 for step in steps), (head, feature, values)


def test_every_shipped_head_responds_to_its_inputs():
    calibration = load_calibration()
    for head in ("adequacy", "fluency", "estimate"):
        weights = calibration.heads[head].weights
        assert weights, head
        name, weight = max(weights.items(), key=lambda item: abs(item[1]))
        low = getattr(calibration.scores(with_value(calibration, name, -2)), head)
        high = getattr(calibration.scores(with_value(calibration, name, +2)), head)
        assert (high - low) * weight > 0, (head, name, low, high)


def test_fluency_ignores_the_source():
    calibration = load_calibration()
    base = calibration.scores(typical(calibration)).fluency
    for name in ("pmi_fwd", "pmi_rev", "src_lp_cond"):
        if name in calibration.scales:
            assert calibration.scores(with_value(calibration, name, -4)).fluency == base


def test_scores_are_bounded_for_extreme_and_broken_features():
    calibration = load_calibration()
    for value in (-1e9, -50.0, 0.0, 50.0, 1e9, float("nan"), float("inf"), float("-inf")):
        features = dict.fromkeys(calibration.scales, value)
        s = calibration.scores(features)
        for head in ("adequacy", "fluency", "estimate"):
            score = getattr(s, head)
            assert score is None or 0.0 <= score <= 100.0, (value, head, score)
        assert s.mqm is None or s.mqm <= 0.0


def test_missing_features_degrade_gracefully():
    calibration = load_calibration()
    empty = calibration.scores({})
    assert empty == QualityScores(None, None, None, None)
    # One adequacy input alone (plus an unknown name, ignored) still gives a bounded adequacy.
    one = next(iter(calibration.heads["adequacy"].weights))
    alone = calibration.scores({one: typical(calibration)[one], "unknown_feature": 1.0})
    assert alone.adequacy is not None and 0.0 <= alone.adequacy <= 100.0
    # A missing feature counts as the training median, i.e. as if it had its typical value.
    full = typical(calibration)
    name = next(iter(calibration.heads["estimate"].weights))
    partial = {k: v for k, v in full.items() if k != name}
    assert calibration.scores(partial).estimate == pytest.approx(calibration.scores(full).estimate, abs=0.2)


# ---------------------------------------------------------------------------------------------------------
# The runtime mapping on hand-made calibrations


def small_calibration(**overrides) -> dict:
    data = {
        "format": FORMAT_VERSION,
        "version": "test",
        "clip": 4.0,
        "features": {
            "pmi_fwd": {"transform": "identity", "center": 1.0, "scale": 0.5},
            "tgt_tokens": {"transform": "log", "center": math.log(20), "scale": 0.7},
        },
        "heads": {
            "adequacy": {"intercept": 0.0, "weights": {"pmi_fwd": 1.0}, "quantiles": [-2, -1, 0, 1, 2]},
            "estimate": {
                "intercept": 0.0,
                "weights": {"pmi_fwd": 1.0, "tgt_tokens": -0.5},
                "quantiles": [-2, -1, 0, 1, 2],
            },
            "mqm": {"intercept": -3.0, "weights": {"pmi_fwd": 1.0}},
        },
    }
    data.update(overrides)
    return data


def test_percentile_mapping_interpolates_and_handles_ties():
    head = Head(0.0, {"x": 1.0}, (-1.0, 0.0, 0.0, 0.0, 1.0))
    assert head.percentile(-5) == 0.0
    assert head.percentile(5) == 100.0
    assert head.percentile(0.0) == 50.0  # the middle of the tied quantiles
    assert head.percentile(-0.5) == pytest.approx(12.5)
    assert head.percentile(0.5) == pytest.approx(87.5)


def test_hand_made_calibration_scores():
    calibration = parse_calibration(small_calibration())
    median = calibration.scores({"pmi_fwd": 1.0, "tgt_tokens": 20})
    assert median.adequacy == 50.0 and median.estimate == 50.0
    assert median.fluency is None  # no fluency head in this file
    assert median.mqm == -3.0
    better = calibration.scores({"pmi_fwd": 1.5, "tgt_tokens": 20})
    assert better.adequacy == 75.0 and better.mqm == -2.0
    longer = calibration.scores({"pmi_fwd": 1.0, "tgt_tokens": 20 * math.exp(0.7)})
    assert longer.estimate < median.estimate and longer.adequacy == median.adequacy
    assert calibration.scores({"pmi_fwd": 100.0}).mqm == 0.0  # never a positive MQM


@pytest.mark.parametrize(
    "broken",
    [
        {"format": 99},
        {"features": {"pmi_fwd": {"transform": "cube", "center": 0, "scale": 1}}},
        {"heads": {"adequacy": {"weights": {}}}},
        {"clip": "wide"},
    ],
)
def test_invalid_calibration_is_a_one_line_error(broken):
    with pytest.raises(MtqaError) as info:
        parse_calibration(small_calibration(**broken))
    assert "\n" not in str(info.value)


def test_unreadable_calibration_file(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(MtqaError, match="not valid JSON"):
        load_calibration(bad)
    with pytest.raises(MtqaError, match="cannot read"):
        load_calibration(tmp_path / "missing.json")


def test_document_aggregate_weights_scores_and_sums_mqm():
    a = QualityScores(80.0, 60.0, 70.0, -1.0)
    b = QualityScores(20.0, None, 40.0, -4.0)
    doc = aggregate([(a, 3.0), (b, 1.0)])
    assert doc.adequacy == 65.0
    assert doc.fluency == 60.0
    assert doc.estimate == 62.5
    assert doc.mqm == -5.0
    assert aggregate([]) == QualityScores(None, None, None, None)


# ---------------------------------------------------------------------------------------------------------
# The fit's building blocks (fast, synthetic)


def test_constrained_ridge_recovers_weights_and_respects_signs():
    np = pytest.importorskip("numpy")
    from fit_calibration import constrained_ridge

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = 2.0 * x[:, 0] - 1.0 * x[:, 1] + 0.5 + rng.normal(scale=0.1, size=400)
    b, w = constrained_ridge(x, y, [0, 0, 0], lam=0.01)
    assert w == pytest.approx([2.0, -1.0, 0.0], abs=0.05) and b == pytest.approx(0.5, abs=0.05)
    # Forbid the negative weight: it is clamped to zero instead.
    _, w = constrained_ridge(x, y, [+1, +1, 0], lam=0.01)
    assert w[1] == 0.0 and w[0] == pytest.approx(2.0, abs=0.1)


def test_rank_gaussianisation_keeps_order_and_ties():
    pytest.importorskip("numpy")
    from metrics import gaussianise, partial_spearman

    z = gaussianise([0, -1, -1, -5, -25])
    assert z[0] > z[1] == z[2] > z[3] > z[4]
    assert gaussianise([3, 1, 2])[2] == 0.0  # the median rank maps to the normal's centre
    # y depends on x only through z: with z held fixed, no correlation is left.
    xs = list(range(50))
    assert abs(partial_spearman(xs, xs, xs)) < 1e-6


EVAL = ROOT.parent / "shared" / "eval"


@pytest.mark.skipif(not (EVAL / "wmt23_mqm_zhen").exists(), reason="eval data not present")
def test_eval_sample_is_deterministic_and_machine_translations_only():
    import evalsets

    data = evalsets.load("wmt21_ted_mqm_zhen")
    first = evalsets.sample(data, 5)
    again = evalsets.sample(evalsets.load("wmt21_ted_mqm_zhen"), 5)
    assert [r["key"] for r in first] == [r["key"] for r in again]
    assert len({(r["doc"], r["seg_id"]) for r in first}) == 5
    assert not any(evalsets.is_human_system(r["system"]) for r in first)
    assert {"ref", "refB"}.isdisjoint({r["system"] for r in data.items})
