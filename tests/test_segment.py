from __future__ import annotations

from mtqa.languages import detect_language, get_language
from mtqa.segment import segment_document

ZH = get_language("zh")
EN = get_language("en")


def texts(text, language, **kw):
    segments = segment_document(text, language, **kw)
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
    return [s.text for s in segments]


def test_chinese_sentence_ends_keep_closing_quotes():
    text = "他说：“我们要做好。”省长主持会议！真的吗？好；继续"
    assert texts(text, ZH) == ["他说：“我们要做好。”", "省长主持会议！", "真的吗？", "好；", "继续"]


def test_chinese_headlines_and_date_lines_are_segments():
    text = ("辽宁省举行会谈\n\n发挥优势 深化合作\n共同推动发展\n\n"
            "发布时间：2023年4月4日\n\n4月3日，会谈举行。省长讲话。")
    segs = segment_document(text, ZH)
    assert [s.text for s in segs] == [
        "辽宁省举行会谈", "发挥优势 深化合作", "共同推动发展",
        "发布时间：2023年4月4日", "4月3日，会谈举行。", "省长讲话。",
    ]
    assert [s.paragraph for s in segs] == [0, 1, 1, 2, 3, 3]


def test_english_abbreviations_do_not_split():
    text = ("China Energy Conservation and Environmental Protection Group Co., Ltd. held a meeting. "
            "The U.S. No. 3 plant grew 3.5 percent. J. R. Smith agreed.")
    assert texts(text, EN) == [
        "China Energy Conservation and Environmental Protection Group Co., Ltd. held a meeting.",
        "The U.S. No. 3 plant grew 3.5 percent.",
        "J. R. Smith agreed.",
    ]


def test_repeated_sentences_keep_exact_offsets():
    text = "It works. It works. It works."
    segs = segment_document(text, EN)
    assert [(s.start, s.end) for s in segs] == [(0, 9), (10, 19), (20, 29)]


def test_pre_segmented_keeps_empty_lines_as_segments():
    text = "第一句。第二句。\n\n第三句\n"
    segs = segment_document(text, ZH, pre_segmented=True)
    assert [s.text for s in segs] == ["第一句。第二句。", "", "第三句"]
    assert [s.id for s in segs] == [0, 1, 2]


def test_detect_language():
    assert detect_language("辽宁省与中国节能环保集团有限公司举行会谈") == "zh"
    assert detect_language("Liaoning Province held a meeting.") == "en"
    assert detect_language("12345 ---") is None


def test_sample_segments(sample_dir):
    source = (sample_dir / "source.zh.txt").read_text(encoding="utf-8")
    segs = segment_document(source, ZH)
    assert len(segs) == 24
    assert segs[0].text == "辽宁省与中国节能环保集团有限公司举行会谈"
