"""SARIF output: valid against the SARIF 2.1.0 schema shipped in tests/schemas, with correct regions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from report_sample import SOURCE, TARGET, sample_report

from mtqa.report.sarif import render_sarif, report_to_sarif

SCHEMA_PATH = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_sarif_validates_against_the_2_1_0_schema(validator):
    log = json.loads(render_sarif(sample_report(), base=Path.cwd()))
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == []


def test_schema_catches_a_broken_log(validator):
    # The validation above is only worth something if the schema rejects what GitHub would reject.
    log = report_to_sarif(sample_report())
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(log))) >= 2


def test_driver_rules_and_results():
    report = sample_report()
    run = report_to_sarif(report)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mtqa"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    results = run["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings, strict=True):
        assert result["ruleId"] == finding.check
        assert driver["rules"][result["ruleIndex"]]["id"] == finding.check
        assert result["message"]["text"].startswith(finding.message)
    levels = [r["level"] for r in results]
    assert levels == ["error", "error", "warning", "error", "warning", "warning"]


def _column_slice(text: str, region: dict) -> str:
    lines = text.split("\n")
    assert region["startLine"] == region["endLine"]
    return lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]


def test_regions_are_one_based_and_cover_the_span():
    report = sample_report()
    results = report_to_sarif(report, base=Path.cwd())["runs"][0]["results"]
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "samples/x/translation.en.txt"
    assert first["region"]["startLine"] == 1
    assert first["region"]["startColumn"] == TARGET.index("China Energy") + 1
    for result, finding in zip(results, report.findings, strict=True):
        physical = result["locations"][0]["physicalLocation"]
        if finding.target_span is not None:
            assert _column_slice(TARGET, physical["region"]) == finding.target_span.text
            assert physical["artifactLocation"]["uri"].endswith("translation.en.txt")
        elif finding.source_span is not None:
            # An omission has no target side: it points at the source file and span.
            assert physical["artifactLocation"]["uri"] == "samples/x/source.zh.txt"
            assert _column_slice(SOURCE, physical["region"]) == finding.source_span.text
        else:
            assert "region" not in physical
    second_line = results[1]["locations"][0]["physicalLocation"]["region"]
    assert second_line["startLine"] == 3  # "double carbon" is after a blank line


def test_findings_with_both_sides_link_the_source_span():
    results = report_to_sarif(sample_report())["runs"][0]["results"]
    related = results[0]["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"].endswith("source.zh.txt")
    assert _column_slice(SOURCE, related["region"]) == "中国节能"


def test_repeated_findings_get_distinct_fingerprints_and_uris_are_encoded():
    report = sample_report(path_prefix="my docs/译文 ")
    report.findings = [report.findings[0], report.findings[0]]
    results = report_to_sarif(report, base=Path.cwd())["runs"][0]["results"]
    prints = [r["partialFingerprints"]["mtqaFindingId/v1"] for r in results]
    assert prints[0] != prints[1] and prints[0].endswith(":1") and prints[1].endswith(":2")
    assert prints[0][:-2] == results[0]["properties"]["id"] == results[1]["properties"]["id"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20docs/%E8%AF%91%E6%96%87%20translation.en.txt"


def test_fingerprints_ignore_offsets():
    a = report_to_sarif(sample_report())["runs"][0]["results"]
    b = report_to_sarif(sample_report(path_prefix="elsewhere/"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    assert len({r["partialFingerprints"]["mtqaFindingId/v1"] for r in a}) == len(a)
