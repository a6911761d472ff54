"""JUnit XML: parses back, has the usual testsuites/testsuite/testcase structure, one case per pair."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_sample import sample_report

from mtqa.data import Severity
from mtqa.report.junit import render_junit


def _parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def test_structure_follows_junit():
    report = sample_report()
    root = _parse(render_junit(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    # one per pair, one for the document-wide finding, one for the quality gate
    assert len(cases) == len(report.pairs) + 2
    assert int(suite.get("tests")) == len(cases) == int(root.get("tests"))
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failed) == int(root.get("failures"))
    for attribute in ("name", "errors", "skipped", "time", "timestamp", "hostname"):
        assert suite.get(attribute) is not None
    for case in cases:
        assert case.get("name") and case.get("classname") and case.get("time") is not None
        assert set(child.tag for child in case) <= {"failure", "system-out"}
        for failure in case.findall("failure"):
            assert failure.get("message") and failure.get("type")
    assert {p.get("name") for p in suite.find("properties")} >= {"source", "target", "score"}


def test_failures_carry_the_findings_at_the_gate():
    root = _parse(render_junit(sample_report(), fail_on=Severity.MAJOR))
    cases = {c.get("name").split(" ")[1]: c for c in root.iter("testcase")
             if c.get("name").startswith("pair")}
    pair0 = cases["0000"].find("failure")
    assert pair0.get("type") == "major"
    assert "China Energy Conservation" in pair0.get("message")
    assert "CECEP" in pair0.text and ":1:" in pair0.text
    pair1 = cases["0001"]
    assert "double carbon" in pair1.find("failure").text
    # minor findings of pair 1 do not fail it: they are listed as output
    assert "number <20> check" in pair1.find("system-out").text
    assert "number <20>" not in pair1.find("failure").text
    gate = next(c for c in root.iter("testcase") if c.get("name") == "quality gate")
    assert gate.find("failure") is not None


def test_gate_and_threshold_change_failures():
    passed = _parse(render_junit(sample_report(passed=True), fail_on=None))
    assert passed.get("failures") == "0"
    strict = _parse(render_junit(sample_report(), fail_on=Severity.MINOR))
    document = next(c for c in strict.iter("testcase") if c.get("name") == "document")
    assert "two ways" in document.find("failure").text  # the control character was replaced, not emitted
