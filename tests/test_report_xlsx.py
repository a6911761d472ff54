"""The XLSX LQA scorecard: read back with openpyxl, counts and verdict equal to the JSON report's."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from mtqa.align import create_aligner
from mtqa.pipeline import check
from mtqa.report.xlsx import FINDING_COLUMNS, PAIR_COLUMNS, render_xlsx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "liaoning-cecep"


def mtqa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtqa", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


def test_sample_scorecard_matches_the_json_report(tmp_path):
    xlsx, js = tmp_path / "report.xlsx", tmp_path / "report.json"
    completed = mtqa("check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"), "--glossary",
                     str(SAMPLE / "glossary.tsv"), "--no-model", "-f", f"xlsx={xlsx}", "-f", f"json={js}")
    assert completed.returncode == 1, completed.stderr
    data = json.loads(js.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Findings", "Scorecard", "Pairs"]

    findings = book["Findings"]
    rows = list(findings.iter_rows(values_only=True))
    assert rows[0] == FINDING_COLUMNS
    assert findings.freeze_panes == "A2" and findings.auto_filter.ref == f"A1:M{len(rows)}"
    assert len(rows) - 1 == len(data["findings"])
    for row, finding in zip(rows[1:], data["findings"], strict=True):
        record = dict(zip(FINDING_COLUMNS, row, strict=True))
        assert record["fingerprint"] == finding["fingerprint"]
        assert (record["check"], record["category"], record["severity"]) == \
            (finding["check"], finding["category"], finding["severity"])
        assert record["state"] == "new"
    assert any(r[4] == "double carbon" and "dual carbon" in r[9] for r in rows[1:])

    card = {row[0]: row[1:] for row in book["Scorecard"].iter_rows(values_only=True) if row and row[0]}
    summary = data["summary"]
    minor, major, critical, total, penalty = card["total"]
    assert (minor, major, critical) == (summary["findings"]["minor"], summary["findings"]["major"],
                                        summary["findings"]["critical"])
    assert total == len(data["findings"]) and penalty == minor + 5 * major + 25 * critical
    assert card["penalty weight"][:3] == (1, 5, 25)
    assert card["words (target)"][0] == summary["words"]
    assert card["MQM score (100 − penalty per 100 words)"][0] == summary["score"]
    assert card["result"][0] == "FAIL"
    assert card["terminology"][1] == sum(1 for f in data["findings"] if f["category"] == "terminology"
                                          and f["severity"] == "major")

    pairs = list(book["Pairs"].iter_rows(values_only=True))
    assert pairs[0] == PAIR_COLUMNS and len(pairs) - 1 == len(data["pairs"])
    assert pairs[1][3] == data["pairs"][0]["target_text"]


def test_input_text_never_becomes_a_formula():
    report = check("公式=SUM(A1:A9)。\n", "=SUM(A1:A9) is the formula. The the end.\n", source_lang="zh",
                   target_lang="en", aligner=create_aligner("length"))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    pair_target = book["Pairs"]["D2"]
    assert pair_target.value.startswith("=SUM") and pair_target.data_type == "s"


def test_xlsx_needs_a_path():
    completed = mtqa("check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"), "--no-model",
                     "-f", "xlsx")
    assert completed.returncode == 2 and "give it a path" in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


def test_scan_writes_one_workbook_over_every_file(tmp_path):
    # The bundled mini-repo: four planted errors in three files (tests/test_scan.py pins them).
    xlsx, js = tmp_path / "scan.xlsx", tmp_path / "scan.json"
    result = mtqa("scan", "samples/l10n", "--no-model", "--cache-dir", str(tmp_path / "cache"),
                  "-f", f"xlsx={xlsx}", "-f", f"json={js}")
    assert result.returncode == 1, result.stderr
    data = json.loads(js.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(xlsx)
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[0] == ("file", *FINDING_COLUMNS)
    expected = sorted((file["path"], f["check"], f["severity"])
                      for file in data["files"] for f in file["findings"])
    assert sorted((row[0], row[6], row[8]) for row in findings[1:]) == expected
    assert len({row[0] for row in findings[1:]}) == 3  # the findings come from three files
    pairs = list(book["Pairs"].iter_rows(values_only=True))
    assert pairs[0] == ("file", *PAIR_COLUMNS)
    assert {row[0] for row in pairs[1:]} == {file["path"] for file in data["files"]}
    card = {row[0]: row[1:] for row in book["Scorecard"].iter_rows(values_only=True) if row and row[0]}
    assert card["result"][0] == "FAIL"
    totals = card["total"]
    assert totals[3] == len(expected)  # minor, major, critical, total, penalty
    per_file = {row[0]: row for row in book["Scorecard"].iter_rows(values_only=True)
                if row and row[0] in {file["path"] for file in data["files"]}}
    assert len(per_file) == len(data["files"])
    assert all(row[-1] == "FAIL" for row in per_file.values() if row[2])  # a file with a major fails
