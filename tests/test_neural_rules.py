"""Precision rules of the neural findings: content words, short strings, the aligner's agreement, the MQM
estimate.

Pair scores come from a scripted scorer so that each rule is tested on its own, without the model."""

from __future__ import annotations

import dataclasses
import json

import pytest

import mtqa
from mtqa.align import make_pairs
from mtqa.checks.neural import MIN_ADEQUACY, MIN_FLUENCY, MIN_JUDGED_TOKENS, SIMILARITY_VOUCH
from mtqa.data import Glossary, GlossaryEntry, PairScore
from mtqa.languages import get_language
from mtqa.pipeline import CheckOptions
from mtqa.report.json_report import report_to_dict
from mtqa.score.neural import has_content

ZH, EN = get_language("zh"), get_language("en")


class OneBeadAligner:
    """Aligns the first segments of both sides with a given similarity."""

    name = "one-bead"

    def __init__(self, similarity: float | None) -> None:
        self.similarity = similarity

    def align(self, source, target, source_language, target_language, glossary=None):
        return make_pairs([([0], [0])], source.segments, target.segments, [self.similarity])


class ScriptedScorer:
    """Gives every pair the same scores and no spans."""

    name = "scripted"

    def __init__(self, adequacy: float, fluency: float, tokens: float, mqm: float | None = None) -> None:
        self.values = (adequacy, fluency, tokens, mqm)

    def score(self, source, target, pairs, source_language, target_language):
        adequacy, fluency, tokens, mqm = self.values
        features = {"tgt_tokens": tokens}
        if mqm is not None:
            features["mqm_pred"] = mqm
        return {p.id: PairScore(adequacy, fluency, (adequacy + fluency) / 2, features) for p in pairs}


def neural_findings(source, target, *, similarity=0.05, adequacy=3.0, fluency=2.0, tokens=12.0,
                    glossary=None, min_fluency=5.0, min_adequacy=10.0):
    # the pair-level findings are off by default; these tests switch them on to see the gates apply
    settings = {"neural": {"min_fluency": min_fluency, "min_adequacy": min_adequacy}}
    options = CheckOptions(check_settings=settings)
    report = mtqa.check(source, target, aligner=OneBeadAligner(similarity),
                        scorer=ScriptedScorer(adequacy, fluency, tokens), glossary=glossary,
                        source_lang="zh", target_lang="en", options=options)
    return [f for f in report.findings if f.check == "neural"]


@pytest.mark.parametrize("text", ["It", "for", "that", "and the", "of it"])
def test_spans_of_function_words_only_have_no_content(text):
    assert not has_content(text, EN)


@pytest.mark.parametrize("text", ["and new", "General", "invaluable assets", "2019"])
def test_spans_with_a_content_word_keep_it(text):
    assert has_content(text, EN)


def test_chinese_particles_alone_have_no_content_but_words_do():
    assert not has_content("的", ZH) and not has_content("和", ZH)
    assert has_content("治理", ZH)


def test_languages_without_a_word_list_keep_every_span():
    other = dataclasses.replace(EN, code="xx", function_words=None)
    assert has_content("for", other)


def test_low_scores_on_a_long_unrelated_pair_are_reported():
    findings = neural_findings("今天天气很好，我们去散步吧。", "The committee approved the annual budget.")
    assert sorted(f.category for f in findings) == ["accuracy/mistranslation", "fluency/grammar"]


def test_pair_level_findings_are_off_by_default():
    pair = ("今天天气很好，我们去散步吧。", "The committee approved the annual budget.")
    adequacy_only = neural_findings(*pair, min_fluency=MIN_FLUENCY)
    assert [f.category for f in adequacy_only] == ["accuracy/mistranslation"]
    fluency_only = neural_findings(*pair, min_adequacy=MIN_ADEQUACY)
    assert [f.category for f in fluency_only] == ["fluency/grammar"]
    assert neural_findings(*pair, min_fluency=MIN_FLUENCY, min_adequacy=MIN_ADEQUACY) == []


def test_strings_too_short_for_the_model_get_no_pair_level_finding():
    assert neural_findings("保存", "Save", tokens=MIN_JUDGED_TOKENS - 4) == []
    assert neural_findings("登录", "Sign in", tokens=MIN_JUDGED_TOKENS - 1) == []
    assert len(neural_findings("登录", "Sign in", tokens=MIN_JUDGED_TOKENS)) == 2


def test_a_low_adequacy_is_reported_only_where_the_aligner_agrees():
    # a name list the model cannot read: the sentence encoder vouches for it, no pair-level finding
    source, target = "郝鹏李乐成宋鑫出席", "Hao Peng, Li Lecheng and Song Xin attended"
    vouched = neural_findings(source, target, similarity=SIMILARITY_VOUCH + 0.3)
    assert [f.category for f in vouched] == ["fluency/grammar"]  # adequacy not reported, fluency still is
    # a mismatched bead (similarity of unrelated text): both agree
    findings = neural_findings(source, target, similarity=0.05)
    assert "accuracy/mistranslation" in [f.category for f in findings]
    # no similarity at all (length aligner): no second opinion, no pair-level adequacy finding
    assert "accuracy/mistranslation" not in [f.category for f in neural_findings(source, target,
                                                                                 similarity=None)]


