"""``mtqa scan [PATH...]``: check the localisation files of a repository (PO, XLIFF, TMX, CSV/TSV, JSON
string files paired by locale), incrementally, as a pre-commit hook or a CI step.

``mtqa check FILE.po`` (or ``.xlf``, a directory, two JSON files) routes here too: see ``run_scan``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mtqa.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_PASSED,
    baseline_options,
    config_option,
    gate_options,
    given_on_command_line,
    glossary_option,
    language_options,
    load_baseline_option,
    make_scorer,
    merge_settings,
    model_option,
    report_options,
    spans_option,
    verbosity_options,
)
from mtqa.l10n.cache import CACHE_DIR_NAME


@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@glossary_option("Glossary file (TSV/CSV/TBX). Default: glossary.tsv/.csv/.tbx at the top of the scanned "
                 "directory. Repeatable.")
@language_options("Source language (default: declared by the files, else detected).",
                  "Only this target language (default: every one found).")
@click.option("--glossary-encoding", metavar="NAME",
              help="Encoding of the glossary files (default: detected; refused when detection is unsure).")
@report_options("rich, json, sarif, junit, github", "-f rich -f sarif=mtqa.sarif")
@config_option("Config file (default: mtqa.toml or [tool.mtqa] in pyproject.toml, found upward from the "
               "first PATH, else from the working directory).")
@gate_options("Fail (exit 1) on a finding of this severity or worse.",
              "Fail when a file's MQM-style score is below this.")
@click.option("--include-fuzzy", is_flag=True,
              help="Also check fuzzy PO entries and XLIFF units marked as not yet translated/reviewed.")
@click.option("--changed-since", metavar="REV",
              help="Only files git says changed since REV (plus uncommitted and untracked ones).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(CACHE_DIR_NAME),
              show_default=True, help="Incremental cache directory.")
@click.option("--no-cache", is_flag=True, help="Check every string again; do not read or write the cache.")
@model_option(False, "Also score adequacy and fluency with the neural model (loaded once for all files).")
@spans_option()
@baseline_options()
@verbosity_options("Print only the summary line.", "List every file, not only those with findings.")
def command(
    paths: tuple[Path, ...],
    glossaries: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    glossary_encoding: str | None,
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
    spans: str | None,
    quiet: bool,
    verbose: bool,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
) -> None:
    """Check every localisation file under PATHS (default: the current directory)."""
    given = given_on_command_line(click.get_current_context())
    code = run_scan(
        list(paths) or [Path(".")],
        glossaries=glossaries,
        glossary_encoding=glossary_encoding,
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
        model_required="model" in given,
        spans=spans,
        quiet=quiet,
        verbose=verbose,
        baseline_path=baseline_path,
        write_baseline_path=write_baseline_path,
    )
    sys.exit(code)


def _require_localisation_files(directories: list[Path]) -> None:
    """A directory with nothing to check is an input error, not a pass of 0 files (a wrong path in CI
    would otherwise pass forever). Files given one by one (a pre-commit hook's staged files) may well hold
    no strings, so only directories are held to this; checked before any model is loaded."""
    from mtqa.errors import InputError
    from mtqa.l10n.discover import collect

    found = collect(directories)
    if not found.bilingual and not found.json_groups:
        where = ", ".join(str(p) for p in directories)
        raise InputError(None, f"no localisation files found under {where} (looked for PO/POT, XLIFF, TMX, "
                               "CSV/TSV string tables, and JSON string files in locale folders)")


def run_scan(
    paths: list[Path],
    *,
    glossaries=(),
    glossary_encoding: str | None = None,
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
    model_required: bool = False,
    spans: str | None = None,
    quiet: bool = False,
    verbose: bool = False,
    check_mode: bool = False,
    baseline_path: Path | None = None,
    write_baseline_path: Path | None = None,
) -> int:
    """Run a scan and write its outputs; returns the exit code (0 passed, 1 gate failed).

    ``fail_on``/``min_score``/languages/glossaries given here override the config file; None leaves them.
    ``model_required``: ``--model`` was typed, so a missing model package is an error.
    ``check_mode``: called by ``mtqa check``, where two JSON files are a source file and its translation.
    """
    from mtqa.config import find_config, load_config
    from mtqa.l10n import scan, scan_json_pair
    from mtqa.l10n.discover import two_json_files
    from mtqa.report.outputs import emit_scan, plan_outputs, require_scan_formats

    inputs = [p for p in paths if p.is_file()] + list(glossaries)
    specs = plan_outputs(tuple(formats), output, inputs)
    require_scan_formats(specs)
    baseline = load_baseline_option(baseline_path, write_baseline_path)
    if paths and all(p.is_dir() for p in paths):
        _require_localisation_files(paths)

    # The config file of the scanned repository (found upward from the first path), else the working one.
    first = paths[0] if paths[0].is_dir() else paths[0].parent
    config = load_config(config_path) if config_path else load_config(find_config(first) or find_config())
    settings = merge_settings(config, glossaries=tuple(glossaries), source_lang=source_lang,
                              target_lang=target_lang, fail_on=fail_on, min_score=min_score, spans=spans)
    options = settings.options
    scorer = make_scorer(quiet=quiet, required=model_required) if model else None
    common = dict(
        options=options,
        glossary_paths=settings.glossaries,
        glossary_encoding=glossary_encoding,
        scorer=scorer,
        cache_dir=cache_dir,
        source_lang=settings.source_lang,
        target_lang=settings.target_lang,
        include_fuzzy=include_fuzzy,
    )
    if check_mode and two_json_files(paths):
        result = scan_json_pair(paths[0], paths[1], **common)
    else:
        result = scan(paths, changed_since=changed_since, **common)

    if check_mode and not any(p.is_dir() for p in paths):
        # `mtqa check FILE`: an unreadable input is an input error (exit 2, one line), as for documents.
        from mtqa.errors import InputError

        for file_result in result.files:
            if file_result.error:
                raise InputError(file_result.path, file_result.error)
    _baseline(result, options, baseline, write_baseline_path)
    emit_scan(result, specs, quiet=quiet, verbose=verbose, fail_on=options.fail_on)
    return EXIT_PASSED if result.summary.passed else EXIT_GATE_FAILED


def _baseline(result, options, baseline: list | None, write_path: Path | None) -> None:
    """Per file: findings the baseline knows for that file (by its path as reports show it) do not fail
    the gate; ``write_path`` gets every file's findings, each entry with its file's path."""
    from dataclasses import replace

    from mtqa.baseline import apply_baseline, baseline_entries, baseline_text, baseline_version
    from mtqa.l10n.scan import summarise_scan
    from mtqa.report.locations import relative_uri

    checked = [r for r in result.files if r.skipped is None]
    if baseline is not None:
        for file_result in checked:
            apply_baseline(file_result.report, baseline, options, relative_uri(file_result.path))
        result.summary = summarise_scan(result.files, result.summary.seconds)
        if result.signature is not None:
            result.signature = replace(result.signature, baseline=baseline_version(baseline))
    if write_path is not None:
        from mtqa.report.outputs import write_report

        entries = [entry for file_result in checked
                   for entry in baseline_entries(file_result.report, relative_uri(file_result.path),
                                                 baseline or [])]
        write_report(write_path, baseline_text(entries))
