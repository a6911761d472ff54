"""JUnit XML for CI test reporters: one testcase per aligned pair, failures carrying the findings.

A pair fails when it has a finding at or above the gate's ``fail_on`` severity; findings below it are listed
in the testcase's ``system-out`` so the pair still passes, matching the exit code. Findings that belong to
no pair (document-wide consistency) form their own testcase, and a last testcase stands for the score gate.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from mtqa.data import AlignedPair, Finding, Report, Severity
from mtqa.report.locations import finding_id, primary_location

NAME_PREVIEW = 60
# Characters XML 1.0 cannot carry at all, not even escaped; the input text is untrusted.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render_junit(report: Report, fail_on: Severity | None = Severity.MAJOR) -> str:
    suite_name = _xml_safe(f"mtqa {report.target.path or 'translation'}")
    target_name = report.target.path or "translation"
    classname = _xml_safe("mtqa." + target_name.replace("/", ".").replace("\\", "."))
    by_pair: dict[int | None, list[Finding]] = {}
    for finding in report.findings:
        by_pair.setdefault(finding.pair, []).append(finding)
    # Findings the baseline knows are listed as output, never as failures (they do not fail the gate).
    known = {id(finding) for index, finding in enumerate(report.findings)
             if report.baseline is not None and report.baseline.is_known(index)}

    cases: list[ET.Element] = []
    for pair in report.pairs:
        findings = by_pair.get(pair.id, [])
        cases.append(_testcase(report, classname, _pair_name(report, pair), findings, fail_on, known))
    known = {pair.id for pair in report.pairs}
    stray = [f for key, findings in by_pair.items() if key not in known for f in findings]
    if stray:
        cases.append(_testcase(report, classname, "document", stray, fail_on, known))
    cases.append(_gate_case(report, classname))

    failures = sum(1 for case in cases if case.find("failure") is not None)
    suites = ET.Element("testsuites", name="mtqa", tests=str(len(cases)), failures=str(failures),
                        errors="0", skipped="0", time="0")
    suite = ET.SubElement(
        suites, "testsuite", name=suite_name, tests=str(len(cases)), failures=str(failures), errors="0",
        skipped="0", time="0", timestamp=datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat(),
        hostname=socket.gethostname() or "localhost",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("source", report.source.path or ""),
        ("source_lang", report.source.lang),
        ("target", report.target.path or ""),
        ("target_lang", report.target.lang),
        ("score", f"{report.summary.score:.2f}"),
        ("passed", str(report.summary.passed).lower()),
    ):
        ET.SubElement(properties, "property", name=name, value=_xml_safe(value))
    suite.extend(cases)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _pair_name(report: Report, pair: AlignedPair) -> str:
    text = " ".join((pair.target_text(report.target) or pair.source_text(report.source)).split())
    if len(text) > NAME_PREVIEW:
        text = text[: NAME_PREVIEW - 1] + "…"
    return _xml_safe(f"pair {pair.id:04d} [{pair.kind}] {text}")


def _finding_text(report: Report, finding: Finding) -> str:
    location = primary_location(report, finding)
    where = location.path or "<text>"
    if location.region is not None:
        where += f":{location.region.start_line}:{location.region.start_column}"
    line = f"{where}: {finding.severity.value} {finding.category} [{finding_id(finding)}]: {finding.message}"
    if finding.suggestion:
        line += f" (suggestion: {finding.suggestion})"
    return _xml_safe(line)


def _testcase(report: Report, classname: str, name: str, findings: list[Finding],
              fail_on: Severity | None, known: frozenset[int] | set[int] = frozenset()) -> ET.Element:
    case = ET.Element("testcase", name=name, classname=classname, time="0")
    failing = [f for f in findings
               if fail_on is not None and f.severity.at_least(fail_on) and id(f) not in known]
    other = [f for f in findings if all(f is not g for g in failing)]
    if failing:
        worst = max(failing, key=lambda f: f.severity.rank)
        failure = ET.SubElement(case, "failure", type=worst.severity.value,
                                message=_xml_safe("; ".join(f"{f.category}: {f.message}" for f in failing)))
        failure.text = "\n".join(_finding_text(report, f) for f in failing)
    if other:
        ET.SubElement(case, "system-out").text = "\n".join(_finding_text(report, f) for f in other)
    return case


def _gate_case(report: Report, classname: str) -> ET.Element:
    s = report.summary
    case = ET.Element("testcase", name="quality gate", classname=classname, time="0")
    detail = (f"score {s.score:.2f}; {s.findings['critical']} critical, {s.findings['major']} major, "
              f"{s.findings['minor']} minor findings in {s.pairs} pairs, {s.words} words")
    if not s.passed:
        failure = ET.SubElement(case, "failure", type="quality-gate",
                                message=f"quality gate failed: {detail}")
        failure.text = detail
    else:
        ET.SubElement(case, "system-out").text = detail
    return case
