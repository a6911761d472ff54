from __future__ import annotations

import codecs

import pytest

from mtqa.errors import InputError
from mtqa.textio import read_text

ZH = "辽宁省与中国节能环保集团有限公司举行会谈。\n郝鹏主持会谈并讲话。\n"


def test_utf8_with_and_without_bom(tmp_path):
    plain = tmp_path / "a.txt"
    plain.write_bytes(ZH.encode("utf-8"))
    bom = tmp_path / "b.txt"
    bom.write_bytes(codecs.BOM_UTF8 + ZH.encode("utf-8"))
    assert read_text(plain) == (ZH, "utf-8")
    text, encoding = read_text(bom)
    assert text == ZH and encoding == "utf-8-sig"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_legacy_and_utf16_encodings_detected(tmp_path, encoding):
    path = tmp_path / "zh.txt"
    path.write_bytes(ZH.encode(encoding))
    text, _ = read_text(path)
    assert text == ZH


def test_explicit_encoding(tmp_path):
    path = tmp_path / "zh.txt"
    path.write_bytes(ZH.encode("gbk"))
    assert read_text(path, "gbk")[0] == ZH
    with pytest.raises(InputError, match="cannot decode as utf-8"):
        read_text(path, "utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        read_text(path, "no-such-codec")


def test_crlf_normalised(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"One.\r\nTwo.\r\n")
    assert read_text(path)[0] == "One.\nTwo.\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t\n", "contains only whitespace"),
        (b"\x00\x01\x02\x03binary\x00\xff\xfe\x00\x00\x10", "binary"),
        (bytes(range(128, 256)) * 20, "cannot decode|binary"),
    ],
)
def test_bad_content(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_text(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_input_is_not_modified(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbfOne.\r\n")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_text(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_one_size_guarded_reader_with_a_limit_per_kind_of_input(tmp_path):
    """Documents and localisation files go through the same reader; only the limit differs."""
    from mtqa.formats import MAX_FILE_BYTES
    from mtqa.formats import read_limited as read_string_file
    from mtqa.textio import MAX_INPUT_BYTES, read_limited, read_text

    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:  # sparse: the size says too large, nothing is read
        handle.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(InputError, match=r"too large \(50 MB; the limit is 50 MB\)"):
        read_text(path)
    with pytest.raises(InputError, match="the limit is 1 MB"):
        read_limited(path, 1024 * 1024)
    small = tmp_path / "small.po"
    small.write_bytes(b"x" * 10)
    assert read_string_file(small) == read_limited(small) == b"x" * 10
    assert MAX_FILE_BYTES > MAX_INPUT_BYTES
