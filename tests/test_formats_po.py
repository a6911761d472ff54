"""Gettext PO reading: entries, plurals, msgctxt, fuzzy/obsolete handling, lines, bad files."""

from __future__ import annotations

import os

import pytest

from mtqa.errors import InputError
from mtqa.formats import detect_format, read_bilingual
from mtqa.formats.po import read

PO = """# header comment
msgid ""
msgstr ""
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#: a.py:1
msgctxt "menu"
msgid "打开"
msgstr "Open"

#, fuzzy
msgid "关闭"
msgstr "Clsoe"

msgid "一个文件"
msgid_plural "%d个文件"
msgstr[0] "one file"
msgstr[1] "%d files"

msgid "多行"
msgstr ""
"first line\\n"
"second line"

msgid "未翻译"
msgstr ""

#~ msgid "旧"
#~ msgstr "old"
"""


@pytest.fixture()
def po_file(tmp_path):
    path = tmp_path / "app.po"
    path.write_text(PO, encoding="utf-8")
    return path


def test_entries_plurals_context_and_lines(po_file):
    result = read(po_file)
    assert result.format == "po"
    assert result.target_lang == "en"
    by_key = {unit.key: unit for unit in result.units}
    assert set(by_key) == {"menu\x04打开", "一个文件[0]", "一个文件[1]", "多行"}
    assert by_key["menu\x04打开"].context == "menu"
    assert by_key["menu\x04打开"].line == 10  # the msgstr line
    assert by_key["一个文件[0]"].source == "一个文件" and by_key["一个文件[0]"].target == "one file"
    assert by_key["一个文件[1]"].source == "%d个文件" and by_key["一个文件[1]"].target == "%d files"
    assert by_key["一个文件[0]"].line == 18 and by_key["一个文件[1]"].line == 19
    assert by_key["多行"].target == "first line\nsecond line"
    assert result.empty_targets == 1  # "未翻译"; the obsolete entry is not counted at all


def test_fuzzy_skipped_by_default_and_included_on_request(po_file):
    assert all(not unit.fuzzy for unit in read(po_file).units)
    included = read(po_file, include_fuzzy=True)
    fuzzy = [unit for unit in included.units if unit.fuzzy]
    assert [(u.source, u.target, u.state) for u in fuzzy] == [("关闭", "Clsoe", "fuzzy")]


def test_obsolete_entries_are_ignored(po_file):
    assert all(unit.source != "旧" for unit in read(po_file, include_fuzzy=True).units)


def test_language_from_locale_directory(tmp_path):
    path = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES" / "app.po"
    path.parent.mkdir(parents=True)
    path.write_text('msgid "Open"\nmsgstr "打开"\n', encoding="utf-8")
    assert read(path).target_lang == "zh_CN"


def test_registry_detects_po(po_file):
    assert detect_format(po_file) == "po"
    assert read_bilingual(po_file).units


def test_malformed_po_is_one_line_error(tmp_path):
    path = tmp_path / "bad.po"
    path.write_text('msgid "a"\nmsgstr "b\nbroken line\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        read(path)
    message = str(error.value)
    assert message.startswith(str(path)) and "malformed PO" in message and "\n" not in message


def test_oversized_file_refused_without_reading(tmp_path):
    path = tmp_path / "huge.po"
    with open(path, "wb") as handle:  # sparse: 201 MB of size, no data written
        handle.truncate(201 * 1024 * 1024)
    with pytest.raises(InputError, match="too large"):
        read(path)


def test_input_is_not_modified(po_file):
    before = (po_file.read_bytes(), os.stat(po_file).st_mtime_ns)
    read(po_file, include_fuzzy=True)
    assert (po_file.read_bytes(), os.stat(po_file).st_mtime_ns) == before
