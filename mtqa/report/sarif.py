"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One rule per registered check; one result per finding, located on the target span (the source span when a
finding has no target side, e.g. an omission). Columns count Unicode code points, as Python offsets do, and
the run says so (``columnKind``).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from mtqa.checks import all_checks
from mtqa.data import Finding, Report, Severity
from mtqa.report.locations import FileLocation, finding_id, primary_location, region_of, relative_uri

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# Code scanning knows error, warning and note; major already fails the default quality gate.
SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}


def sarif_level(severity: Severity) -> str:
    return SARIF_LEVEL[severity]


def report_to_sarif(report: Report, base: Path | None = None) -> dict:
    """The SARIF log as a dict; paths are made relative to ``base`` (default: the working directory)."""
    from mtqa.baseline import fingerprints
    from mtqa.version import __version__

    rules, rule_index = _rules(report.findings)
    results = []
    occurrences: dict[str, int] = {}
    for index, (finding, fingerprint) in enumerate(zip(report.findings, fingerprints(report), strict=True)):
        identifier = finding_id(finding)
        # The same problem repeated (a forbidden term used three times) shares an id, which ignore rules
        # want; code scanning needs one fingerprint per alert, so the n-th repetition is numbered.
        occurrences[identifier] = occurrences.get(identifier, 0) + 1
        result = _result(report, finding, rule_index, base, identifier, occurrences[identifier])
        # The context-aware fingerprint (mtqa/baseline.py): tells apart one word flagged in two sentences.
        result["partialFingerprints"]["mtqaFingerprint/v2"] = fingerprint
        result["properties"]["fingerprint"] = fingerprint
        _baseline_state(result, report, index)
        results.append(result)
    summary = report.summary
    run: dict = {
        "tool": {
            "driver": {
                "name": "mtqa",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [{"executionSuccessful": True}],
        "properties": {
            "score": summary.score,
            "passed": summary.passed,
            "pairs": summary.pairs,
            "words": summary.words,
            "findings": dict(summary.findings),
            "sourceLanguage": report.source.lang,
            "targetLanguage": report.target.lang,
            "signature": str(report.signature) if report.signature else None,
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, base: Path | None = None) -> str:
    return json.dumps(report_to_sarif(report, base), ensure_ascii=False, indent=2) + "\n"


def _rules(findings: list[Finding]) -> tuple[list[dict], dict[str, int]]:
    rules: list[dict] = []
    index: dict[str, int] = {}
    for name, info in sorted(all_checks().items()):
        index[name] = len(rules)
        rules.append(_rule(name, info.description, info.categories))
    # A finding from a check outside the registry (a plugin removed since, a scorer) still needs a rule.
    for finding in findings:
        if finding.check not in index:
            index[finding.check] = len(rules)
            rules.append(_rule(finding.check, f"Findings of {finding.check}", (finding.category,)))
    return rules, index


def _rule(name: str, description: str, categories: tuple[str, ...]) -> dict:
    return {
        "id": name,
        "name": "".join(part.capitalize() for part in name.replace("-", "_").split("_")),
        "shortDescription": {"text": description.split(". ")[0][:1000] or name},
        "fullDescription": {"text": description or name},
        "help": {"text": f"{description} MQM categories: {', '.join(categories)}."},
        "properties": {"tags": ["translation-quality", *categories]},
    }


def _physical(location: FileLocation, base: Path | None) -> dict:
    # A URI reference: spaces and non-ASCII names are percent-encoded, the slashes kept.
    physical: dict = {"artifactLocation": {"uri": quote(relative_uri(location.path, base), safe="/")}}
    if location.region is not None:
        region = location.region
        physical["region"] = {
            "startLine": region.start_line,
            "startColumn": region.start_column,
            "endLine": region.end_line,
            "endColumn": region.end_column,
        }
        if location.snippet:
            physical["region"]["snippet"] = {"text": location.snippet}
    return physical


def _result(report: Report, finding: Finding, rule_index: dict[str, int], base: Path | None,
            identifier: str, occurrence: int) -> dict:
    text = finding.message
    if finding.suggestion:
        text += f" Suggestion: {finding.suggestion}"
    result: dict = {
        "ruleId": finding.check,
        "ruleIndex": rule_index[finding.check],
        "level": sarif_level(finding.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": _physical(primary_location(report, finding), base)}],
        # Code scanning matches results across runs by fingerprint; ours ignores offsets on purpose.
        "partialFingerprints": {"mtqaFindingId/v1": f"{identifier}:{occurrence}"},
        "properties": {
            "id": identifier,
            "severity": finding.severity.value,
            "category": finding.category,
            "pair": finding.pair,
            "suggestion": finding.suggestion,
        },
    }
    if finding.target_span is not None and finding.source_span is not None:
        span = finding.source_span
        source = FileLocation(report.source.path, region_of(report.source, span.start, span.end), span.text)
        result["relatedLocations"] = [
            {"id": 1, "physicalLocation": _physical(source, base), "message": {"text": "source text"}}
        ]
    return result


def _baseline_state(result: dict, report: Report, index: int) -> None:
    """With ``--baseline``: SARIF's ``baselineState``, and a finding a reviewer dismissed as a false
    positive carries an accepted external suppression with the reviewer's reason."""
    match = report.baseline
    if match is None:
        return
    result["baselineState"] = match.states[index]
    entry = match.entries.get(index)
    if entry is not None and entry.state == "dismissed":
        suppression: dict = {"kind": "external", "status": "accepted"}
        if entry.reason:
            suppression["justification"] = entry.reason
        result["suppressions"] = [suppression]
