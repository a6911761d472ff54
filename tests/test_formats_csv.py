"""CSV/TSV string tables with named columns."""

from __future__ import annotations

import pytest

from mtqa.errors import InputError
from mtqa.formats.csvpairs import read as read_csv


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_source_target_columns(tmp_path):
    text = (
        'key,source,target,note\nopen,打开,Open,toolbar\n'
        'multi,"两行\n文本","Two-line\ntext",\nnew,新建,,\n'
    )
    path = write(tmp_path, "strings.csv", text)
    result = read_csv(path)
    assert [(u.key, u.source, u.target, u.line, u.notes) for u in result.units] == [
        ("open", "打开", "Open", 2, ("toolbar",)),
        ("multi", "两行\n文本", "Two-line\ntext", 3, ()),
    ]
    assert result.empty_targets == 1


def test_tsv_locale_columns_need_languages(tmp_path):
    path = write(tmp_path, "strings.tsv", "id\tzh-CN\ten\nsave\t保存\tSave\n")
    with pytest.raises(InputError, match="source-lang"):
        read_csv(path)
    result = read_csv(path, source_lang="zh", target_lang="en")
    assert [(u.key, u.source, u.target) for u in result.units] == [("save", "保存", "Save")]


def test_csv_glossary_is_not_strings(tmp_path):
    path = write(tmp_path, "terms.tsv", "source\ttarget\tforbidden\tnote\n二维码\tQR code\t\t\n")
    with pytest.raises(InputError, match="is a glossary"):
        read_csv(path)
