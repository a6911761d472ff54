"""The real model (Gemma 3 270M) on a few pairs: slow-ish (loads the model), marked ``model``."""

from __future__ import annotations

import json

import pytest

from mtqa.languages import get_language
from mtqa.score.lm import Request
from mtqa.score.neural import NeuralScorer

pytestmark = pytest.mark.model

PAIRS = [
    ("辽宁省与中国节能环保集团有限公司举行会谈。",
     "Liaoning Province held talks with China Energy Conservation and Environmental Protection Group."),
    ("三月份食品和能源价格上涨，出口连续第二个月下降。",
     "Food and energy prices rose in March, while exports fell for the second month in a row."),
    ("该大学的科学家发现了一种储存太阳能的新方法。",
     "Scientists at the university have found a new way to store solar energy."),
]


@pytest.fixture
def model(gemma_model):
    return gemma_model


def test_matched_pairs_score_above_mismatched(model):
    sources = [s for s, _ in PAIRS]
    targets = [t for _, t in PAIRS]
    mismatched = [(sources[i], targets[(i + 1) % len(targets)]) for i in range(len(PAIRS))]
    scorer = NeuralScorer(model, quiet=True)
    zh, en = get_language("zh"), get_language("en")
    good = scorer.score_texts(PAIRS, zh, en)
    bad = scorer.score_texts(mismatched, zh, en)
    for g, b in zip(good, bad, strict=True):
        assert g.features["pmi_fwd"] > b.features["pmi_fwd"] + 0.5
        assert g.features["pmi_rev"] > b.features["pmi_rev"] + 0.5
        assert g.adequacy > b.adequacy
    for result, (source, target) in zip(good + bad, PAIRS + mismatched, strict=True):
        for span in result.spans:
            text = source if span.side == "source" else target
            assert text[span.start : span.end] == span.text


def test_a_pairs_scores_do_not_depend_on_the_rest_of_its_batch(model):
    """``mtqa batch`` forms different batches with different executors and batch sizes: the same pair must
    get the same log-probs, features and pooled states alone, in a batch with other pairs (another
    packing), and with another thread count (a Ray actor with one thread vs a local run with two)."""
    import numpy as np
    import torch

    zh, en = get_language("zh"), get_language("en")
    scorer = NeuralScorer(model, quiet=True)
    others = [(s * 3, t * 3) for s, t in PAIRS] + [("好。", "Good.")]
    together = scorer.score_texts([*PAIRS, *others], zh, en)[: len(PAIRS)]
    threads = torch.get_num_threads()
    torch.set_num_threads(1 if threads > 1 else 2)
    try:
        alone = [scorer.score_texts([pair], zh, en)[0] for pair in reversed(PAIRS)][::-1]
    finally:
        torch.set_num_threads(threads)
    for a, b in zip(together, alone, strict=True):
        assert a.features == b.features
        assert (a.estimate, a.adequacy, a.fluency) == (b.estimate, b.adequacy, b.fluency)
    requests = [Request(("Chinese:", f" {s}", "\nEnglish:", f" {t}"), (1, 3)) for s, t in PAIRS]
    batch = model.score_pooled(requests)
    for request, (scored, pooled) in zip(requests, batch, strict=True):
        [(one, one_pooled)] = model.score_pooled([request])
        assert [p.logprobs for p in scored] == [p.logprobs for p in one]
        assert np.array_equal(pooled, one_pooled)


def test_tiled_projection_matches_full_softmax(model):
    """The tiled normaliser equals a plain full-vocabulary log_softmax of the same hidden states in
    float32 (the bfloat16 projection's rounding stays within a few hundredths of a nat)."""
    import torch

    request = Request(("English:", " Exports fell for the second month in a row."), (1,))
    [[piece]] = model.score([request])
    ids = [model.bos_token_id, *model.token_ids("English:")]
    first = len(ids)
    ids += piece.token_ids
    with torch.inference_mode():
        hidden = model._lm.model(input_ids=torch.tensor([ids])).last_hidden_state[0]
        weight = model._lm.lm_head.weight.float()
        logits = model._softcap(hidden[first - 1 : len(ids) - 1].float() @ weight.T).log_softmax(-1)
    expected = logits.gather(1, torch.tensor(piece.token_ids)[:, None])[:, 0].tolist()
    assert piece.logprobs == pytest.approx(expected, abs=0.05)
    assert max(piece.logprobs) <= 0.0  # a probability, even for a confident prediction
    assert piece.offsets[0] == (0, 8)  # " Exports" with its leading space, offsets into the piece


