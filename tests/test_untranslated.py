"""The untranslated check: source-script runs left in the target, through the registered Language script."""

from __future__ import annotations

from pairs_helper import make_context

from mtqa.checks.untranslated import check_untranslated, script_runs
from mtqa.data import Severity
from mtqa.languages.zh import HAN


def run(source, target, **kwargs):
    ctx = make_context(source, target, **kwargs)
    findings = list(check_untranslated(ctx))
    for finding in findings:
        span = finding.target_span
        assert ctx.target.text[span.start : span.end] == span.text
    return findings


def test_clean_translation_has_no_findings():
    assert run(["辽宁省举行会谈。"], ["Liaoning Province held talks."]) == []


def test_whole_segment_left_in_chinese_is_major():
    findings = run(["标题", "辽宁省与中国节能举行会谈。"], ["Title", "辽宁省与中国节能举行会谈。"])
    assert len(findings) == 1
    assert findings[0].severity is Severity.MAJOR
    assert findings[0].category == "accuracy/untranslated"
    assert findings[0].target_span.text == "辽宁省与中国节能举行会谈"
    assert findings[0].source_span.text == "辽宁省与中国节能举行会谈。"
    assert findings[0].pair == 1


def test_short_run_is_minor():
    findings = run(["践行绿水青山就是金山银山的理念。"], ["Practise the idea that 绿水青山 are assets."])
    assert [(f.severity, f.target_span.text) for f in findings] == [(Severity.MINOR, "绿水青山")]


def test_run_joins_across_spaces_and_punctuation_but_not_latin_words():
    text = "Say 你好，世界 and 再见"
    assert [text[s:e] for s, e in script_runs(text, HAN)] == ["你好，世界", "再见"]


def test_gloss_in_brackets_after_a_rendering_is_a_convention():
    assert run(["郝鹏主持会谈。"], ["Hao Peng (郝鹏) presided over the talks."]) == []


def test_unaligned_target_segment_is_checked_too():
    findings = run(["会谈。"], ["Talks.", "相关阅读"], beads=[([0], [0]), ([], [1])])
    assert [(f.severity, f.pair) for f in findings] == [(Severity.MAJOR, 1)]


def test_other_direction_uses_the_english_script_and_keeps_names():
    findings = run(
        ["CECEP signed the agreement in Shenyang.", "The meeting was held in Shenyang."],
        ["CECEP在沈阳签署协议。", "the meeting was held在沈阳举行。"],
        source_lang="en",
        target_lang="zh",
    )
    assert [(f.pair, f.target_span.text) for f in findings] == [(1, "the meeting was held")]
