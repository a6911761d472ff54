"""Key-value JSON string files (read in source/target pairs) """

from __future__ import annotations

import json
import os

import pytest

from mtqa.errors import InputError
from mtqa.formats.jsonpairs import load_strings, read_pair


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


SOURCE = """{
  "menu": {
    "open": "打开",
    "recent": ["最近", "收藏"]
  },
  "count": 3,
  "title": "标题",
  "missing": "缺少"
}
"""
TARGET = """{
  "title": "Title",
  "menu": {
    "recent": ["Recent", "Favorites"],
    "open": "Open"
  },
  "missing": ""
}
"""


def test_nested_keys_flattened_and_lines_found(tmp_path):
    strings = load_strings(write(tmp_path, "zh.json", SOURCE))
    assert {k: v[0] for k, v in strings.items()} == {
        "menu.open": "打开", "menu.recent.0": "最近", "menu.recent.1": "收藏",
        "title": "标题", "missing": "缺少",
    }
    assert strings["menu.open"][1] == 3 and strings["menu.recent.1"][1] == 4 and strings["title"][1] == 7


def test_pair_matched_by_key(tmp_path):
    source = write(tmp_path, "zh.json", SOURCE)
    target = write(tmp_path, "en.json", TARGET)
    result = read_pair(source, target, source_lang="zh", target_lang="en")
    units = {u.key: u for u in result.units}
    assert {k: (u.source, u.target) for k, u in units.items()} == {
        "menu.open": ("打开", "Open"), "menu.recent.0": ("最近", "Recent"),
        "menu.recent.1": ("收藏", "Favorites"),
        "title": ("标题", "Title"),
    }
    assert units["menu.open"].line == 5 and units["menu.open"].source_line == 3
    assert units["title"].path == str(target) and units["title"].source_path == str(source)
    assert result.empty_targets == 1  # "missing" is empty in the target


def test_chrome_extension_messages(tmp_path):
    messages = {"appName": {"message": "Demo", "description": "name in the store"}}
    strings = load_strings(write(tmp_path, "_locales/en/messages.json", json.dumps(messages, indent=2)))
    assert strings == {"appName": ("Demo", 2, "name in the store")}


@pytest.mark.parametrize("text, kind", [("[1, 2]", "an array"), ('"hello"', "a string"), ("3", "a number")])
def test_json_that_is_not_an_object(tmp_path, text, kind):
    with pytest.raises(InputError) as error:
        load_strings(write(tmp_path, "en.json", text))
    assert f"must be an object of keys, not {kind}" in str(error.value)


def test_malformed_json(tmp_path):
    with pytest.raises(InputError, match=r"malformed JSON .*line 2"):
        load_strings(write(tmp_path, "en.json", '{"a": "b",\n}'))


def test_json_input_not_modified(tmp_path):
    source = write(tmp_path, "zh.json", SOURCE)
    target = write(tmp_path, "en.json", TARGET)
    before = [(p.read_bytes(), os.stat(p).st_mtime_ns) for p in (source, target)]
    read_pair(source, target)
    assert [(p.read_bytes(), os.stat(p).st_mtime_ns) for p in (source, target)] == before
