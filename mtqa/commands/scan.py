"""``mtqa scan [PATH...]``: check the localisation files of a repository (PO, XLIFF, TMX, CSV/TSV, JSON
string files paired by locale), incrementally, as a pre-commit hook or a CI step.

``mtqa check FILE.po`` (or ``.xlf``, a directory, two JSON files) routes here too: see ``run_scan``.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET  # building JUnit output only; untrusted XML is never parsed with it
from pathlib import Path
from typing import TYPE_CHECKING

import click
import defusedxml.ElementTree as DefusedET
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mtqa.data import Finding, Report, Severity
from mtqa.incremental import CACHE_DIR_NAME

if TYPE_CHECKING:  # importing the checker is left to the run, so that `mtqa --help` stays quick
    from mtqa.l10n import FileResult, ScanResult

FAIL_ON_CHOICES = ["critical", "major", "minor", "never"]


@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(path_type=Path),
              help="Glossary file (TSV/CSV/TBX). Default: glossary.tsv/.csv/.tbx at the top of the scanned "
                   "directory. Repeatable.")
@click.option("--source-lang", help="Source language (default: declared by the files, else detected).")
@click.option("--target-lang", help="Only this target language (default: every one found).")
@click.option("-f", "--format", "formats", multiple=True, default=("rich",), show_default=True,
              metavar="FMT[=PATH]",
              help="Report format: rich, json, sarif, junit, github; FMT=PATH writes it to PATH. Repeatable: "
                   "-f rich -f sarif=mtqa.sarif.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the (one) format given without =PATH to FILE instead of standard output.")
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path),
              help="Config file (default: mtqa.toml or [tool.mtqa] in pyproject.toml, found upward from the "
                   "first PATH, else from the working directory).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="major", show_default=True,
              help="Fail (exit 1) on a finding of this severity or worse.")
@click.option("--min-score", type=float, help="Fail when a file's MQM-style score is below this.")
@click.option("--include-fuzzy", is_flag=True,
              help="Also check fuzzy PO entries and XLIFF units marked as not yet translated/reviewed.")
@click.option("--changed-since", metavar="REV",
              help="Only files git says changed since REV (plus uncommitted and untracked ones).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(CACHE_DIR_NAME),
              show_default=True, help="Incremental cache directory.")
@click.option("--no-cache", is_flag=True, help="Check every string again; do not read or write the cache.")
@click.option("--model/--no-model", default=False, show_default=True,
              help="Also score adequacy and fluency with the neural model (loaded once for all files).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@click.option("-v", "--verbose", is_flag=True, help="List every file, not only those with findings.")
def command(
    paths: tuple[Path, ...],
    glossaries: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    formats: tuple[str, ...],
    output: Path | None,
    config_path: Path | None,
    fail_on: str,
    min_score: float | None,
    include_fuzzy: bool,
    changed_since: str | None,
    cache_dir: Path,
    no_cache: bool,
    model: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check every localisation file under PATHS (default: the current directory)."""
    from mtqa.cli import given_on_command_line

    given = given_on_command_line(click.get_current_context())
    code = run_scan(
        list(paths) or [Path(".")],
        glossaries=glossaries,
        source_lang=source_lang,
        target_lang=target_lang,
        formats=formats,
        output=output,
        config_path=config_path,
        fail_on=fail_on if "fail_on" in given else None,
        min_score=min_score,
        include_fuzzy=include_fuzzy,
        changed_since=changed_since,
        cache_dir=None if no_cache else cache_dir,
        model=model,
        quiet=quiet,
        verbose=verbose,
    )
    sys.exit(code)


