"""Neural findings a reviewer can act on: spans never cut a word, every message names its words in every
output format, a pair-level "poor match" needs the aligner's agreement, a major needs more than the model.

Scores and spans come from scripted scorers (no model weights)."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

import mtqa
from mtqa.align import make_pairs
from mtqa.checks.neural import SIMILARITY_VOUCH
from mtqa.data import ModelSpan, PairScore, Severity
from mtqa.languages import get_language
from mtqa.report.github import render_github
from mtqa.report.json_report import report_to_dict
from mtqa.report.junit import render_junit
from mtqa.report.rich_report import render_rich
from mtqa.report.sarif import render_sarif
from mtqa.score.neural import _word_bounds, trim_function_words

ZH, EN = get_language("zh"), get_language("en")


def widened(text: str, piece: str, language=EN, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    low, high = _word_bounds(text, start, start + len(piece), language)
    return text[low:high]


@pytest.mark.parametrize(
    ("text", "piece", "word"),
    [
        ("He couldn't stop.", "couldn", "couldn't"),  # the token ends before the apostrophe
        ("He couldn’t stop.", "couldn", "couldn’t"),  # typographic apostrophe
        ("He couldn't stop.", "'t", "couldn't"),  # the token starts at it
        ("a well-known fact", "known", "well-known"),
        ("a well-known fact", "well", "well-known"),
        ("the so-called reform", "called", "so-called"),
        ("COVID-19 cases", "19", "COVID-19"),
        ("o’clock", "clock", "o’clock"),
        ("resolutely avoided", "resol", "resolutely"),
        ("stiff, foot soldiers", "foot", "foot"),  # a comma is not inside a word
        ("the students' books", "students", "students"),  # a closing apostrophe is not a joiner
        ("'hello' she said", "hello", "hello"),  # nor is an opening quote
        ("He texted me.", "ext", "texted"),
    ],
)
def test_english_spans_widen_to_whole_words(text, piece, word):
    assert widened(text, piece) == word


def test_function_word_trimming_keeps_hyphenated_and_contracted_words_whole():
    text = "the so-called reform"
    start, end = trim_function_words(text, 0, len(text), EN)
    assert text[start:end] == "so-called reform"
    text = "it couldn't be"
    start, end = trim_function_words(text, 0, len(text), EN)
    assert text[start:end] == "couldn't"


@pytest.mark.parametrize(
    ("text", "piece", "word"),
    [
        ("他给我发短信。", "短", "短信"),
        ("三体世界的最新消息", "新", "最新消息"),
        ("他不爱说话。", "说", "说话"),
        ("坚决避免，以牺牲", "避免，", "避免"),
    ],
)
def test_chinese_spans_widen_to_segmenter_words(text, piece, word):
    assert widened(text, piece, ZH) == word


def test_chinese_trimming_drops_particles_but_not_characters_of_words():
    text = "这个都市很大"
    start, end = trim_function_words(text, 2, 4, ZH)  # 都市 "city": 都 is a particle only on its own
    assert text[start:end] == "都市"
    text = "并讲话"
    start, end = trim_function_words(text, 0, 3, ZH)
    assert text[start:end] == "讲话"


# --------------------------------------------------------------------------------------------------------
# Messages and the rules of the check.


class OneBeadAligner:
    name = "one-bead"

    def __init__(self, similarity: float | None) -> None:
        self.similarity = similarity

    def align(self, source, target, source_language, target_language, glossary=None):
        return make_pairs([([0], [0])], source.segments, target.segments, [self.similarity])


class ScriptedScorer:
    """Scores every pair with the given adequacy and puts the given spans (side, word, severity) on it."""

    name = "scripted"

    def __init__(self, spans=(), adequacy: float = 80.0) -> None:
        self.spans = spans
        self.adequacy = adequacy

    def score(self, source, target, pairs, source_language, target_language):
        out = {}
        for p in pairs:
            spans = []
            for side, word, severity in self.spans:
                offset = p.source_start if side == "source" else p.target_start
                text = p.source_text(source) if side == "source" else p.target_text(target)
                start = offset + text.index(word)
                category = "accuracy/omission" if side == "source" else "accuracy/mistranslation"
                spans.append(ModelSpan(side, start, start + len(word), word, category, severity,
                                       10.0 if severity is Severity.MAJOR else 5.0, "scripted reason"))
            out[p.id] = PairScore(self.adequacy, 80.0, 80.0, {"tgt_tokens": 20.0}, spans)
        return out


SOURCE = "他逢沟跳沟，一句话也不说。"
TARGET = "He jumped every ditch and couldn't say a single word."


def check(spans=(), similarity: float | None = 0.7, adequacy: float = 80.0, mode: str = "confident",
          min_adequacy: float = 10.0):
    settings = {"neural": {"spans": mode, "min_adequacy": min_adequacy}}
    return mtqa.check(SOURCE, TARGET, aligner=OneBeadAligner(similarity),
                      scorer=ScriptedScorer(spans, adequacy), source_lang="zh", target_lang="en",
                      options=mtqa.CheckOptions(check_settings=settings))


def neural(report):
    return [f for f in report.findings if f.check == "neural"]


def test_every_span_finding_names_its_words_in_the_message():
    report = check([("target", "couldn't", Severity.MINOR), ("source", "逢沟跳沟", Severity.MINOR)])
    messages = sorted(f.message for f in neural(report))
    assert messages[0].startswith("possible mistranslation “couldn't”: scripted reason")
    assert messages[1].startswith("possible omission of “逢沟跳沟”: scripted reason")


def test_long_spans_are_quoted_shortened_on_one_line():
    from mtqa.checks.neural import QUOTE_LIMIT, quoted

    text = "word " * 40
    assert len(quoted(text)) == QUOTE_LIMIT + 2 and quoted(text).endswith("…”")
    assert quoted("two\nlines") == "“two lines”"


def _renderings(report) -> dict[str, str]:
    plain = io.StringIO()
    render_rich(report, Console(file=plain, no_color=True, width=200))
    return {
        "plain text": plain.getvalue(),
        "json": json.dumps(report_to_dict(report), ensure_ascii=False),
        "sarif": render_sarif(report),
        "junit": render_junit(report),
        "github": render_github(report),
    }


def test_the_words_are_in_every_output_format():
    report = check([("target", "couldn't", Severity.MINOR), ("source", "逢沟跳沟", Severity.MINOR)])
    for name, text in _renderings(report).items():
        for message in ("possible mistranslation “couldn't”", "possible omission of “逢沟跳沟”"):
            assert message in text, name


def test_a_pair_level_poor_match_needs_the_aligner_to_agree():
    # the model finds the pair a poor match; only a bead the aligner also finds dissimilar is reported
    agreed = neural(check(adequacy=3.0, similarity=0.05))
    assert [f.category for f in agreed] == ["accuracy/mistranslation"]
    assert "poor match" in agreed[0].message and "“He jumped every ditch" in agreed[0].message
    assert neural(check(adequacy=3.0, similarity=SIMILARITY_VOUCH + 0.1)) == []
    assert neural(check(adequacy=3.0, similarity=None)) == []  # the length aligner has no opinion


def test_the_pair_level_poor_match_is_off_by_default():
    # Off unless min_adequacy is set (docs/neural.md "False alarms"): the pair above, default settings.
    report = mtqa.check(SOURCE, TARGET, aligner=OneBeadAligner(0.05), scorer=ScriptedScorer((), 3.0),
                        source_lang="zh", target_lang="en")
    assert neural(report) == [] and report.scores[0].adequacy == 3.0


def test_a_strong_model_span_is_major_only_where_the_aligner_does_not_vouch_for_the_pair():
    span = [("target", "couldn't", Severity.MAJOR)]
    assert [f.severity for f in neural(check(span, similarity=0.7))] == [Severity.MINOR]
    assert [f.severity for f in neural(check(span, similarity=None))] == [Severity.MINOR]
    assert [f.severity for f in neural(check(span, similarity=0.1))] == [Severity.MAJOR]
