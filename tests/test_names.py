"""The names check: Latin-script names in a Chinese source must reach the English translation unchanged."""

from __future__ import annotations

import pytest
from pairs_helper import make_context

from mtqa.checks.names import check_names, source_names
from mtqa.data import Glossary, GlossaryEntry, Severity
from mtqa.languages.zh import HAN


def run(source, target, **kwargs):
    ctx = make_context(source, target, **kwargs)
    findings = list(check_names(ctx))
    for finding in findings:
        for span, doc in ((finding.source_span, ctx.source), (finding.target_span, ctx.target)):
            if span is not None:
                assert doc.text[span.start : span.end] == span.text
        assert finding.category == "accuracy/name"
    return findings


def test_names_found_in_chinese_text():
    text = "CECEP推出iPhone 14和5G网络，装机100MW，C919首飞，COVID-19，APEC2020年后，5G+AI。"
    assert [name for _, _, name in source_names(text, HAN)] == [
        "CECEP", "iPhone 14", "5G", "C919", "COVID", "APEC", "5G", "AI"
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("CECEP在辽投资。", "CECEP invests in Liaoning."),
        ("CECEP的项目。", "CECEP’s projects."),
        ("推动5G网络建设。", "Promote the construction of 5G networks."),
        ("发布iPhone 14。", "The iPhone 14 was released."),
        ("GDP增长5%。", "Gross domestic product grew by 5%."),
        ("装机100MW。", "An installed capacity of 100 MW."),
        ("没有拉丁字母。", "No Latin letters."),
    ],
)
def test_kept_names_have_no_findings(source, target):
    assert run([source], [target]) == []


def test_missing_model_number_is_major():
    findings = run(["C919大飞机首飞。"], ["The large aircraft made its first flight."])
    assert [(f.severity, f.source_span.text, f.target_span) for f in findings] == [
        (Severity.MAJOR, "C919", None)
    ]


def test_missing_acronym_is_minor():
    findings = run(["CECEP在辽投资。"], ["The group invests in Liaoning."])
    assert [(f.severity, f.source_span.text, f.suggestion) for f in findings] == [
        (Severity.MINOR, "CECEP", "CECEP")
    ]


def test_changed_spacing_is_minor_with_both_spans():
    findings = run(["发布iPhone 14。"], ["The iPhone14 was released."])
    assert [(f.severity, f.source_span.text, f.target_span.text) for f in findings] == [
        (Severity.MINOR, "iPhone 14", "iPhone14")
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("google发布了视频。", "Google posted a video."),
        ("基金E账户APP上架。", "The fund account app is available."),
        ("Google AI聊天机器人答错问题。", "Google's AI chatbot answered wrongly."),
        ("坐在正中间C位。", "She sat in the centre position."),
        ("下载速率达到1000Mbps。", "Download speeds reached 1000 Mbps."),
        ("利用5G+4K/8K+AI技术。", "It uses 5G 4K/8K AI technology."),
        ("统计数字(7月25日08H00-7月26日08H00)", "Statistics (July 25 08:00 - July 26 08:00)"),
        ("制定APEC2020年后合作愿景。", "Draw up the post-2020 APEC vision."),
        ("应对COVID-19疫情。", "Respond to the COVID pandemic."),
    ],
)
def test_case_possessives_single_letters_and_units_are_not_reported(source, target):
    assert run([source], [target]) == []


def test_glossary_terms_are_left_to_the_terminology_check():
    glossary = Glossary([GlossaryEntry("CECEP集团", "China Energy Conservation Group")])
    assert run(["CECEP集团投资。"], ["The group invests."], glossary=glossary) == []


def test_english_source_has_no_foreign_names():
    assert run(["CECEP invests."], ["中国节能投资。"], source_lang="en", target_lang="zh") == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        # Issue 14: an acronym takes English plural and possessive endings.
        ("请出示ID。", "Please show your IDs."),
        ("这个ID的主人。", "The ID's owner."),
        ("检查所有URL。", "Check all the URLs."),
        ("两架A320。", "Two A320s."),
        # A small count before a letter may be spelt out.
        ("“3K眼镜？”", '"Three-K glasses?"'),
    ],
)
def test_plural_possessive_and_spelt_out_forms_keep_the_name(source, target):
    assert run([source], [target]) == []


@pytest.mark.parametrize(
    ("source", "target", "name"),
    [
        ("请出示ID。", "Please show your IDEA card.", "ID"),  # a longer word is not the name
        ("苹果Apple。", "Apples.", "Apple"),  # only acronyms and model numbers take the endings
        ("“3K眼镜？”", '"Four-K glasses?"', "3K"),
    ],
)
def test_near_misses_still_report_the_name(source, target, name):
    assert [f.source_span.text for f in run([source], [target])] == [name]


def test_decimal_quantity_is_not_a_name():
    assert [name for _, _, name in source_names("温度为2.726K，3K背景辐射，5G网络", HAN)] == ["3K", "5G"]
