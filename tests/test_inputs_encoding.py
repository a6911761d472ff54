"""Encoding detection refuses rather than guesses (issue 14): every case either decodes to the text that was
encoded, or is an InputError naming the candidates and the flag; never a silently garbled text."""

from __future__ import annotations

import codecs

import pytest

from mtqa.errors import InputError
from mtqa.textio import AMBIGUITY_MARGIN, ambiguity_margin, decode, read_text

LATIN_EN = "This is a naïve idea. Let's meet at the café before the matinée.\n"
CP1252_EN = "It’s a naïve “idea” — we met at the café.\n"
ZH = ("辽宁省与中国节能环保集团有限公司举行会谈。双方表示，将在绿色低碳发展、生态环境保护等领域深化合作。"
      "会议由省长主持，有关部门负责人参加了会谈。\n")
ZH_TRADITIONAL = ("遼寧省與中國節能環保集團有限公司舉行會談。雙方表示，將在綠色低碳發展、生態環境保護等領域"
                  "深化合作。會議由省長主持，有關部門負責人參加了會談。\n")


@pytest.mark.parametrize(("text", "encoding"), [(LATIN_EN, "latin-1"), (CP1252_EN, "cp1252")])
def test_western_single_byte_english_is_refused_with_candidates_and_flag(text, encoding):
    data = text.encode(encoding)
    with pytest.raises(InputError) as info:
        decode(data, "t.txt", flag="--target-encoding")
    message = str(info.value)
    # The right reading is among the candidates shown, next to the wrong one that used to be taken.
    assert "cp1252 'naïve'" in message and "'naďve'" in message
    assert "--target-encoding" in message and "\n" not in message


@pytest.mark.parametrize(("text", "encoding"), [(LATIN_EN, "latin-1"), (CP1252_EN, "cp1252")])
def test_explicit_encoding_reads_western_english(text, encoding):
    assert decode(text.encode(encoding), "t.txt", encoding)[0] == text


@pytest.mark.parametrize(("text", "encoding"), [(ZH, "gbk"), (ZH, "gb18030"), (ZH_TRADITIONAL, "big5")])
def test_chinese_of_normal_length_is_detected(text, encoding):
    decoded, used = decode(text.encode(encoding), "zh.txt")
    assert decoded == text
    assert used in ("gb18030", "cp950")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [ZH, LATIN_EN, ZH_TRADITIONAL])
def test_unicode_encodings_need_no_flag(text, encoding):
    decoded, _ = decode(text.encode(encoding), "u.txt")
    assert decoded.removeprefix("\ufeff") == text


def test_gbk_that_happens_to_be_valid_utf8_is_not_read_as_utf8():
    data = "双碳\tdual carbon\n".encode("gbk")
    data.decode("utf-8")  # the trap: valid UTF-8 ("˫̼")
    with pytest.raises(InputError, match="utf-8 '˫̼', gb18030 '双碳'"):
        decode(data, "g.tsv")


def test_short_legacy_text_is_refused_and_names_the_right_reading():
    data = "辽沈战役\n".encode("gb18030")
    with pytest.raises(InputError, match="gb18030 '辽沈战役'"):
        decode(data, "short.txt")


def test_margin_widens_for_short_inputs():
    assert ambiguity_margin(ZH.encode("gbk")) == AMBIGUITY_MARGIN
    assert ambiguity_margin("辽沈战役".encode("gbk")) == pytest.approx(1 / 8)


def test_utf8_with_a_few_accents_is_still_utf8():
    assert decode("café\n".encode(), "a.txt") == ("café\n", "utf-8")


def test_read_text_names_the_flag(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(LATIN_EN.encode("latin-1"))
    with pytest.raises(InputError, match="--source-encoding"):
        read_text(path, flag="--source-encoding")
    assert read_text(path, "latin-1")[0] == LATIN_EN


def test_bom_wins_over_detection():
    assert decode(codecs.BOM_UTF8 + ZH.encode(), "b.txt")[1] == "utf-8-sig"


def test_utf8_with_a_damaged_byte_is_named_as_such():
    good = ("source\ttarget\n双碳\tdual carbon\n中国节能\tCECEP\n辽沈战役\tLiaoshen Campaign\n").encode()
    damaged = good[:30] + b"\xff" + good[30:]
    with pytest.raises(InputError, match=r"is UTF-8 except for 1 invalid byte sequence\(s\), the first at"):
        decode(damaged, "g.tsv", flag="--glossary-encoding")
