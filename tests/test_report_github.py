"""GitHub workflow commands: one annotation per finding, escaped per the runner's rules."""

from __future__ import annotations

import re
from pathlib import Path

from report_sample import TARGET, sample_report

from mtqa.report.github import escape_data, escape_property, render_github


def _unescape(value: str) -> str:
    return (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    properties = {}
    for item in match.group(2).split(","):
        key, _, value = item.partition("=")
        properties[key] = _unescape(value)
    return match.group(1), properties, _unescape(match.group(3))


def test_escaping_rules():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape_data("a:b,c") == "a:b,c"  # the message keeps its colons and commas


def test_one_annotation_per_finding_with_locations():
    report = sample_report()
    lines = render_github(report, base=Path.cwd()).splitlines()
    assert len(lines) == len(report.findings) + 1
    assert lines[-1].startswith("::notice title=mtqa::")
    parsed = [_parse(line) for line in lines[:-1]]
    commands = [command for command, _, _ in parsed]
    assert commands == ["error", "error", "warning", "error", "warning", "warning"]
    for (_, properties, message), finding in zip(parsed, report.findings, strict=True):
        assert message.startswith(finding.message.replace("\x0b", " "))
        if finding.target_span is not None:
            assert properties["file"] == "samples/x/translation.en.txt"
            line = TARGET.split("\n")[int(properties["line"]) - 1]
            col, end = int(properties["col"]), int(properties["endColumn"])
            assert line[col - 1 : end] == finding.target_span.text  # endColumn is inclusive
    _, first, _ = parsed[0]
    assert first["line"] == "1" and first["col"] == str(TARGET.index("China") + 1)
    # Omission: the source file; document-wide finding: the file only.
    assert parsed[4][1]["file"] == "samples/x/source.zh.txt"
    assert "line" not in parsed[5][1]


def test_multiline_message_stays_one_command():
    report = sample_report()
    text = render_github(report)
    assert "second line" in text
    assert all(line.startswith("::") for line in text.splitlines())
    assert "50%25 of: the uses%0Asecond line" in text
    assert "two ways  across the document" in text  # a vertical tab would split the line in log viewers
