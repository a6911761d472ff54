"""`mtqa scan`: the bundled mini-repo end to end, walking, JSON pairing, bad files, git, outputs."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mtqa.l10n import locale_group, scan

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "l10n"


def mtqa(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mtqa", *args], capture_output=True, text=True, timeout=120, cwd=cwd or REPO
    )


def fingerprint(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".mtqa-cache" not in p.parts
    }


def test_sample_reports_exactly_the_planted_errors(tmp_path):
    completed = mtqa("scan", "samples/l10n", "--format", "json", "--cache-dir", str(tmp_path / "cache"))
    assert completed.returncode == 1, completed.stderr
    data = json.loads(completed.stdout)
    found = sorted(
        (f["path"], f["line"], f["check"], f["severity"], f.get("key"))
        for file in data["files"]
        for f in file["findings"]
    )
    assert found == sorted(
        [
            # forbidden glossary term
            ("samples/l10n/locale/en/LC_MESSAGES/app.po", 17, "terminology", "major", "扫描二维码登录"),
            # dropped placeholder
            ("samples/l10n/xliff/settings.xlf", 7, "placeholders", "major", "settings#greeting"),
            # dropped number (no target span: it points at the number in the source file)
            ("samples/l10n/i18n/zh/common.json", 7, "numbers", "major", "upload.limit"),
            # untranslated string
            ("samples/l10n/i18n/en/common.json", 12, "untranslated", "major", "button.cancel"),
        ]
    )
    summary = data["summary"]
    assert summary["files"] == 3 and summary["errors"] == 0 and summary["passed"] is False
    assert summary["empty_targets"] == 1  # the PO entry without msgstr; the fuzzy one is skipped


def test_sample_is_not_written_to_and_second_run_is_cached(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(SAMPLE, copy)
    before = fingerprint(copy)
    cache = tmp_path / "cache"
    first = scan([copy], cache_dir=cache)
    second = scan([copy], cache_dir=cache)
    assert fingerprint(copy) == before
    assert first.summary.checked == first.summary.units > 0 and first.summary.cached == 0
    assert second.summary.checked == 0 and second.summary.cached == first.summary.units
    assert second.summary.findings == first.summary.findings


def test_bad_files_become_findings_and_the_rest_is_checked(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo)
    (repo / "broken.po").write_text('msgid "a"\nmsgstr "b\nbroken line\n', encoding="utf-8")
    (repo / "bomb.xlf").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><xliff>&b;</xliff>',
        encoding="utf-8",
    )
    with open(repo / "huge.tmx", "wb") as handle:
        handle.truncate(201 * 1024 * 1024)  # sparse: never read
    (repo / "i18n" / "en" / "extra.json").write_text("[1, 2]", encoding="utf-8")
    (repo / "i18n" / "zh" / "extra.json").write_text('{"a": "甲"}', encoding="utf-8")
    completed = mtqa("scan", str(repo), "--no-cache", "-f", "json", cwd=tmp_path)
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    data = json.loads(completed.stdout)
    errors = {Path(f["path"]).name: f["error"] for f in data["files"] if f["error"]}
    assert set(errors) == {"broken.po", "bomb.xlf", "huge.tmx", "extra.json"}
    assert "malformed PO" in errors["broken.po"] and "entities" in errors["bomb.xlf"]
    assert "too large (201 MB; the limit is 200 MB)" in errors["huge.tmx"]
    assert "must be an object of keys, not an array" in errors["extra.json"]
    checks = sorted(f["check"] for file in data["files"] for f in file["findings"] if f["check"] != "input")
    assert checks == ["numbers", "placeholders", "terminology", "untranslated"]


def test_usage_errors_exit_2_with_one_line(tmp_path):
    missing = mtqa("scan", str(tmp_path / "nope"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    bad_glossary = tmp_path / "g.tsv"
    bad_glossary.write_text("nothing useful\n", encoding="utf-8")
    completed = mtqa("scan", str(SAMPLE), "--no-cache", "--glossary", str(bad_glossary))
    assert completed.returncode == 2 and completed.stderr.count("\n") == 1


def test_clean_repo_passes(tmp_path):
    (tmp_path / "app.po").write_text('msgid "保存"\nmsgstr "Save"\n', encoding="utf-8")
    completed = mtqa("scan", str(tmp_path), "--no-cache", "-q", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "PASSED" in completed.stdout


@pytest.mark.parametrize(
    "relative, group, locale",
    [
        ("locales/en/common.json", "locales/{locale}/common.json", "en"),
        ("locales/zh-CN/common.json", "locales/{locale}/common.json", "zh-CN"),
        ("_locales/zh_CN/messages.json", "_locales/{locale}/messages.json", "zh_CN"),
        ("i18n/zh.json", "i18n/{locale}.json", "zh"),
        ("strings/messages_zh.json", "strings/messages{sep}{locale}.json", "zh"),
        ("strings/messages.en.json", "strings/messages{sep}{locale}.json", "en"),
        ("src/app/config.json", None, None),
        ("package.json", None, None),
    ],
)
def test_locale_conventions(tmp_path, relative, group, locale):
    found = locale_group(tmp_path / relative, tmp_path)
    assert found == ((group, locale) if group else None)


def test_json_pairs_by_convention_and_source_locale(tmp_path):
    files = (("en", '{"save": "Save", "n": "{count} files"}'), ("zh", '{"save": "保存", "n": "个文件"}'))
    for locale, text in files:
        path = tmp_path / "locales" / locale / "app.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = scan([tmp_path])  # no bilingual file declares a source: English is taken as the source
    [file] = result.files
    assert file.report.source.lang == "en" and file.report.target.lang == "zh"
    assert [f.check for f in file.report.findings] == ["placeholders"]
    reverse = scan([tmp_path], source_lang="zh")
    assert reverse.files[0].report.source.path.endswith("zh/app.json")


def test_single_json_file_finds_its_partner(tmp_path, monkeypatch):
    shutil.copytree(SAMPLE, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    completed = mtqa("scan", "i18n/en/common.json", "--no-cache", "-f", "json", cwd=tmp_path / "repo")
    data = json.loads(completed.stdout)
    assert [f["path"] for f in data["files"]] == ["i18n/en/common.json"]
    assert sorted(f["check"] for f in data["files"][0]["findings"]) == ["numbers", "untranslated"]


def test_changed_since_limits_to_changed_files(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo)

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init")
    unchanged = scan([repo], changed_since="HEAD")
    assert unchanged.files == []
    xlf = repo / "xliff" / "settings.xlf"
    xlf.write_text(xlf.read_text(encoding="utf-8").replace("Hello!", "Hello, {name}!"), encoding="utf-8")
    changed = scan([repo], changed_since="HEAD")
    assert [Path(f.path).name for f in changed.files] == ["settings.xlf"]
    assert changed.files[0].report.findings == [] and changed.summary.passed
    completed = mtqa("scan", str(repo), "--changed-since", "no-such-rev", "--no-cache", cwd=repo)
    assert completed.returncode == 2 and "no-such-rev" in completed.stderr


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_ci_formats_point_at_file_lines(tmp_path, fmt):
    completed = mtqa("scan", "samples/l10n", "--no-cache", "-f", fmt)
    assert completed.returncode == 1, completed.stderr
    out = completed.stdout
    if fmt == "sarif":
        import jsonschema

        schema = json.loads((REPO / "tests" / "schemas" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
        log = json.loads(out)
        jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
        assert len(log["runs"]) == 1
        rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
        assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in log["runs"][0]["results"])
        results = log["runs"][0]["results"]
        places = {
            (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results
        }
        assert ("samples/l10n/xliff/settings.xlf", 7) in places
        assert ("samples/l10n/locale/en/LC_MESSAGES/app.po", 17) in places
        assert len(results) == 4
    elif fmt == "github":
        assert "file=samples/l10n/xliff/settings.xlf,line=7" in out
        assert "file=samples/l10n/i18n/en/common.json,line=12" in out
    else:
        assert out.count("<testsuite ") == 3 and "<failure" in out


def test_several_outputs(tmp_path):
    out = tmp_path / "scan.json"
    completed = mtqa("scan", "samples/l10n", "--no-cache", "-f", "rich", "-f", f"json={out}")
    assert completed.returncode == 1
    assert "FAILED" in completed.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["findings"]["major"] == 4


def test_check_routes_bilingual_files_and_json_pairs():
    xliff = mtqa("check", "samples/l10n/xliff/settings.xlf", "--no-model", "-f", "json")
    assert xliff.returncode == 1, xliff.stderr
    [file] = json.loads(xliff.stdout)["files"]
    assert [(f["check"], f["line"]) for f in file["findings"]] == [("placeholders", 7)]
    pair = mtqa("check", "samples/l10n/i18n/zh/common.json", "samples/l10n/i18n/en/common.json", "--no-model",
                "-f", "json")
    [file] = json.loads(pair.stdout)["files"]
    assert (file["source"]["lang"], file["target"]["lang"]) == ("zh", "en")
    assert sorted(f["check"] for f in file["findings"]) == ["numbers", "untranslated"]


def test_json_source_locale_follows_the_bilingual_files(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo)
    (repo / "mtqa.toml").unlink()  # no source_lang from the config: the PO and XLIFF files tell
    result = scan([repo])
    [json_file] = [f for f in result.files if f.format == "json"]
    assert json_file.report.source.path.endswith("zh/common.json")
    assert sorted(f.check for f in json_file.report.findings) == ["numbers", "untranslated"]


def test_csv_tables_that_are_not_strings_are_left_alone(tmp_path):
    glossary = "source\ttarget\tforbidden\tnote\n二维码\tQR code\t\t\n"
    (tmp_path / "terms.tsv").write_text(glossary, encoding="utf-8")
    (tmp_path / "data.csv").write_text("city,population\nShenyang,9000000\n", encoding="utf-8")
    (tmp_path / "strings.csv").write_text("key,zh,en\nsave,保存,保存\n", encoding="utf-8")
    result = scan([tmp_path], source_lang="zh", target_lang="en")
    assert [Path(f.path).name for f in result.files] == ["strings.csv"]
    assert [f.check for f in result.files[0].report.findings] == ["untranslated"]
    staged = scan([tmp_path / "terms.tsv", tmp_path / "data.csv"])
    assert staged.files == []


def test_check_on_one_unreadable_file_exits_2(tmp_path):
    bad = tmp_path / "bad.po"
    bad.write_text('msgid "a"\nmsgstr "b\nbroken line\n', encoding="utf-8")
    completed = mtqa("check", str(bad), "--no-model", cwd=tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr.strip().splitlines() == [f"mtqa: error: {bad}: malformed PO file: line 2: "
                                                      "end of line within a string (missing closing quote)"]


def test_changed_since_keeps_the_json_direction(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo)
    (repo / "mtqa.toml").unlink()  # the direction comes from the PO/XLIFF files, which do not change

    def git(*args):
        subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "init")
    target = repo / "i18n" / "en" / "common.json"
    target.write_text(target.read_text(encoding="utf-8").replace('"Save"', '"Save it"'), encoding="utf-8")
    [result] = scan([repo], changed_since="HEAD").files
    assert result.report.source.path.endswith("zh/common.json")


def test_target_lang_selects_files_and_unsupported_languages_are_skipped(tmp_path):
    header = 'msgid ""\nmsgstr "Language: {}\\n"\n\nmsgid "Save"\n'
    (tmp_path / "fr.po").write_text(header.format("fr") + 'msgstr "Enregistrer"\n', encoding="utf-8")
    (tmp_path / "zh.po").write_text(header.format("zh") + 'msgstr "保存"\n', encoding="utf-8")
    everything = scan([tmp_path])
    skipped = {Path(f.path).name: f.skipped for f in everything.files if f.skipped}
    assert skipped == {"fr.po": "target language 'fr' is not supported"}
    assert everything.summary.passed and everything.summary.skipped == 1 and everything.summary.files == 1
    only_zh = scan([tmp_path], target_lang="zh")
    assert {Path(f.path).name: bool(f.skipped) for f in only_zh.files} == {"fr.po": True, "zh.po": False}


TBX = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="zh"><termSec><term>二维码</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>QR code</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
        <termSec><term>two-dimensional code</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_glossary_forbidden_terms(tmp_path):
    tbx = tmp_path / "terms.tbx"
    tbx.write_text(TBX, encoding="utf-8")
    result = scan([SAMPLE], glossary_paths=[tbx])
    terminology = [f for r in result.files for f in r.report.findings if f.check == "terminology"]
    assert [f.target_span.text for f in terminology] == ["two-dimensional code"]
    french = tmp_path / "fr.tbx"
    french.write_text(TBX.replace('"zh"', '"de"'), encoding="utf-8")
    completed = mtqa("scan", str(SAMPLE), "--no-cache", "--glossary", str(french))
    assert completed.returncode == 2 and "no term entries with both zh and en" in completed.stderr
