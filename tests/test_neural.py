"""The neural scorer, its spans and its check, on the fake language model (fast, no weights)."""

from __future__ import annotations

import pytest

import mtqa
from mtqa.align import make_pairs
from mtqa.data import Severity
from mtqa.languages import get_language
from mtqa.score.neural import (
    FEATURE_NAMES,
    MQM_PREDICTION,
    NeuralScorer,
    _word_bounds,
    fallback_scores,
    score_text_pairs,
    strongest_runs,
)
from tests.fake_model import FakeLanguageModel


def spans_on(mode: str = "confident") -> mtqa.CheckOptions:
    """Options that report model spans (off by default since issue 14: docs/neural.md)."""
    return mtqa.CheckOptions(check_settings={"neural": {"spans": mode}})

ZH, EN = get_language("zh"), get_language("en")

DICTIONARY = [
    ("郝", "hao"), ("鹏", "peng"), ("主", "chaired"), ("持", "chaired"), ("会", "meeting"), ("议", "meeting"),
    ("并", "and"), ("讲", "spoke"), ("话", "spoke"), ("。", "."), ("天", "weather"), ("气", "weather"),
    ("好", "fine"), ("今", "today"), ("取", "cancelled"), ("消", "cancelled"), ("昨", "yesterday"),
]


class DiagonalAligner:
    name = "diagonal"

    def __init__(self, similarity: float | None = None) -> None:
        self.similarity = similarity

    def align(self, source, target, source_language, target_language, glossary=None):
        n, m = len(source.segments), len(target.segments)
        beads = [([i], [i]) for i in range(min(n, m))]
        return make_pairs(beads, source.segments, target.segments, [self.similarity] * len(beads))


def scorer(**fake_options) -> NeuralScorer:
    # Without the shipped calibration the scores follow the documented fallback mapping.
    return NeuralScorer(FakeLanguageModel(DICTIONARY, **fake_options), quiet=True, use_calibration=False)


def test_strongest_runs_merges_neighbours_and_respects_threshold():
    badness = [0, 0, 3, 2.5, 0, 0, 0, 1, 0, 4, 0]
    support = [2, 2, 0, 0, 1, 3, 2, 0, 1, 0, 2]  # well-supported tokens between the bad ones
    runs = strongest_runs(badness, margin=0.5, threshold=4.5, support=support)
    assert [(first, end) for first, end, _ in runs] == [(2, 4)]
    assert runs[0][2] == pytest.approx(5.5)
    # A lower threshold also keeps the lone strong token; the weak one never clears its margin.
    assert [(f, e) for f, e, _ in strongest_runs(badness, 0.5, 3.0, support)] == [(2, 4), (9, 10)]
    # Without support between them, cheap gaps let the two bad stretches merge into one run.
    assert [(f, e) for f, e, _ in strongest_runs(badness, 0.5, 4.0)] == [(2, 10)]
    assert strongest_runs([], 0.5, 1.0) == []
    assert strongest_runs([0.1, 0.2], 0.5, 0.0) == []


def test_word_bounds_widen_subwords_and_trim_punctuation():
    text = "and resolutely avoided, it"
    # a sub-word token "resol" widens to the whole word in a space-separated language
    assert text[slice(*_word_bounds(text, 4, 9, EN))] == "resolutely"
    assert text[slice(*_word_bounds(text, 14, 23, EN))] == "avoided"
    zh = "坚决避免，以牺牲"
    assert zh[slice(*_word_bounds(zh, 2, 5, ZH))] == "避免"


def test_features_are_the_documented_names():
    [result] = score_text_pairs([("郝鹏主持会议。", "Hao Peng chaired the meeting.")],
                                model=FakeLanguageModel(DICTIONARY))
    # the shipped calibration adds its predicted MQM score beside the model features
    assert set(result.features) - {MQM_PREDICTION} == set(FEATURE_NAMES)
    assert result.features[MQM_PREDICTION] <= 0
    assert result.features["pmi_fwd"] > 0
    assert result.features["tgt_tokens"] == 6  # Hao Peng chaired the meeting .
    assert result.features["src_chars"] == 7


def test_matched_pair_scores_above_mismatched_pair():
    texts = [
        ("郝鹏主持会议。", "Hao Peng chaired the meeting."),
        ("今天天气好。", "Hao Peng chaired the meeting."),
    ]
    matched, mismatched = scorer().score_texts(texts, ZH, EN)
    assert matched.features["pmi_fwd"] > mismatched.features["pmi_fwd"]
    assert matched.features["pmi_rev"] > mismatched.features["pmi_rev"]
    assert matched.adequacy > mismatched.adequacy
    assert matched.estimate > mismatched.estimate


def test_omitted_source_phrase_becomes_a_source_span():
    source, target = "郝鹏主持会议并讲话。", "Hao Peng chaired the meeting."
    [result] = scorer().score_texts([(source, target)], ZH, EN)
    omissions = [s for s in result.spans if s.category == "accuracy/omission"]
    # the conjunction 并 ("and") at the run's edge is trimmed off: the omitted content is 讲话
    assert [(s.side, source[s.start : s.end]) for s in omissions] == [("source", "讲话")]
    assert all(s.text == source[s.start : s.end] for s in omissions)


