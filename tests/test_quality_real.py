"""The trained quality head on the real model (Gemma 3 270M): pooled states from the scoring pass, and a
contrast case (intact above damaged). Slow-ish (loads the model), marked ``model``."""

from __future__ import annotations

import numpy as np
import pytest

from mtqa.contrast import damage
from mtqa.languages import get_language
from mtqa.score.lm import Request
from mtqa.score.neural import NeuralScorer

pytestmark = pytest.mark.model

# Not from any training or evaluation set: written for this test.
SOURCE = "该公司去年在沈阳新建了三座工厂，对德国的出口增长了百分之十二，政府表示将继续支持这一计划。"
TARGET = ("Last year the company built three new factories in Shenyang, its exports to Germany grew by "
          "12 percent, and the government said it would continue to support the plan.")


@pytest.fixture
def model(gemma_model):
    return gemma_model


def test_pooled_states_come_from_the_same_pass_as_the_log_probs(model):
    request = Request(("Chinese:", " " + SOURCE, "\nEnglish:", " " + TARGET), (1, 3))
    [plain] = model.score([request])
    [(scored, pooled)] = model.score_pooled([request])
    for a, b in zip(plain, scored, strict=True):
        assert a.token_ids == b.token_ids and np.allclose(a.logprobs, b.logprobs, atol=1e-5)
    assert pooled.shape == (2, 2, model.hidden_size)
    assert np.isfinite(pooled).all() and not np.allclose(pooled[0], pooled[1])


@pytest.mark.parametrize("kind", ["omission", "number", "entity"])
def test_the_estimate_ranks_the_intact_translation_above_a_damaged_copy(model, kind):
    scorer = NeuralScorer(model, quiet=True)
    assert scorer.calibration is not None, "the trained quality head is shipped"
    damaged = damage(TARGET, kind, seed=0)
    assert damaged is not None
    intact, broken = scorer.score_texts([(SOURCE, TARGET), (SOURCE, damaged.text)], get_language("zh"),
                                        get_language("en"))
    assert intact.estimate > broken.estimate, (kind, damaged.text, intact.estimate, broken.estimate)
