"""Rendering a scan (``mtqa scan``, ``mtqa check FILE.po``): the terminal table per file, the scan JSON, and
SARIF, JUnit and GitHub annotations merged over the files' reports.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # building JUnit output only; untrusted XML is never parsed with it

import defusedxml.ElementTree as DefusedET
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mtqa.data import Finding, Report, Severity
from mtqa.l10n import FileResult, ScanResult

# -- where a finding points --------------------------------------------------------------------------

def finding_location(result: FileResult, finding: Finding) -> tuple[str, int | None]:
    """File and 1-based line of a finding: the documents are laid out on the files' lines."""
    report = result.report
    if finding.target_span is not None:
        return report.target.path or result.path, report.target.line_col(finding.target_span.start)[0]
    if finding.source_span is not None:
        return report.source.path or result.path, report.source.line_col(finding.source_span.start)[0]
    if finding.pair is not None and finding.pair < len(result.units):
        unit = result.units[finding.pair]
        return unit.path, unit.line
    return result.path, None


# -- renderers ---------------------------------------------------------------------------------------

SEVERITY_STYLE = {"critical": "bold white on red", "major": "bold red", "minor": "yellow"}


def render_rich_scan(result: ScanResult, console: Console, *, quiet: bool = False, verbose: bool = False):
    if not quiet:
        for file_result in result.files:
            if file_result.skipped:
                if verbose:
                    reason = escape(file_result.skipped)
                    console.print(f"[dim]{escape(file_result.path)}: skipped ({reason})[/]")
                continue
            findings = file_result.report.findings
            if not findings:
                if verbose:
                    console.print(f"[green]✓[/] {escape(file_result.path)}  [dim]{len(file_result.units)} "
                                  "strings[/]")
                continue
            title = escape(file_result.path)
            source_path = file_result.report.source.path
            if source_path and source_path != file_result.path:
                title += f" [dim](source: {escape(source_path)})[/]"
            table = Table(title=title, title_justify="left", show_lines=False, expand=False,
                          title_style="bold")
            table.add_column("line", justify="right", style="cyan", no_wrap=True)
            table.add_column("severity", no_wrap=True)
            table.add_column("check", no_wrap=True)
            table.add_column("finding", overflow="fold")
            for finding in findings:
                path, line = finding_location(file_result, finding)
                # A JSON pair's finding without a target span points into the source-locale file.
                where = str(line or "") if path == file_result.path else f"{line or ''} (src)"
                message = escape(finding.message)
                if finding.suggestion:
                    message += f" [dim]→ {escape(finding.suggestion)}[/]"
                if finding.pair is not None and finding.pair < len(file_result.units):
                    unit = file_result.units[finding.pair]
                    text = " ".join(unit.target.split())
                    text = text if len(text) <= 60 else text[:59] + "…"
                    message += f"\n[dim]{escape(unit.key.replace(chr(4), ' | '))}: {escape(text)}[/]"
                table.add_row(where, f"[{SEVERITY_STYLE[finding.severity.value]}]{finding.severity.value}[/]",
                              finding.check, message)
            console.print(table)
    console.print(summary_text(result))
    if not quiet and result.signature is not None:
        console.print(f"[dim]signature {escape(str(result.signature))}[/]", soft_wrap=True)


def summary_text(result: ScanResult) -> str:
    s = result.summary
    verdict = "[bold green]PASSED[/]" if s.passed else "[bold red]FAILED[/]"
    parts = [
        f"{verdict}  {s.files} files, {s.units} strings ({s.checked} checked, {s.cached} from cache)",
        f"{s.findings['critical']} critical, {s.findings['major']} major, {s.findings['minor']} minor",
    ]
    matches = [r.report.baseline for r in result.files if r.skipped is None and r.report.baseline is not None]
    if matches:
        new = sum(m.states.count("new") for m in matches)
        known = sum(m.states.count("unchanged") for m in matches)
        parts.append(f"baseline: {new} new, {known} known")
    if s.errors:
        parts.append(f"[bold red]{s.errors} unreadable[/]")
    if s.empty_targets:
        parts.append(f"{s.empty_targets} untranslated (empty)")
    if s.skipped:
        parts.append(f"{s.skipped} skipped")
    parts.append(f"{s.seconds:.2f} s")
    return "  ·  ".join(parts)


