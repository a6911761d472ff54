from __future__ import annotations

import pytest

import mtqa
from mtqa.align import make_pairs
from mtqa.data import Finding, PairScore, Severity
from mtqa.errors import MtqaError
from mtqa.languages import get_language
from mtqa.pipeline import CheckOptions, mqm_score, summarise

ZH = "省长主持会议。郝鹏讲话。"
EN = "The governor chaired the meeting. Hao Peng spoke."


class DiagonalAligner:
    """Pairs segment i with segment i; leftovers become additions or omissions."""

    name = "diagonal"

    def align(self, source, target, source_language, target_language, glossary=None):
        n, m = len(source.segments), len(target.segments)
        beads = [([i], [i]) for i in range(min(n, m))]
        beads += [([i], []) for i in range(m, n)] + [([], [j]) for j in range(n, m)]
        return make_pairs(beads, source.segments, target.segments)


class FakeScorer:
    name = "fake"

    def __init__(self):
        self.calls = 0

    def score(self, source, target, pairs, source_language, target_language):
        self.calls += 1
        return {p.id: PairScore(adequacy=80.0 + p.id, fluency=70.0, estimate=75.0)
                for p in pairs if p.source_segments and p.target_segments}


def test_check_runs_stages_in_order_with_injected_aligner_and_scorer():
    scorer = FakeScorer()
    report = mtqa.check(ZH, EN, aligner=DiagonalAligner(), scorer=scorer,
                        options=CheckOptions(enabled_checks=set()))
    assert scorer.calls == 1
    assert [p.kind for p in report.pairs] == ["1-1", "1-1"]
    assert report.pairs[1].source_text(report.source) == "郝鹏讲话。"
    assert report.pairs[1].target_text(report.target) == "Hao Peng spoke."
    assert report.summary.adequacy == 80.5 and report.summary.fluency == 70.0
    assert report.summary.passed and report.summary.score == 100.0
    assert report.source.lang == "zh" and report.target.lang == "en"


def test_same_language_refused():
    with pytest.raises(MtqaError, match="both English"):
        mtqa.check(EN, EN, aligner=DiagonalAligner())


def finding(severity):
    return Finding("x", "terminology", severity, "m")


def test_mqm_score_weights():
    assert mqm_score([finding(Severity.MINOR)] * 2 + [finding(Severity.MAJOR)], 100) == 93.0
    assert mqm_score([finding(Severity.CRITICAL)], 50) == 50.0


@pytest.mark.parametrize(
    ("fail_on", "min_score", "findings", "passed"),
    [
        (Severity.MAJOR, None, [finding(Severity.MINOR)], True),
        (Severity.MAJOR, None, [finding(Severity.MAJOR)], False),
        (Severity.MINOR, None, [finding(Severity.MINOR)], False),
        (None, None, [finding(Severity.CRITICAL)], True),
        (None, 99.0, [finding(Severity.MINOR)] * 2, False),
    ],
)
def test_gate(fail_on, min_score, findings, passed):
    from mtqa.data import Document

    target = Document(" ".join(["word"] * 100), "en")
    summary = summarise(target, [], findings, {}, CheckOptions(fail_on=fail_on, min_score=min_score),
                        get_language("en"))
    assert summary.passed is passed


class FixedSimilarityAligner(DiagonalAligner):
    def __init__(self, similarity):
        self.similarity = similarity

    def align(self, source, target, source_language, target_language, glossary=None):
        from dataclasses import replace

        pairs = super().align(source, target, source_language, target_language, glossary)
        return [replace(p, similarity=self.similarity) for p in pairs]


ZH4 = "省长主持会议。郝鹏讲话。会议结束。大家鼓掌。"
EN4 = "The governor chaired the meeting. Hao Peng spoke. The meeting ended. Everyone applauded."


def test_unrelated_documents_refused_by_similarity():
    with pytest.raises(mtqa.InputError, match="does not look like a translation"):
        mtqa.check(ZH4, EN4, aligner=FixedSimilarityAligner(0.1), target_path="t.txt")
    report = mtqa.check(ZH4, EN4, aligner=FixedSimilarityAligner(0.6),
                        options=CheckOptions(enabled_checks=set()))
    assert len(report.pairs) == 4


def test_similarity_test_needs_several_beads():
    report = mtqa.check(ZH, EN, aligner=FixedSimilarityAligner(0.05),
                        options=CheckOptions(enabled_checks=set()))
    assert len(report.pairs) == 2


def test_public_api_exposes_the_cli_defaults():
    assert callable(mtqa.create_aligner) and callable(mtqa.load_scorer)
    assert mtqa.create_aligner("length").name == "length"
