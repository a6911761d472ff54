"""The issue-13 checks: each with a true positive and a near miss that must not fire, on sentence pairs and
on a localisation file (XLIFF through the localisation checker)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pairs_helper import make_context

from mtqa.checks import all_checks
from mtqa.checks.consistency import check_target_consistency
from mtqa.checks.custom_rules import check_custom_rules
from mtqa.checks.identifiers import check_identifiers, find_identifiers
from mtqa.checks.length import check_length
from mtqa.checks.repetition import check_doubled_punctuation, check_repeated_words
from mtqa.checks.spelling import check_spelling, hunspell_installed
from mtqa.errors import ConfigError
from mtqa.l10n import scan
from mtqa.pipeline import CheckOptions

ROOT = Path(__file__).resolve().parent.parent


def run(check, source, target, settings=None, **kwargs):
    ctx = make_context(source, target, **kwargs)
    ctx.settings = settings or {}
    findings = list(check(ctx))
    for finding in findings:
        for span, document in ((finding.target_span, ctx.target), (finding.source_span, ctx.source)):
            if span is not None:
                assert document.text[span.start:span.end] == span.text
    return findings


# -- repeated words and doubled punctuation ---------------------------------------------------------

def test_repeated_english_word():
    found = run(check_repeated_words, ["他们讨论了问题。"], ["They discussed the the problem."])
    assert [f.target_span.text for f in found] == ["the the"]


@pytest.mark.parametrize("target", ["He had had enough.", "Bora Bora is an island.",
                                    "They discussed the theme.", "It was 2 2 metres long."])
def test_repeated_english_near_misses(target):
    assert run(check_repeated_words, ["他受够了。"], [target]) == []


def test_repeated_chinese_particle():
    found = run(check_repeated_words, ["We discussed the goal."], ["我们讨论了的的目标。"],
                source_lang="en", target_lang="zh")
    assert [f.target_span.text for f in found] == ["的的"]


@pytest.mark.parametrize("target", ["我们看看常常谢谢大家。", "这是达到目的的手段。", "为了了解情况。",
                                    "的的确确如此。", "苹果、梨等等。"])
def test_chinese_reduplication_is_not_reported(target):
    assert run(check_repeated_words, ["We had a look."], [target], source_lang="en", target_lang="zh") == []


def test_doubled_punctuation():
    found = run(check_doubled_punctuation, ["他说，好。", "完了。"], ["He said,, fine.", "It ended.."])
    assert [f.target_span.text for f in found] == [",,", ".."]


@pytest.mark.parametrize("target", ["Wait... it ended.", "Apples, pears, etc., were sold.",
                                    "Use std::vector here.", "See ../docs for more."])
def test_doubled_punctuation_near_misses(target):
    assert run(check_doubled_punctuation, ["等等。"], [target]) == []


# -- identifiers ------------------------------------------------------------------------------------

def test_identifiers_missing_and_altered():
    found = run(check_identifiers,
                ["详见 https://example.com/a 或发邮件至 info@example.com。", "订单号ORD-2023-0081已发货。"],
                ["See https://example.com/a for details.", "Order ORD-2023-0018 has shipped."])
    assert [(f.category, f.source_span.text) for f in found] == [
        ("accuracy/omission", "info@example.com"), ("accuracy/mistranslation", "ORD-2023-0081")]
    assert found[1].target_span.text == "ORD-2023-0018"


def test_identifiers_near_misses():
    # The scheme dropped, a quantity spelt out, a handle and a hashtag carried over, an e-mail in capitals.
    assert run(check_identifiers,
               ["访问 https://www.example.com/ 。", "跑了10km，用5G网络。", "关注@mtqa_dev #QA2024",
                "写信给 A@B.com"],
               ["Visit www.example.com.", "Ran ten kilometres on a 5G network.", "Follow @mtqa_dev #QA2024",
                "Write to a@b.com"]) == []


def test_find_identifiers_kinds():
    kinds = [t.kind for t in find_identifiers("mail a.b@c.org or @joe, #tag, see http://x.org, model A320")]
    assert kinds == ["e-mail address", "handle", "hashtag", "URL", "code"]


# -- consistency target → source --------------------------------------------------------------------

def test_same_target_for_different_sources():
    found = run(check_target_consistency, ["保存文件", "删除文件", "保存文件。"],
                ["Save the file", "Save the file", "Save the file."])
    assert len(found) == 1 and found[0].pair == 1 and "2 different source texts" in found[0].message


def test_consistency_near_misses():
    # Sources that differ only in punctuation; one-word targets ("OK" honestly renders several words).
    assert run(check_target_consistency, ["保存文件", "保存文件！", "确定", "好的"],
               ["Save the file", "Save the file!", "OK", "OK"]) == []


# -- length -----------------------------------------------------------------------------------------

def test_length_limits_from_the_config():
    settings = {"length": {"limits": [{"files": "*.txt", "max_ratio": 3.0}, {"max_chars": 20}]}}
    ctx_lines = (["保存"], ["Save the current document to disk"])
    found = run(check_length, *ctx_lines, settings=settings)
    assert len(found) == 1 and "limit of 20" in found[0].message
    assert run(check_length, ["保存"], ["Save"], settings=settings) == []  # near miss: within both


def test_length_setting_errors_are_config_errors():
    with pytest.raises(ConfigError, match="max_ratio"):
        run(check_length, ["保存"], ["Save"], settings={"length": {"limits": [{"max_ratio": "big"}]}})


# -- custom rules -----------------------------------------------------------------------------------

RULES = {"custom_rules": {"rules": [
    {"source": r"(\d+)亿", "target": r"\1 hundred million|\d+(\.\d+)? billion", "message": "亿 is 10^8"},
    {"source": "双碳", "target": "double carbon", "absent": True, "message": "banned calque",
     "severity": "minor"},
]}}


def test_custom_rules_fire():
    found = run(check_custom_rules, ["投资5亿元。", "实现双碳目标。"],
                ["Invested 5 million yuan.", "Reach the double carbon goal."], settings=RULES)
    assert [(f.severity.value, f.source_span.text) for f in found] == [("major", "5亿"), ("minor", "双碳")]
    assert found[1].target_span.text == "double carbon"


def test_custom_rules_near_misses():
    assert run(check_custom_rules, ["投资5亿元。", "投资15亿元。", "实现双碳目标。"],
               ["Invested 5 hundred million yuan.", "Invested 1.5 billion yuan.",
                "Reach the dual carbon goal."],
               settings=RULES) == []


def test_custom_rule_with_a_bad_regex_is_exit_2(tmp_path):
    config = tmp_path / "mtqa.toml"
    config.write_text("[[settings.custom_rules.rules]]\nsource = '(\\d+亿'\ntarget = 'x'\n", encoding="utf-8")
    sample = ROOT / "samples" / "liaoning-cecep"
    done = subprocess.run([sys.executable, "-m", "mtqa", "check", str(sample / "source.zh.txt"),
                           str(sample / "translation.en.txt"), "-c", str(config), "--no-model"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "settings.custom_rules" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# -- spelling ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["hunspell", "pyspellchecker"])
def test_spelling(backend):
    if backend == "hunspell" and not hunspell_installed():
        pytest.skip("Debian's hunspell-en-us is not installed")
    settings = {"spelling": {"backend": backend, "words": ["mtqa"]}}
    found = run(check_spelling, ["会议讨论了政策。"], ["The meeting discused the govenment policy."],
                settings=settings)
    assert [f.target_span.text for f in found] == ["discused", "govenment"]
    # Near misses: names, acronyms, the user's word, a word from the source, a hyphenated compound.
    assert run(check_spelling, ["CECEP与Xiaomi合作。"],
               ["Zhangjiakou and CECEP use mtqa with xiaomi in a pre-sale, NATO said."],
               settings=settings) == []


def test_spelling_is_off_by_default_and_listed():
    info = all_checks()["spelling"]
    assert info.default_enabled is False and info.severity == "minor"


# -- on localisation files --------------------------------------------------------------------------

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file source-language="zh" target-language="en" datatype="plaintext" original="app">
    <body>
      <trans-unit id="a" maxwidth="10" size-unit="char"><source>保存</source>
        <target>Save the file now</target></trans-unit>
      <trans-unit id="b" maxwidth="10" size-unit="char"><source>取消</source>
        <target>Cancel</target></trans-unit>
      <trans-unit id="c" maxwidth="3" size-unit="pixel"><source>帮助</source>
        <target>Help</target></trans-unit>
      <trans-unit id="d"><source>访问 https://example.com/help 获取帮助</source>
        <target>Get help at the the help page</target></trans-unit>
      <trans-unit id="e"><source>型号A320</source><target>Model A320</target></trans-unit>
    </body>
  </file>
</xliff>
"""


