"""The incremental cache: only new or changed strings are checked again, with the same findings."""

from __future__ import annotations

import sqlite3

import pytest

from mtqa.errors import MtqaError
from mtqa.formats import BilingualFile, BilingualUnit
from mtqa.glossary import load_glossary
from mtqa.l10n import L10nChecker
from mtqa.l10n.cache import ResultCache, glossary_version, unit_key

PAIRS = [
    ("扫描二维码登录", "Scan the two-dimensional code to sign in"),
    ("欢迎，{name}！", "Welcome!"),
    ("共有3个文件", "There are 5 files"),
    ("保存", "保存"),
    ("打开文件", "Open file"),
]


def bilingual(pairs):
    units = [BilingualUnit(str(i), s, t, path="app.po", line=3 * i + 2) for i, (s, t) in enumerate(pairs)]
    return BilingualFile("app.po", "po", units, source_lang="zh", target_lang="en")


def glossary_file(tmp_path, forbidden="two-dimensional code"):
    path = tmp_path / "glossary.tsv"
    path.write_text(f"source\ttarget\tforbidden\tnote\n二维码\tQR code\t{forbidden}\t\n", encoding="utf-8")
    return path


def summary(result):
    findings = result.report.findings
    return [(f.pair, f.check, f.message, f.target_span and f.target_span.text) for f in findings]


def test_second_run_comes_from_cache_with_identical_findings(tmp_path):
    glossary = glossary_file(tmp_path)
    with ResultCache(tmp_path / "cache") as cache:
        first = L10nChecker(glossary_paths=[glossary], cache=cache).check_file(bilingual(PAIRS))
    with ResultCache(tmp_path / "cache") as cache:
        second = L10nChecker(glossary_paths=[glossary], cache=cache).check_file(bilingual(PAIRS))
    assert (first.checked, first.cached) == (5, 0)
    assert (second.checked, second.cached) == (0, 5)
    assert summary(first) == summary(second)
    checks = {f.check for f in second.report.findings}
    assert checks >= {"terminology", "placeholders", "numbers", "untranslated"}
    assert second.report.summary == first.report.summary


def test_only_changed_strings_are_checked_again(tmp_path):
    with ResultCache(tmp_path / "cache") as cache:
        L10nChecker(cache=cache).check_file(bilingual(PAIRS))
        changed = list(PAIRS)
        changed[2] = ("共有3个文件", "There are 3 files")  # fixes the number
        changed.append(("关闭", "Close"))  # new string
        result = L10nChecker(cache=cache).check_file(bilingual(changed))
    assert (result.checked, result.cached) == (2, 4)
    assert all(f.check != "numbers" for f in result.report.findings)


def test_findings_point_at_the_file_lines(tmp_path):
    result = L10nChecker().check_file(bilingual(PAIRS))
    lines = {f.check: result.report.target.line_col(f.target_span.start)[0] for f in result.report.findings}
    assert lines["placeholders"] == 5 and lines["numbers"] == 8 and lines["untranslated"] == 11


def test_glossary_change_invalidates(tmp_path):
    with ResultCache(tmp_path / "cache") as cache:
        L10nChecker(glossary_paths=[glossary_file(tmp_path)], cache=cache).check_file(bilingual(PAIRS))
        other = glossary_file(tmp_path, forbidden="2D code")
        result = L10nChecker(glossary_paths=[other], cache=cache).check_file(bilingual(PAIRS))
    assert result.checked == 5
    assert all(f.check != "terminology" or "forbidden" not in f.message for f in result.report.findings)


def test_key_covers_every_input():
    base = ("a", "b", "zh", "en", "g", "c", "m")
    keys = {unit_key(*base)}
    for index in range(len(base)):
        changed = list(base)
        changed[index] += "x"
        keys.add(unit_key(*changed))
    assert len(keys) == len(base) + 1


def test_glossary_version_follows_content(tmp_path):
    first = glossary_version(load_glossary(glossary_file(tmp_path)))
    assert first == glossary_version(load_glossary(glossary_file(tmp_path)))
    assert first != glossary_version(load_glossary(glossary_file(tmp_path, forbidden="2D code")))
    assert glossary_version(None) == "none"


def test_damaged_cache_file_is_replaced(tmp_path):
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "results.sqlite3").write_bytes(b"this is not a database" * 100)
    with ResultCache(directory) as cache:
        cache.put_many([("k", {"findings": []})])
        assert cache.get_many(["k", "other"]) == {"k": {"findings": []}}
    with sqlite3.connect(directory / "results.sqlite3") as connection:
        assert connection.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1


def test_unusable_cache_directory_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(MtqaError, match="cannot use it as the cache directory"):
        ResultCache(blocker / "cache")