def test_json_pairs_carry_the_mqm_estimate():
    report = mtqa.check("今天天气很好。", "The weather is fine today.", aligner=OneBeadAligner(0.8),
                        scorer=ScriptedScorer(80.0, 90.0, 7.0, mqm=-1.5), source_lang="zh", target_lang="en")
    data = json.loads(json.dumps(report_to_dict(report)))
    assert data["pairs"][0]["mqm_estimate"] == -1.5
    without_model = mtqa.check("今天天气很好。", "The weather is fine today.", aligner=OneBeadAligner(0.8),
                               source_lang="zh", target_lang="en")
    assert report_to_dict(without_model)["pairs"][0]["mqm_estimate"] is None


def _analysis(target_cond, target_uncond):
    from mtqa.score.neural import PairAnalysis, TokenScores

    offsets = [(0, 3), (3, 7), (7, 11)]  # "the", " cat", " sat"
    target = TokenScores([1, 2, 3], offsets, target_cond, target_uncond)
    return PairAnalysis(TokenScores([], [], [], []), target, {})


def test_weak_mistranslation_spans_are_dropped_and_strong_ones_kept():
    from mtqa.score.neural import MIN_TARGET_STRENGTH, TARGET_THRESHOLD, find_spans

    assert MIN_TARGET_STRENGTH["accuracy/mistranslation"] > TARGET_THRESHOLD
    # "cat": PMI −3 plus 2.5 nats of surprise = 5.5 nats, above the floor
    strong = find_spans(_analysis([-1.0, -6.5, -1.0], [-1.0, -3.5, -1.0]), "猫坐", "the cat sat", ZH, EN)
    assert [(s.text, s.category) for s in strong] == [("cat", "accuracy/mistranslation")]
    # PMI −3 plus 0.5 of surprise = 3.5 nats: clears the run threshold, not the mistranslation floor
    weak = find_spans(_analysis([-1.0, -4.5, -1.0], [-1.0, -1.5, -1.0]), "猫坐", "the cat sat", ZH, EN)
    assert weak == []


def test_a_strong_span_on_a_function_word_alone_is_dropped():
    from mtqa.score.neural import find_spans

    spans = find_spans(_analysis([-6.5, -1.0, -1.0], [-3.5, -1.0, -1.0]), "猫坐", "the cat sat", ZH, EN)
    assert spans == []


def test_a_prescribed_glossary_term_at_a_span_edge_is_trimmed_off():
    from mtqa.score.neural import NeuralScorer
    from tests.fake_model import FakeLanguageModel
    from tests.test_neural import DICTIONARY, DiagonalAligner, spans_on

    source, target = "郝鹏主持会议。", "Hao Peng cancelled yesterday meeting."
    options = {"aligner": DiagonalAligner(), "source_lang": "zh", "target_lang": "en",
               "scorer": NeuralScorer(FakeLanguageModel(DICTIONARY, unsupported=-8.0), quiet=True,
                                      use_calibration=False)}

    def mistranslations(glossary):
        report = mtqa.check(source, target, glossary=glossary, options=spans_on(), **options)
        return [f.target_span.text for f in report.findings
                if f.check == "neural" and f.category == "accuracy/mistranslation" and f.target_span]

    assert mistranslations(None) == ["cancelled yesterday"]
    assert mistranslations(Glossary([GlossaryEntry("主持", "cancelled")])) == ["yesterday"]


class ScriptedSpanScorer:
    """One target span over the first occurrence of ``word`` in each pair's target."""

    name = "scripted-span"

    def __init__(self, word: str) -> None:
        self.word = word

    def score(self, source, target, pairs, source_language, target_language):
        from mtqa.data import ModelSpan, Severity

        out = {}
        for p in pairs:
            text = p.target_text(target)
            start = p.target_start + text.index(self.word)
            span = ModelSpan("target", start, start + len(self.word), self.word, "accuracy/mistranslation",
                             Severity.MINOR, 5.0, "scripted")
            out[p.id] = PairScore(80.0, 80.0, 80.0, {"tgt_tokens": 20.0}, [span])
        return out


@pytest.mark.parametrize(
    ("target", "word", "reported"),
    [
        ("{count, plural, one {You have # unread message} other {# messages}}", "one", False),
        ("Uploaded {{count}} files to the shared folder today.", "count", False),
        ("You have one unread message in the shared folder today.", "one", True),
    ],
)
def test_spans_on_message_format_syntax_are_not_reported(target, word, reported):
    report = mtqa.check("您有一条未读消息。", target, aligner=OneBeadAligner(0.8),
                        scorer=ScriptedSpanScorer(word), source_lang="zh", target_lang="en",
                        options=CheckOptions(check_settings={"neural": {"spans": "confident"}}))
    spans = [f.target_span.text for f in report.findings if f.check == "neural" and f.target_span]
    assert (spans == [word]) is reported


def test_spans_on_masked_codes_are_not_reported():
    from mtqa.l10n import mask_codes

    target = mask_codes("{count, plural, one {You have # unread message} other {# unread messages}}")
    report = mtqa.check("您有一条未读消息。", target, aligner=OneBeadAligner(0.8),
                        scorer=ScriptedSpanScorer(target[16:19]), source_lang="zh", target_lang="en")
    assert [f for f in report.findings if f.check == "neural" and f.target_span] == []