def test_checks_run_on_localisation_files(tmp_path):
    path = tmp_path / "app.xlf"
    path.write_text(XLIFF, encoding="utf-8")
    result = scan([path], options=CheckOptions())
    new = {"identifiers", "length", "repeated_words", "doubled_punctuation", "target_consistency", "spelling",
           "custom_rules"}
    found = sorted((f.check, f.pair) for f in result.files[0].report.findings if f.check in new)
    # unit a is over its maxwidth (b is within; c's pixels cannot be measured); d lost its URL and doubled
    # "the"; e kept its code.
    assert found == [("identifiers", 3), ("length", 0), ("repeated_words", 3)]


XLIFF2 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"
       xmlns:slr="urn:oasis:names:tc:xliff:sizerestriction:2.0" srcLang="zh" trgLang="en">
  <file id="f1">
    <slr:profiles generalProfile="xliff:codepoints" storageProfile="xliff:utf8"/>
    <unit id="a" slr:sizeRestriction="10"><segment><source>保存</source><target>Save the file now</target>
      </segment></unit>
    <unit id="b" slr:sizeRestriction="6"><segment><source>取消</source><target><pc id="1">Cancel</pc></target>
      </segment></unit>
    <unit id="c" slr:storageRestriction="5"><segment><source>咖啡</source><target>Café</target>
      </segment></unit>
    <unit id="d" slr:storageRestriction="4"><segment><source>咖啡馆</source><target>Café</target>
      </segment></unit>
  </file>
  <file id="f2">
    <unit id="e" slr:sizeRestriction="3"><segment><source>帮助</source><target>Help</target></segment></unit>
  </file>