def run_scan(
    paths: list[Path],
    *,
    glossaries=(),
    source_lang: str | None = None,
    target_lang: str | None = None,
    formats=("rich",),
    output: Path | None = None,
    config_path: Path | None = None,
    fail_on: str | None = None,
    min_score: float | None = None,
    include_fuzzy: bool = False,
    changed_since: str | None = None,
    cache_dir: Path | None = None,
    model: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    check_mode: bool = False,
) -> int:
    """Run a scan and write its outputs; returns the exit code (0 passed, 1 gate failed).

    ``fail_on``/``min_score``/languages/glossaries given here override the config file; None leaves them.
    ``check_mode``: called by ``mtqa check``, where two JSON files are a source file and its translation.
    """
    from mtqa.config import find_config, load_config
    from mtqa.errors import MtqaError
    from mtqa.l10n import scan, scan_json_pair
    from mtqa.report.outputs import plan_outputs

    inputs = [p for p in paths if p.is_file()] + list(glossaries)
    specs = plan_outputs(tuple(formats), output, inputs)
    for spec in specs:
        if spec.format == "html":
            raise MtqaError("--format html renders one document pair; for a repository use json or sarif")

    # The config file of the scanned repository (found upward from the first path), else the working one.
    first = paths[0] if paths[0].is_dir() else paths[0].parent
    config = load_config(config_path) if config_path else load_config(find_config(first) or find_config())
    options = config.to_options()
    if fail_on is not None or config.fail_on is None:
        options.fail_on = None if (fail_on or "major") == "never" else Severity(fail_on or "major")
    if min_score is not None:
        options.min_score = min_score
    glossaries = tuple(glossaries) or tuple(config.glossaries)
    source_lang = source_lang or config.source_lang
    target_lang = target_lang or config.target_lang
    scorer = None
    if model:
        from mtqa.cli import make_scorer

        scorer = make_scorer(quiet=quiet)
    common = dict(
        options=options,
        glossary_paths=glossaries,
        scorer=scorer,
        cache_dir=cache_dir,
        source_lang=source_lang,
        target_lang=target_lang,
        include_fuzzy=include_fuzzy,
    )
    if check_mode and _two_json_files(paths):
        result = scan_json_pair(paths[0], paths[1], **common)
    else:
        result = scan(paths, changed_since=changed_since, **common)

    if check_mode and not any(p.is_dir() for p in paths):
        # `mtqa check FILE`: an unreadable input is an input error (exit 2, one line), as for documents.
        from mtqa.errors import InputError

        for file_result in result.files:
            if file_result.error:
                raise InputError(file_result.path, file_result.error)
    for spec in specs:
        if spec.format == "rich":
            if spec.path is None:
                render_rich_scan(result, Console(), quiet=quiet, verbose=verbose)
            else:
                with spec.path.open("w", encoding="utf-8") as handle:
                    render_rich_scan(result, Console(file=handle, width=110), quiet=quiet, verbose=verbose)
            continue
        text = RENDERERS[spec.format](result, options.fail_on)
        if spec.path is None:
            sys.stdout.write(text)
        else:
            spec.path.write_text(text, encoding="utf-8")
    return 0 if result.summary.passed else 1


def is_localisation_input(paths) -> bool:
    """Do ``mtqa check`` PATHS name localisation files (bilingual files, directories, two JSON files)?"""
    from mtqa.formats import detect_format

    paths = [Path(p) for p in paths]
    if any(p.suffix.lower() == ".txt" for p in paths):
        # A plain-text document is checked against its translation (a directory beside it is a mistake,
        # which the document path reports).
        return False
    if any(p.is_dir() for p in paths) or _two_json_files(paths):
        return True
    return any(detect_format(p) is not None for p in paths if p.suffix.lower() != ".txt")


def _two_json_files(paths) -> bool:
    return len(paths) == 2 and all(Path(p).suffix.lower() == ".json" for p in paths)


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


def summary_text(result: ScanResult) -> str:
    s = result.summary
    verdict = "[bold green]PASSED[/]" if s.passed else "[bold red]FAILED[/]"
    parts = [
        f"{verdict}  {s.files} files, {s.units} strings ({s.checked} checked, {s.cached} from cache)",
        f"{s.findings['critical']} critical, {s.findings['major']} major, {s.findings['minor']} minor",
    ]
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
    s = result.summary
    files = []
    for file_result in result.files:
        report = file_result.report
        findings = []
        for finding in report.findings:
            path, line = finding_location(file_result, finding)
            entry = finding.to_dict()
            entry["path"] = path
            entry["line"] = line
            if finding.pair is not None and finding.pair < len(file_result.units):
                entry["key"] = file_result.units[finding.pair].key
            findings.append(entry)
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
                "summary": {
                    "words": report.summary.words,
                    "findings": dict(report.summary.findings),
                    "score": report.summary.score,
                    "passed": report.summary.passed,
                },
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


RENDERERS = {
    "json": render_json_scan,
    "sarif": render_sarif_scan,
    "junit": render_junit_scan,
    "github": render_github_scan,
}
