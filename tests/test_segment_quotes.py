"""Quotations and brackets at sentence ends (issue 14): a closing mark stays with the sentence it closes in
both languages, and a Chinese quotation followed by its attribution is one sentence, as in English."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mtqa.cli import main_group
from mtqa.languages import get_language
from mtqa.segment import rejoin, segment_document

ZH = get_language("zh")
EN = get_language("en")


def texts(text, language):
    segments = segment_document(text, language)
    for segment in segments:
        assert text[segment.start : segment.end] == segment.text
    return [segment.text for segment in segments]


# pysbd cut every one of these closing marks into a segment of its own when the quotation was opened on an
# earlier line (published fiction: one paragraph of speech per line).
@pytest.mark.parametrize("mark", ['"', "”", "’", ")", "]", "'", "'\""])
def test_english_closing_mark_stays_with_its_sentence(mark):
    assert texts(f"Trust me.{mark}", EN) == [f"Trust me.{mark}"]
    expected = ["It is late.", f"Trust me.{mark}", "He left."]
    assert texts(f"It is late. Trust me.{mark} He left.", EN) == expected


def test_english_opening_quote_starts_the_next_sentence():
    # Near miss: a straight quote followed by a word opens a quotation; it must not move back.
    assert texts('He left. "Why?" she asked.', EN) == ["He left.", '"Why?" she asked.']
    assert texts("It is late.' 'Why?' she asked.", EN) == ["It is late.'", "'Why?' she asked."]


def test_english_spaced_ellipsis_is_not_a_sentence():
    assert texts("'Elder brothers . . . spare me . . .'", EN) == ["'Elder brothers . . . spare me . . .'"]
    # A lower-case word after an ellipsis continues the sentence; a capital after a full stop starts one.
    assert texts("It's just that. . . what with the fight, I forgot. Then I left.", EN) == [
        "It's just that. . . what with the fight, I forgot.", "Then I left."
    ]


def test_rejoin_keeps_genuine_boundaries():
    text = "One. Two. Three."
    assert rejoin(text, [(0, 5), (5, 10), (10, 16)]) == [(0, 5), (5, 10), (10, 16)]
    assert rejoin('"', [(0, 1)]) == [(0, 1)]  # nothing to join a lone mark to: kept, not lost


@pytest.mark.parametrize(("opening", "closing"), [("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"),
                                                 ("（", "）"), ("【", "】")])
def test_chinese_closing_mark_stays_with_its_sentence(opening, closing):
    text = f"他说：{opening}我们明天出发。{closing}大家都笑了。"
    assert texts(text, ZH) == [f"他说：{opening}我们明天出发。{closing}", "大家都笑了。"]
    # A quotation closed on the next line (opened on an earlier one).
    assert texts(f"天一亮就走。{closing}\n大家都笑了。", ZH) == [f"天一亮就走。{closing}", "大家都笑了。"]


@pytest.mark.parametrize(
    "text",
    [
        "“你们什么时候回来？”记者问。",
        "“下个月就回来。”他说。",
        "“路上小心！”她喊道",
        "“倒计时的尽头是什么？” 汪淼无力地问。",
        "“情况正在好转。”国家卫健委新闻发言人米锋表示。",
        "“这样做行不通。”他笑着说道。",
    ],
)
def test_chinese_quotation_with_its_attribution_is_one_sentence(text):
    assert texts(text, ZH) == [text]


def test_chinese_attribution_before_a_further_quotation_closes_the_first():
    # '"We leave," he said. "It is getting dark."': the attribution ends the first sentence.
    assert texts("“我们走吧。”他说，“天黑了。”", ZH) == ["“我们走吧。”他说，", "“天黑了。”"]
    assert texts("“好。”他说：“走吧。”", ZH) == ["“好。”他说：", "“走吧。”"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A new sentence after the quotation: no verb of saying at its end, or a copula, or too long.
        ("“我们走吧。”这是他最后的话。", ["“我们走吧。”", "这是他最后的话。"]),
        ("“我们走吧。”他说完就走了。", ["“我们走吧。”", "他说完就走了。"]),
        ("“我们走吧。”他知道。", ["“我们走吧。”", "他知道。"]),  # 知道 "know" ends in 道
        ("“这本书很好。”这是一部小说。", ["“这本书很好。”", "这是一部小说。"]),  # 小说 "novel"
        ("“好吗？”记者问，他走了。", ["“好吗？”", "记者问，他走了。"]),  # the clause goes on
        ("“好。”2023年他说。", ["“好。”", "2023年他说。"]),
        ("“好。”他在会议结束以后面对前来采访的许多家媒体的记者们说。",
         ["“好。”", "他在会议结束以后面对前来采访的许多家媒体的记者们说。"]),  # not a short attribution
        # The attribution must follow a quotation that ends a sentence.
        ("会议结束了。他说。", ["会议结束了。", "他说。"]),
    ],
)
def test_chinese_new_sentence_after_a_quotation_stays_separate(text, expected):
    assert texts(text, ZH) == expected


def test_quotation_document_checks_clean_end_to_end(tmp_path):
    """Before the fix this good translation got '"' is never closed (the lone quote segment) and the
    Chinese side had 10 segments for 7 English ones."""
    source = tmp_path / "zh.txt"
    target = tmp_path / "en.txt"
    source.write_text(
        "潘寒说：“我们明天一早出发。\n天一亮就走，不等任何人。”\n潘寒说完就走了。\n"
        "“你们什么时候回来？”记者问。\n“下个月。”他说。\n“路上小心！”她喊道\n大家都笑了。\n",
        encoding="utf-8",
    )
    target.write_text(
        'Pan Han said, "We set out early tomorrow morning.\nWe leave at first light and wait for nobody."\n'
        "Pan Han left as soon as he had said it.\n"
        '"When will you come back?" the reporter asked.\n"Next month," he said.\n'
        '"Be careful on the road!" she shouted.\nEverybody laughed.\n',
        encoding="utf-8",
    )
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(
        main_group, ["check", str(source), str(target), "--no-model", "-q", "-f", f"json={report_path}"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["findings"] == []
    assert [len(pair["source_segments"]) for pair in report["pairs"]] == [1] * 7
    assert [len(pair["target_segments"]) for pair in report["pairs"]] == [1] * 7


@pytest.mark.parametrize(
    "text",
    ["韦小宝道：“我…… 我昨晚杀了这小孩子，吓得什么都忘了。", "“大哥哥们…… 饶了我吧……”",
     "韦小宝道：“那部书…… 书…… 我…… 我……”"],
)
def test_chinese_ellipsis_inside_a_quotation_is_a_pause(text):
    # MAC-Dev: stammered speech cut into fragments ("书…… 我…… 我……”") that matched nothing.
    assert texts(text, ZH) == [text]


def test_chinese_ellipsis_outside_a_quotation_still_ends_a_sentence():
    assert texts("他走了…… 再也没回来。", ZH) == ["他走了……", "再也没回来。"]
    expected = ["物价指数又见“3字头”……", "近期，当局发布数据。"]
    assert texts("物价指数又见“3字头”……近期，当局发布数据。", ZH) == expected