</xliff>
"""


def test_xliff2_size_and_storage_restrictions(tmp_path):
    path = tmp_path / "app.xlf"
    path.write_text(XLIFF2, encoding="utf-8")
    result = scan([path], options=CheckOptions())
    found = [(f.pair, f.message) for f in result.files[0].report.findings if f.check == "length"]
    # a: 17 code points over 10; b: "Cancel" is 6 (its inline code is markup, not counted); c: "Café" is 5
    # UTF-8 bytes, within 5; d: over 4 bytes; e: its file declares no profile, so 3 is in no known unit.
    assert found == [(0, "17 chars, over the file's limit of 10"), (3, "5 bytes, over the file's limit of 4")]


def test_mtqa_checks_and_explain():
    done = subprocess.run([sys.executable, "-m", "mtqa", "checks", "--format", "json"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    listed = {c["name"]: c for c in json.loads(done.stdout)}
    assert set(listed) == set(all_checks())
    assert listed["spelling"]["enabled"] is False and listed["identifiers"]["severity"] == "major"
    assert [s["name"] for s in listed["custom_rules"]["settings"]] == ["rules"]
    explain = subprocess.run([sys.executable, "-m", "mtqa", "explain", "repeated_words"], capture_output=True,
                             text=True, timeout=60)
    assert explain.returncode == 0 and "看看" in explain.stdout
    unknown = subprocess.run([sys.executable, "-m", "mtqa", "explain", "nope"], capture_output=True,
                             text=True, timeout=60)
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1


def test_identifiers_and_names_share_the_work():
    """A URL is reported whole by the identifiers check, not in pieces by the names check; a code the
    names check reads as one name (A320) is reported by it alone; a handle right after Chinese is found."""
    from mtqa.checks.names import check_names

    source = ["详见 https://example.com/a。", "型号A320", "关注@mtqa_dev"]
    target = ["See the page.", "Model", "Follow us"]
    names = [(f.source_span.text, f.pair) for f in run(check_names, source, target)]
    identifiers = [(f.source_span.text, f.pair) for f in run(check_identifiers, source, target)]
    assert names == [("A320", 1)]
    assert identifiers == [("https://example.com/a", 0), ("@mtqa_dev", 2)]


@pytest.mark.parametrize("comment, silenced", [("# mtqa: ignore terminology\n", True),
                                               ("# mtqa: ignore\n", True),
                                               ("# mtqa: ignore numbers, placeholders\n", False),
                                               ("# see the terminology list\n", False)])
def test_inline_suppression_in_a_po_comment(tmp_path, comment, silenced):
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "samples" / "l10n", repo)
    po = repo / "locale" / "en" / "LC_MESSAGES" / "app.po"
    text = po.read_text(encoding="utf-8")
    assert text.count("#: app/login.py:18\n") == 1
    po.write_text(text.replace("#: app/login.py:18\n", comment + "#: app/login.py:18\n"), encoding="utf-8")
    result = scan([po], glossary_paths=[repo / "glossary.tsv"], options=CheckOptions())
    checks = [f.check for f in result.files[0].report.findings]
    assert ("terminology" not in checks) == silenced


def test_inline_suppression_in_an_xliff_note(tmp_path):
    path = tmp_path / "app.xlf"
    note = "<target>Get help at the the help page</target><note>mtqa: ignore identifiers</note>"
    path.write_text(XLIFF.replace("<target>Get help at the the help page</target>", note), encoding="utf-8")
    result = scan([path], options=CheckOptions())
    found = sorted((f.check, f.pair) for f in result.files[0].report.findings
                   if f.check in {"identifiers", "repeated_words", "length"})
    assert found == [("length", 0), ("repeated_words", 3)]  # the URL finding is silenced, the rest stays
