"""The punctuation check on hand-built aligned pairs."""

from __future__ import annotations

import pytest
from pairs_helper import make_context

from mtqa.align import make_pairs
from mtqa.checks import CheckContext
from mtqa.checks.punctuation import check_punctuation
from mtqa.data import Document, Segment, Severity
from mtqa.languages import get_language
from mtqa.segment import segment_document


def run(source, target, **kwargs):
    ctx = make_context(source, target, **kwargs)
    findings = list(check_punctuation(ctx))
    for finding in findings:
        span = finding.target_span
        assert ctx.target.text[span.start : span.end] == span.text
        assert finding.severity is Severity.MINOR
        assert finding.category == "fluency/punctuation"
    return findings


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("辽宁省举行会谈。", "Liaoning Province held talks."),
        ("实现“双碳”目标。", "Achieve the “dual carbon” goals."),
        ("他说：“好。”", "He said: “Good.”"),
        ("中国节能（CECEP）签约。", "China Energy Conservation (CECEP) signed."),
        ("发挥央地优势 深化拓展合作", "Give full play to the strengths of central and local actors"),
        ("郝鹏说，我们要加强合作", "Hao Peng said we must strengthen cooperation"),
        ("省领导出席。", "Provincial People’s Government leaders attended."),
        ("增长3.5%。", "Growth was 3.5%."),
        ("他说：", "He said:"),
        ("是吗？", "Is it?"),
    ],
)
def test_clean_punctuation_has_no_findings(source, target):
    assert run([source], [target]) == []


def test_full_width_marks_in_english():
    findings = run(["辽宁省、沈阳市举行会谈。"], ["Liaoning Province、Shenyang held talks。"])
    assert [(f.target_span.text, f.suggestion) for f in findings] == [("、", ","), ("。", ".")]


def test_full_width_marks_are_native_in_chinese():
    findings = run(["Liaoning held talks."], ["辽宁省、沈阳市举行会谈。"], source_lang="en", target_lang="zh")
    assert findings == []


def test_unclosed_quote_and_stray_bracket():
    findings = run(["实现“双碳”目标。"], ["Achieve the “dual carbon goals)."])
    assert sorted((f.target_span.text, f.message) for f in findings) == [
        (")", "')' closes nothing"),
        ("“", "'“' is never closed"),
    ]


def test_quote_spanning_two_sentences_of_one_line_is_balanced():
    source = Document("他说：“我们要加强合作。共同发展。”\n", "zh")
    target = Document("He said: “We must cooperate more. Let us develop together.”\n", "en")
    zh, en = get_language("zh"), get_language("en")
    source.segments = segment_document(source.text, zh)
    # Split by hand: a segmenter may or may not split inside quotes.
    target.segments = [Segment(0, 0, 33, target.text[0:33], 0), Segment(1, 34, 59, target.text[34:59], 0)]
    assert target.segments[1].text == "Let us develop together.”"
    pairs = make_pairs([([0], [0]), ([1], [1])], source.segments, target.segments)
    assert list(check_punctuation(CheckContext(source, target, zh, en, pairs))) == []
    # Sentences on lines of their own whose source closes its quote on each line are unbalanced.
    findings = run(["他说：“加强合作。”", "“共同发展。”"], ["He said: “We must cooperate.", "Let us go.”"])
    assert [(f.pair, f.target_span.text) for f in findings] == [(0, "“"), (1, "”")]


def test_quote_left_open_in_the_source_may_stay_open_in_the_target():
    # A quotation running over several paragraphs: the source opens it and does not close it either.
    assert run(["“我们入局电商算是晚的。"], ["\"We were late to e-commerce."]) == []
    assert run(["“我们入局电商算是晚的。"], ["“We were late to e-commerce."]) == []
    # but brackets are another kind of mark
    findings = run(["“我们入局电商算是晚的。"], ["“We were late (to e-commerce."])
    assert [f.target_span.text for f in findings] == ["("]


def test_straight_quotes_pair_by_context_and_mixed_styles_are_reported():
    assert run(["他说：“好。”"], ['He said: "Good."']) == []
    assert run(["他说：“好”，“走”。"], ['He said "good", "go".']) == []
    findings = run(["他说：“好。”"], ['He said: "Good.”'])
    assert [(f.target_span.text, f.message) for f in findings] == [
        ('"', "straight and curly quotes mixed in one quotation")
    ]
    findings = run(["他说：“好。”"], ["He said: “Good.“"])
    assert [f.message for f in findings] == ["'“' is never closed", "'“' is never closed"]


def test_list_marker_is_not_a_stray_bracket():
    assert run(["1）加强合作。"], ["1) Strengthen cooperation."]) == []


def test_doubled_space_inside_a_sentence():
    findings = run(["辽宁省举行会谈。"], ["Liaoning Province  held talks."])
    assert [(f.target_span.text, f.suggestion) for f in findings] == [("  ", " ")]


def test_space_before_comma():
    findings = run(["他说，好。"], ["He said , good."])
    assert [(f.target_span.text, f.suggestion) for f in findings] == [(" ,", ",")]


def test_missing_final_stop_where_the_source_has_one():
    findings = run(["辽宁省举行会谈。"], ["Liaoning Province held talks"])
    assert [(f.target_span.text, f.suggestion) for f in findings] == [("talks", "talks.")]


def test_no_final_stop_needed_for_a_headline():
    assert run(["郝鹏李乐成宋鑫出席"], ["Hao Peng, Li Lecheng and Song Xin attended"]) == []


def test_unaligned_furniture_is_not_checked():
    findings = run(["会谈。"], ["Talks.", "See also  The domestic supply"], beads=[([0], [0]), ([], [1])])
    assert findings == []


def test_spaced_ellipsis_is_not_a_space_before_a_stop():
    # Issue 14 / MAC-Dev: published fiction writes the ellipsis ". . ." (Chicago style): 16 false findings.
    assert run(["没…… 没什么。”"], ["'Oh . . . nothing.'"]) == []
    assert run(["大哥哥们…… 饶了我吧……"], ["'Elder brothers . . . spare me . . .'"]) == []
    # Near miss: a space before a single full stop is still reported.
    findings = run(["没什么。"], ["It is nothing ."])
    assert [f.message for f in findings] == ["space before '.'"]