def test_unsupported_target_words_become_a_mistranslation_span_with_severity_from_strength():
    source, target = "郝鹏主持会议。", "Hao Peng cancelled yesterday meeting."
    [result] = scorer(unsupported=-8.0).score_texts([(source, target)], ZH, EN)
    [span] = [s for s in result.spans if s.side == "target"]
    assert span.category == "accuracy/mistranslation"
    assert target[span.start : span.end] == "cancelled yesterday"
    # two tokens at PMI −4 and 3 nats of capped surprise each: 14 nats, a major candidate
    assert span.strength == pytest.approx(14.0)
    assert span.severity is Severity.MAJOR


def test_garbled_words_unlikely_with_and_without_source_are_grammar_candidates():
    source, target = "郝鹏主持会议。", "Hao Peng chaired blorf zzzq the meeting."
    [result] = scorer(garbled=["blorf", "zzzq"]).score_texts([(source, target)], ZH, EN)
    [span] = [s for s in result.spans if s.side == "target"]
    assert span.category == "fluency/grammar"
    assert span.text == "blorf zzzq"


def test_pipeline_spans_have_document_offsets_and_become_findings():
    source = "今天天气好。郝鹏主持会议并讲话。"
    target = "The weather is fine today. Hao Peng chaired the meeting."
    report = mtqa.check(source, target, aligner=DiagonalAligner(), scorer=scorer(),
                        source_lang="zh", target_lang="en", options=spans_on())
    assert set(report.scores) == {0, 1}
    assert all(0 <= s.adequacy <= 100 and 0 <= s.fluency <= 100 for s in report.scores.values())
    spans = [span for s in report.scores.values() for span in s.spans]
    for span in spans:
        document = report.source if span.side == "source" else report.target
        assert document.text[span.start : span.end] == span.text
    findings = [f for f in report.findings if f.check == "neural"]
    omissions = [f for f in findings if f.category == "accuracy/omission"]
    assert [f.source_span.text for f in omissions] == ["讲话"]
    assert omissions[0].pair == 1
    assert report.summary.adequacy is not None and report.summary.fluency is not None


def test_check_reports_very_low_pair_scores_once():
    source, target = "今天天气好。", "Hao Peng chaired the meeting."
    # the aligner agrees (similarity of unrelated sentences): a pair-level finding is possible
    report = mtqa.check(source, target, aligner=DiagonalAligner(similarity=0.05), scorer=scorer(),
                        source_lang="zh", target_lang="en",
                        options=mtqa.CheckOptions(check_settings={"neural": {"min_adequacy": 10.0}}))
    score = report.scores[0]
    assert score.adequacy < 10
    low = [f for f in report.findings if f.check == "neural" and "poor match" in f.message]
    # the unrelated pair is flagged at pair level unless a mistranslation span already covers it
    has_span = any(s.category == "accuracy/mistranslation" for s in score.spans)
    assert len(low) == (0 if has_span else 1)


def test_check_without_scores_finds_nothing():
    report = mtqa.check("郝鹏主持会议。", "Hao Peng chaired the meeting.", aligner=DiagonalAligner(),
                        source_lang="zh", target_lang="en")
    assert report.scores == {}
    assert [f for f in report.findings if f.check == "neural"] == []


def test_fallback_scores_are_monotone():
    base = {"pmi_fwd": 1.0, "pmi_rev": 1.0, "tgt_lp_uncond": -5.0}
    low_a, low_f, _ = fallback_scores(base)
    high_a, _, _ = fallback_scores({**base, "pmi_fwd": 2.0, "pmi_rev": 2.0})
    _, high_f, _ = fallback_scores({**base, "tgt_lp_uncond": -3.0})
    assert high_a > low_a and high_f > low_f
    # the weaker direction decides adequacy: an omission (low reverse PMI) is not hidden by the other
    assert fallback_scores({**base, "pmi_fwd": 3.0, "pmi_rev": 0.0})[0] < low_a


def test_scorer_makes_two_model_requests_per_pair_in_one_batch():
    model = FakeLanguageModel(DICTIONARY)
    NeuralScorer(model, quiet=True).score_texts(
        [("郝鹏主持会议。", "Hao Peng chaired the meeting."), ("今天天气好。", "The weather is fine today.")],
        ZH,
        EN,
    )
    assert model.requests_seen == 4


def test_spans_inside_prescribed_glossary_terms_are_dropped():
    from mtqa.data import Glossary, GlossaryEntry

    source, target = "郝鹏主持会议。", "Hao Peng cancelled yesterday meeting."
    options = {"aligner": DiagonalAligner(), "scorer": scorer(unsupported=-8.0),
               "source_lang": "zh", "target_lang": "en"}
    plain = mtqa.check(source, target, options=spans_on(), **options)
    assert [f.target_span.text for f in plain.findings if f.check == "neural" and f.target_span
            and f.category == "accuracy/mistranslation"] == ["cancelled yesterday"]
    glossary = Glossary([GlossaryEntry("主持", "cancelled yesterday")])
    vouched = mtqa.check(source, target, glossary=glossary, options=spans_on(), **options)
    assert not [f for f in vouched.findings if f.check == "neural" and f.target_span
                and f.target_span.text == "cancelled yesterday"]


def test_overlong_sides_are_scored_on_their_first_characters():
    from mtqa.score.neural import MAX_SIDE_CHARS

    source = "郝鹏主持会议。" * 400
    target = "Hao Peng chaired the meeting. " * 300
    [result] = scorer().score_texts([(source, target)], ZH, EN)
    assert result.features["src_chars"] == len(source)  # lengths describe the whole pair …
    assert result.features["src_tokens"] <= MAX_SIDE_CHARS  # … token scores only its first part
    assert all(span.end <= MAX_SIDE_CHARS for span in result.spans)