def scan_to_dict(result: ScanResult) -> dict:
    """The scan JSON (version 1): the summary, then per file its summary and its findings with lines."""
    from mtqa.report.json_report import add_baseline_fields

    s = result.summary
    files = []
    for file_result in result.files:
        report = file_result.report
        findings: list[dict] = []
        for finding in report.findings:
            path, line = finding_location(file_result, finding)
            entry = finding.to_dict()
            entry["path"] = path
            entry["line"] = line
            if finding.pair is not None and finding.pair < len(file_result.units):
                entry["key"] = file_result.units[finding.pair].key
            findings.append(entry)
        file_summary = {
            "words": report.summary.words,
            "findings": dict(report.summary.findings),
            "score": report.summary.score,
            "passed": report.summary.passed,
        }
        add_baseline_fields(report, findings, file_summary)
        files.append(
            {
                "path": file_result.path,
                "format": file_result.format,
                "source": {"path": report.source.path, "lang": report.source.lang},
                "target": {"path": report.target.path, "lang": report.target.lang},
                "strings": len(file_result.units),
                "checked": file_result.checked,
                "cached": file_result.cached,
                "empty_targets": file_result.empty_targets,
                "error": file_result.error,
                "skipped": file_result.skipped,
                "summary": file_summary,
                "findings": findings,
            }
        )
    return {
        "version": 1,
        "kind": "scan",
        "summary": {
            "files": s.files,
            "strings": s.units,
            "checked": s.checked,
            "cached": s.cached,
            "empty_targets": s.empty_targets,
            "errors": s.errors,
            "skipped": s.skipped,
            "findings": dict(s.findings),
            "passed": s.passed,
            "seconds": s.seconds,
        },
        "files": files,
        # Additive to version 1: what checked the files (see docs/json-contract.md).
        **({"signature": result.signature.to_dict()} if result.signature is not None else {}),
    }


def render_json_scan(result: ScanResult, fail_on: Severity | None = None) -> str:
    return json.dumps(scan_to_dict(result), ensure_ascii=False, indent=2) + "\n"


def _checked_reports(result: ScanResult) -> list[Report]:
    return [r.report for r in result.files if r.skipped is None]


def render_sarif_scan(result: ScanResult, fail_on: Severity | None = None) -> str:
    """One SARIF run for the whole scan (code scanning wants one run per tool): results of every file."""
    from mtqa.report.sarif import report_to_sarif

    merged: dict | None = None
    rules: dict[str, dict] = {}
    results: list[dict] = []
    for report in _checked_reports(result):
        log = report_to_sarif(report)
        run = log["runs"][0]
        if merged is None:
            merged = log
        for rule in run["tool"]["driver"]["rules"]:
            rules.setdefault(rule["id"], rule)
        results.extend(run["results"])
    if merged is None:
        from mtqa.data import Document, Summary

        empty = Report(Document("", "und"), Document("", "und"), [], [], Summary(0, 0, {}, 100.0, True))
        merged = report_to_sarif(empty)
        rules = {rule["id"]: rule for rule in merged["runs"][0]["tool"]["driver"]["rules"]}
    order = list(rules)
    for item in results:
        item["ruleIndex"] = order.index(item["ruleId"])
    run = merged["runs"][0]
    run["tool"]["driver"]["rules"] = [rules[name] for name in order]
    run["results"] = results
    s = result.summary
    run["properties"] = {
        "files": s.files, "strings": s.units, "findings": dict(s.findings), "passed": s.passed
    }
    return json.dumps(merged, ensure_ascii=False, indent=2) + "\n"


def render_junit_scan(result: ScanResult, fail_on: Severity | None = Severity.MAJOR) -> str:
    """One test suite per file (the per-file JUnit of the reports module), under one ``testsuites``."""
    from mtqa.report.junit import render_junit

    suites = ET.Element("testsuites", name="mtqa scan")
    tests = failures = 0
    for report in _checked_reports(result):
        # Our own output, parsed back (through defusedxml like every XML read) only to nest the suites.
        rendered = DefusedET.fromstring(render_junit(report, fail_on).split("\n", 1)[1])
        for suite in rendered:
            tests += int(suite.get("tests", 0))
            failures += int(suite.get("failures", 0))
            suites.append(suite)
    suites.set("tests", str(tests))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render_github_scan(result: ScanResult, fail_on: Severity | None = None) -> str:
    from mtqa.report.github import annotation, escape_data

    reports = _checked_reports(result)
    lines = [annotation(report, finding) for report in reports for finding in report.findings]
    s = result.summary
    verdict = "passed" if s.passed else "failed"
    summary = (f"mtqa scan: quality gate {verdict}: {s.files} files, {s.units} strings, "
               f"{s.findings['critical']} critical, {s.findings['major']} major, {s.findings['minor']} minor")
    lines.append(f"::notice title=mtqa::{escape_data(summary)}")
    return "\n".join(lines) + "\n"
