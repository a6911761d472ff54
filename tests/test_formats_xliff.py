"""XLIFF 1.2/2.0 and TMX through defusedxml: units, inline codes, states, notes, hostile XML."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from mtqa.errors import InputError
from mtqa.formats import detect_format
from mtqa.formats.tmx import read as read_tmx
from mtqa.formats.xliff import read

XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file source-language="zh-CN" target-language="en-US" original="ui" datatype="plaintext">
    <body>
      <trans-unit id="1" resname="title">
        <source>打开<g id="b1">文件</g><x id="br"/></source>
        <target state="translated">Open <g id="b1">file</g><x id="br"/></target>
        <note>toolbar</note>
      </trans-unit>
      <trans-unit id="2">
        <source>保存</source>
        <target state="needs-review-translation">Svae</target>
      </trans-unit>
      <trans-unit id="3">
        <source>删除</source>
      </trans-unit>
      <trans-unit id="4" translate="no">
        <source>ID</source>
        <target>ID</target>
      </trans-unit>
    </body>
  </file>
</xliff>
"""

XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="zh" trgLang="en">
  <file id="f1">
    <unit id="u1" name="greet">
      <notes><note>greeting</note></notes>
      <segment state="translated">
        <source>你好，<ph id="1"/>！</source>
        <target>Hello, <ph id="1"/>!</target>
      </segment>
      <segment id="s2" state="initial">
        <source>再见</source>
        <target>Bye</target>
      </segment>
    </unit>
    <unit id="u2">
      <segment state="final">
        <source><pc id="1">粗体</pc>文本</source>
        <target><pc id="1">Bold</pc> text</target>
      </segment>
    </unit>
  </file>
</xliff>
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_xliff12_units_tags_states_notes(tmp_path):
    path = write(tmp_path, "ui.xlf", XLIFF12)
    result = read(path)
    assert (result.source_lang, result.target_lang) == ("zh-CN", "en-US")
    assert [u.key for u in result.units] == ["ui#1"]  # 2 is not reviewed, 3 has no target, 4 translate=no
    unit = result.units[0]
    assert unit.source == "打开<gb1>文件</gb1><xbr/>"
    assert unit.target == "Open <gb1>file</gb1><xbr/>"
    assert unit.line == 7 and unit.context == "title" and unit.notes == ("toolbar",)
    assert result.empty_targets == 1
    with_fuzzy = read(path, include_fuzzy=True)
    second = with_fuzzy.units[1]
    assert (second.key, second.fuzzy, second.state) == ("ui#2", True, "needs-review-translation")


def test_xliff20_segments_and_inline_codes(tmp_path):
    path = write(tmp_path, "ui.xliff", XLIFF20)
    result = read(path)
    assert (result.source_lang, result.target_lang) == ("zh", "en")
    assert [(u.key, u.source, u.target) for u in result.units] == [
        ("f1#u1#0", "你好，<ph1/>！", "Hello, <ph1/>!"),
        ("f1#u2", "<pc1>粗体</pc1>文本", "<pc1>Bold</pc1> text"),
    ]
    assert result.units[0].notes == ("greeting",) and result.units[0].line == 8


def test_xml_extension_detected_by_root(tmp_path):
    assert detect_format(write(tmp_path, "strings.xml", XLIFF20)) == "xliff"
    assert detect_format(write(tmp_path, "other.xml", "<resources/>")) is None


BOMB = """<?xml version="1.0"?>
<!DOCTYPE xliff [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<xliff version="1.2"><file source-language="zh" target-language="en"><body>
<trans-unit id="1"><source>&g;</source><target>&g;</target></trans-unit>
</body></file></xliff>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff version="1.2"><file source-language="zh" target-language="en"><body>
<trans-unit id="1"><source>密码</source><target>&secret;</target></trans-unit>
</body></file></xliff>
"""


def test_entity_bomb_refused_quickly(tmp_path):
    path = write(tmp_path, "bomb.xlf", BOMB)
    started = time.perf_counter()
    with pytest.raises(InputError) as error:
        read(path)
    assert time.perf_counter() - started < 1.0
    assert "entities" in str(error.value) and "\n" not in str(error.value)


def test_external_entity_refused(tmp_path):
    with pytest.raises(InputError, match="entit"):
        read(write(tmp_path, "ext.xlf", EXTERNAL))


def test_bomb_through_the_cli_exits_2_with_one_line(tmp_path):
    path = write(tmp_path, "bomb.xlf", BOMB)
    completed = subprocess.run(
        [sys.executable, "-m", "mtqa", "scan", str(path), "--no-cache", "-f", "json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    # In a scan an unreadable file is a finding (exit 1) and the scan goes on; nothing is expanded.
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "declares XML entities" in completed.stdout


def test_malformed_xliff_and_wrong_root(tmp_path):
    with pytest.raises(InputError, match="malformed XLIFF"):
        read(write(tmp_path, "bad.xlf", "<xliff version='1.2'><file></xliff>"))
    with pytest.raises(InputError, match="not an XLIFF"):
        read(write(tmp_path, "tmx.xlf", "<tmx/>"))


def test_input_not_modified(tmp_path):
    path = write(tmp_path, "ui.xlf", XLIFF12)
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    read(path, include_fuzzy=True)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header srclang="zh-CN" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="t"
          creationtoolversion="1"/>
  <body>
    <tu tuid="t1">
      <tuv xml:lang="zh-CN"><seg>打开文件</seg></tuv>
      <tuv xml:lang="en-US"><seg>Open file</seg></tuv>
    </tu>
    <tu tuid="t2">
      <note>no translation yet</note>
      <tuv xml:lang="zh-CN"><seg>关闭</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="zh-CN"><seg>加粗<bpt i="1">&lt;b&gt;</bpt>文字<ept i="1">&lt;/b&gt;</ept></seg></tuv>
      <tuv xml:lang="en-US"><seg><bpt i="1">&lt;b&gt;</bpt>Bold<ept i="1">&lt;/b&gt;</ept> text</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_tmx_units_and_target_language(tmp_path):
    result = read_tmx(write(tmp_path, "memory.tmx", TMX))
    assert (result.source_lang, result.target_lang) == ("zh-CN", "en-US")
    assert [(u.key, u.source, u.target, u.line) for u in result.units] == [
        ("t1", "打开文件", "Open file", 8),
        ("3", "加粗<bpt1/>文字<ept1/>", "<bpt1/>Bold<ept1/> text", 16),
    ]
    assert result.empty_targets == 1


def test_tmx_without_target_language_is_one_line_error(tmp_path):
    only_source = TMX.replace('<tuv xml:lang="en-US">', '<tuv xml:lang="zh-CN">')
    with pytest.raises(InputError, match="no target language"):
        read_tmx(write(tmp_path, "mono.tmx", only_source))


def test_tmx_with_several_targets_needs_a_choice(tmp_path):
    several = TMX.replace("<tuv xml:lang=\"en-US\"><seg>Open file", "<tuv xml:lang=\"fr\"><seg>Ouvrir")
    path = write(tmp_path, "multi.tmx", several)
    with pytest.raises(InputError, match="several target languages"):
        read_tmx(path)
    assert [u.target for u in read_tmx(path, target_lang="fr").units] == ["Ouvrir"]
