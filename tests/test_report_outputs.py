"""Several formats in one run: --format FMT[=PATH] and -o, the standard-output rule, and the exit code
contract (0/1/2) holding for every format."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from mtqa.errors import MtqaError
from mtqa.report.outputs import FORMATS, OutputSpec, parse_format, plan_outputs

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "liaoning-cecep"


def mtqa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mtqa", "check", str(SAMPLE / "source.zh.txt"),
         str(SAMPLE / "translation.en.txt"), "--glossary", str(SAMPLE / "glossary.tsv"), "--no-model",
         "--aligner", "length", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )


def test_parse_format():
    assert parse_format("sarif") == OutputSpec("sarif", None)
    assert parse_format("html=out/report.html") == OutputSpec("html", Path("out/report.html"))
    with pytest.raises(MtqaError, match="unknown format 'xml'"):
        parse_format("xml")
    with pytest.raises(MtqaError, match="empty path"):
        parse_format("json=")


def test_plan_rules(tmp_path):
    assert plan_outputs((), None) == [OutputSpec("rich", None)]
    assert plan_outputs(("html",), tmp_path / "r.html") == [OutputSpec("html", tmp_path / "r.html")]
    # -o goes to the one format without a path; standard output comes last.
    plan = plan_outputs(("json=a.json", "sarif"), tmp_path / "s.sarif")
    assert plan == [OutputSpec("json", Path("a.json")), OutputSpec("sarif", tmp_path / "s.sarif")]
    plan = plan_outputs(("rich", "json=a.json", "sarif=b.sarif"), None)
    assert plan[-1] == OutputSpec("rich", None)  # standard output comes last
    with pytest.raises(MtqaError, match="standard output"):
        plan_outputs(("json", "sarif"), None)
    with pytest.raises(MtqaError, match="-o/--output"):
        plan_outputs(("json", "sarif"), tmp_path / "x")
    with pytest.raises(MtqaError, match="both the json and the sarif"):
        plan_outputs(("json=x", "sarif=x"), None)
    assert len(plan_outputs(("rich", "github"), None)) == 2  # the runner reads commands out of the log
    with pytest.raises(MtqaError, match="standard output"):
        plan_outputs(("json", "github"), None)
    source = tmp_path / "source.txt"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(MtqaError, match="input file"):
        plan_outputs(("json",), source, [source])


def test_every_format_in_one_run(tmp_path):
    files = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "html", "sarif", "junit")}
    per_file = [arg for fmt, path in files.items() for arg in ("-f", f"{fmt}={path}")]
    result = mtqa("-f", "rich", "-f", "github", *per_file)
    assert result.returncode == 1, result.stderr  # the sample fails the default gate, whatever the formats
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["summary"]["passed"] is False
    assert all(len(f["id"]) > 5 for f in data["findings"])
    sarif = json.loads(files["sarif"].read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == len(data["findings"])
    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)
    rule_ids = {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"terminology", "numbers", "alignment", "untranslated"} <= rule_ids
    suites = ET.fromstring(files["junit"].read_bytes())
    assert suites.tag == "testsuites" and int(suites.get("failures")) > 0
    assert files["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    github = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(github) == len(data["findings"]) + 1
    assert "FAILED" in result.stdout  # the rich summary is there too


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_codes_hold_for_every_format(tmp_path, fmt):
    out = tmp_path / "out"
    assert mtqa("-f", f"{fmt}={out}").returncode == 1
    assert mtqa("-f", f"{fmt}={out}", "--fail-on", "never").returncode == 0
    bad = mtqa("-f", f"{fmt}={out}", "--source-lang", "xx")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_format_errors_are_exit_2_with_one_line():
    for args in (("-f", "xml"), ("-f", "json", "-f", "sarif"), ("-f", "json=")):
        result = mtqa(*args)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr


def test_quiet_and_verbose_rich(tmp_path):
    quiet = mtqa("-q")
    assert quiet.returncode == 1
    assert len(quiet.stdout.strip().splitlines()) == 1 and "FAILED" in quiet.stdout
    normal = mtqa()
    verbose = mtqa("-v")
    assert len(verbose.stdout.splitlines()) > len(normal.stdout.splitlines()) > 1
    assert "without findings not shown" in normal.stdout
    assert "without findings not shown" not in verbose.stdout