def test_projection_falls_back_when_the_target_is_far_below_the_best_token(model):
    """A target logit more than ~88 nats below another one overflows the shifted sum; such rows are
    recomputed from full logits and still match float32."""
    import torch

    weight = model._lm.lm_head.weight
    with torch.inference_mode():
        # A hidden state pointing hard at one token makes the spread of logits hundreds of nats wide.
        hidden = (weight[1000].float() * 150).to(weight.dtype)[None].repeat(2, 1)
        full = (hidden.float() @ weight.float().T).log_softmax(-1)[0]
        targets = torch.tensor([1000, int(full.argmin())])
        got = model._gather_logprobs(hidden, targets)
    expected = full[targets]
    assert float(expected[1]) < -100  # the case the fallback exists for
    assert torch.isfinite(got).all()
    assert got.tolist() == pytest.approx(expected.tolist(), rel=0.01, abs=0.05)
    assert float(got.max()) <= 0.0


def test_shuffled_words_are_less_fluent(model):
    scorer = NeuralScorer(model, quiet=True)
    zh, en = get_language("zh"), get_language("en")
    source, target = PAIRS[1]
    words = target.rstrip(".").split()
    shuffled = " ".join(words[::2] + words[1::2]) + "."
    fluent, broken = scorer.score_texts([(source, target), (source, shuffled)], zh, en)
    assert fluent.features["tgt_lp_uncond"] > broken.features["tgt_lp_uncond"] + 1.0
    assert fluent.fluency > broken.fluency


def test_sample_report_has_scores_and_model_findings(model):
    from pathlib import Path

    import mtqa
    from mtqa.pipeline import CheckOptions
    from mtqa.report.json_report import render_json

    sample = Path(__file__).resolve().parent.parent / "samples" / "liaoning-cecep"
    report = mtqa.check(
        (sample / "source.zh.txt").read_text(encoding="utf-8"),
        (sample / "translation.en.txt").read_text(encoding="utf-8"),
        glossary=mtqa.load_glossary(str(sample / "glossary.tsv")),
        scorer=NeuralScorer(model, quiet=True),
        # The span tagger's default shows only spans above its precision floors (none on the sample,
        # docs/neural.md "Spans"); this test is about the model producing findings with valid offsets.
        options=CheckOptions(check_settings={"neural": {"spans": "all"}}),
    )
    aligned = [p for p in report.pairs if p.source_segments and p.target_segments]
    assert set(report.scores) == {p.id for p in aligned}
    assert all(0 <= s.adequacy <= 100 and 0 <= s.fluency <= 100 for s in report.scores.values())
    assert report.summary.adequacy is not None and report.summary.estimate is not None
    neural = [f for f in report.findings if f.check == "neural"]
    assert neural, "the model found nothing on the sample"
    for finding in neural:
        span = finding.target_span or finding.source_span
        document = report.target if finding.target_span else report.source
        assert document.text[span.start : span.end] == span.text
    data = json.loads(render_json(report))
    both_sides = [p for p in data["pairs"] if p["source_segments"] and p["target_segments"]]
    assert all(p["adequacy"] is not None and p["estimate"] is not None for p in both_sides)


def test_hidden_states_are_public_for_experiments(model):
    """``benchmarks/hidden_head.py`` reads the transformer body through this, not through private fields."""
    ids = [model.bos_token_id, *model.token_ids("Hello world")]
    states = model.hidden_states([ids, ids[:2]])
    assert len(states) >= 2
    assert tuple(states[-1].shape) == (2, len(ids), model.hidden_size)
    # Padding on the right leaves the shorter row's own positions as they are alone.
    alone = model.hidden_states([ids[:2]])
    assert (states[-1][1, :2].float() - alone[-1][0].float()).abs().max().item() < 0.1
