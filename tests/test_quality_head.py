"""The trained quality head (``mtqa.score.quality``): file format, loading, scoring rules."""

from __future__ import annotations

import numpy as np
import pytest

from mtqa.errors import MtqaError
from mtqa.score.quality import (
    FORMAT_VERSION,
    Head,
    QualityModel,
    derived_features,
    hidden_block,
    load_quality_model,
    parse_quality_model,
    save_quality_model,
)


def linear_head(features, weights, hidden=(), projection=None, width=4) -> Head:
    n = len(features)
    quantiles = np.linspace(-3, 3, 101)
    extra = projection.shape[1] if projection is not None else 0
    weight = np.array(list(weights) + [0.5] * extra, float)[:, None]
    return Head(
        features=tuple(features), center=np.zeros(n), scale=np.ones(n), clip=4.0, hidden=tuple(hidden),
        hidden_mean=np.zeros(width * len(hidden)) if hidden else None,
        hidden_scale=np.ones(width * len(hidden)) if hidden else None,
        projection=projection, layers=((weight, np.zeros(1)),), quantiles=quantiles,
    )


def small_model(**heads) -> QualityModel:
    heads = heads or {
        "estimate": linear_head(["pmi_fwd", "pmi_rev"], [1.0, 1.0]),
        "adequacy": linear_head(["pmi_rev"], [1.0]),
        "fluency": linear_head(["slor"], [1.0]),
    }
    return QualityModel("test 1", heads, np.linspace(-25, 0, 101), {"training_data": {"signature": "abc"}})


def test_round_trip_through_the_file(tmp_path):
    model = small_model()
    path = tmp_path / "head.npz"
    save_quality_model(model, path)
    loaded = load_quality_model(path)
    assert loaded.version == "test 1" and loaded.meta["training_data"]["signature"] == "abc"
    features = {"pmi_fwd": 0.5, "pmi_rev": -1.0, "slor": 2.0}
    assert loaded.scores(features) == model.scores(features)


def test_scores_are_percentiles_and_monotone_in_a_positive_weight():
    model = small_model()
    low = model.scores({"pmi_fwd": -1.0, "pmi_rev": 0.0, "slor": 0.0})
    high = model.scores({"pmi_fwd": 1.0, "pmi_rev": 0.0, "slor": 0.0})
    assert 0.0 <= low.estimate < high.estimate <= 100.0
    assert high.mqm <= 0.0 and low.mqm <= high.mqm
    # Training values spread evenly over −3 … 3: a raw value of 1.5 ranks above 75 % of them.
    middle = model.scores({"pmi_fwd": 1.5, "pmi_rev": 0.0, "slor": 0.0})
    assert middle.estimate == pytest.approx(75.0, abs=0.1)
    assert model.scores({"pmi_fwd": 99.0, "pmi_rev": 99.0, "slor": 0.0}).estimate == 100.0


def test_a_missing_feature_counts_as_the_training_median():
    model = small_model()
    assert model.scores({"pmi_fwd": 0.0, "slor": 0.0}).estimate == model.scores(
        {"pmi_fwd": 0.0, "pmi_rev": 0.0, "slor": 0.0}).estimate


def test_derived_features_are_per_token():
    out = derived_features({"pmi_fwd_neg_sum": -10.0, "tgt_tokens": 20.0, "pmi_rev_neg_sum": -3.0,
                            "src_tokens": 3.0, "len_ratio": 1.0})
    assert out["pmi_fwd_neg_mean"] == -0.5 and out["pmi_rev_neg_mean"] == -1.0 and out["log_len_ratio"] == 0.0


def test_a_head_on_pooled_states_reads_the_named_blocks():
    pooled = np.zeros((4, 2, 4))
    pooled[0, 0] = [1, 2, 3, 4]  # target given source, last layer
    pooled[2, 0] = [1, 1, 1, 1]  # target alone, last layer
    assert hidden_block(pooled, "tgt_diff_last").tolist() == [0, 1, 2, 3]
    head = linear_head(["pmi_fwd"], [0.0], hidden=("tgt_diff_last",), projection=np.ones((4, 1)))
    model = small_model(estimate=head)
    assert model.needs_states
    plain = model.scores({"pmi_fwd": 0.0}, pooled * 0).estimate
    assert model.scores({"pmi_fwd": 0.0}, pooled).estimate > plain
    # Without states and without a features-only twin, the estimate is unknown (not a guess).
    assert model.scores({"pmi_fwd": 0.0}).estimate is None
    with pytest.raises(MtqaError):
        head.raw([{"pmi_fwd": 0.0}])


def test_a_damaged_or_foreign_file_is_a_one_line_error(tmp_path):
    with pytest.raises(MtqaError, match="not a valid mtqa quality head"):
        parse_quality_model(b"not an npz")
    path = tmp_path / "old.npz"
    save_quality_model(small_model(), path)
    data = np.load(path)
    arrays = {k: data[k] for k in data.files}
    arrays["meta"] = np.frombuffer(b'{"format": 1}', dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(MtqaError, match=f"format 1, this mtqa reads {FORMAT_VERSION}"):
        load_quality_model(path)
    with pytest.raises(MtqaError, match="cannot read"):
        load_quality_model(tmp_path / "missing.npz")


def test_without_states_a_head_on_states_falls_back_to_its_features_only_twin():
    states = linear_head(["pmi_fwd"], [0.0], hidden=("tgt_diff_last",), projection=np.ones((4, 1)))
    twin = linear_head(["pmi_fwd"], [1.0])
    model = small_model(estimate=states, **{"estimate/features": twin})
    assert model.scores({"pmi_fwd": 1.5}).estimate == pytest.approx(75.0, abs=0.1)


def test_the_shipped_head_loads_and_says_what_it_was_trained_on():
    shipped = load_quality_model()
    assert shipped.version.startswith("quality-head")
    assert {"estimate", "adequacy", "fluency"} <= set(shipped.heads)
    trained = shipped.meta["training_data"]
    assert len(trained["signature"]) == 16 and sum(trained["items"].values()) > 0
    # Raw lengths are never inputs of the estimate (issue 9: it must not learn "long = bad").
    for head in shipped.heads.values():
        assert not {"tgt_tokens", "src_tokens", "tgt_chars", "src_chars"} & set(head.features)


def test_model_info_shows_the_quality_head():
    import json

    from click.testing import CliRunner

    from mtqa.cli import main_group

    result = CliRunner().invoke(main_group, ["model", "info", "--json"])
    assert result.exit_code == 0, result.output
    head = json.loads(result.output)["quality_head"]
    assert head["version"] == load_quality_model().version
    assert head["training_data"]["signature"]
