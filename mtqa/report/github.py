"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding.

Escaping follows the workflow-command rules of the Actions runner: in the message, ``%``, CR and LF are
percent-encoded; in property values also ``:`` and ``,``, which would otherwise end the value.
"""

from __future__ import annotations

import re
from pathlib import Path

from mtqa.data import Finding, Report, Severity
from mtqa.report.locations import finding_id, primary_location, relative_uri

GITHUB_COMMAND = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}


# Other line-breaking and control characters: the runner does not decode them, and log viewers split on them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")


def escape_data(value: str) -> str:
    value = _CONTROL.sub(" ", value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, finding: Finding, base: Path | None = None) -> str:
    location = primary_location(report, finding)
    properties: list[tuple[str, str]] = [("file", relative_uri(location.path, base))]
    if location.region is not None:
        region = location.region
        properties.append(("line", str(region.start_line)))
        properties.append(("endLine", str(region.end_line)))
        # GitHub shows columns only for a one-line annotation; its end column is the last character.
        if region.start_line == region.end_line:
            properties.append(("col", str(region.start_column)))
            properties.append(("endColumn", str(max(region.start_column, region.end_column - 1))))
    title = f"mtqa {finding.severity.value} {finding.category} ({finding_id(finding)})"
    properties.append(("title", title))
    message = finding.message
    if finding.suggestion:
        message += f"\nSuggestion: {finding.suggestion}"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{GITHUB_COMMAND[finding.severity]} {props}::{escape_data(message)}"


def render_github(report: Report, base: Path | None = None) -> str:
    # Findings the baseline knows are not annotated again: a dismissed false positive stays quiet in CI.
    lines = [annotation(report, finding, base) for index, finding in enumerate(report.findings)
             if report.baseline is None or not report.baseline.is_known(index)]
    s = report.summary
    verdict = "passed" if s.passed else "failed"
    summary = (f"mtqa: quality gate {verdict}: score {s.score:.1f}, {s.findings['critical']} critical, "
               f"{s.findings['major']} major, {s.findings['minor']} minor in {s.pairs} pairs")
    lines.append(f"::notice title=mtqa::{escape_data(summary)}")
    return "\n".join(lines) + "\n"
