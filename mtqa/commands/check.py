"""``mtqa check SOURCE TARGET``: check a translation against its source and write the reports.

Localisation files (PO, XLIFF, TMX, CSV, a directory, two JSON string files) go to the scanner of
``mtqa scan`` with the flags that apply to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mtqa.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_PASSED,
    aligner_option,
    baseline_options,
    config_option,
    encoding_option,
    gate_options,
    given_on_command_line,
    glossary_option,
    language_options,
    load_baseline_option,
    make_aligner,
    make_scorer,
    merge_settings,
    model_option,
    report_options,
    side_encoding_options,
    spans_option,
    verbosity_options,
)


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@glossary_option("Glossary file (TSV/CSV: source, target, forbidden, note). Repeatable.")
@language_options()
@encoding_option("Encoding of all input files (default: detected; UTF-8/16, GB18030, Big5; see "
                 "docs/inputs.md).")
@side_encoding_options()
@report_options("rich, json, html, sarif, junit, github",
                "-f rich -f sarif=mtqa.sarif -f html=report.html")
@gate_options("Fail the quality gate (exit 1) on a finding of this severity or worse.",
               "Fail the quality gate when the MQM-style score is below this.")
@config_option("Config file (default: mtqa.toml or [tool.mtqa] in pyproject.toml, found upward).")
@click.option("-r", "--reference", "reference_path", type=click.Path(path_type=Path),
              help="Reference translation: adds corpus BLEU, chrF, TER (sacrebleu) and per-pair chrF.")
@aligner_option("Sentence aligner: the multilingual encoder, or lengths and anchors only (auto: encoder "
                "when installed).")
@click.option("--pre-segmented", is_flag=True,
              help="Inputs have one segment per line (empty lines too); no sentence splitting.")
@model_option(True, "Score adequacy and fluency with the bundled neural model.")
@spans_option()
@baseline_options()
@verbosity_options("Print only the summary line; no progress bars.",
                   "Show every aligned pair, not only those with findings.")
def command(
    paths: tuple[Path, ...],
    glossaries: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    encoding: str | None,
    source_encoding: str | None,
    target_encoding: str | None,
    glossary_encoding: str | None,
    formats: tuple[str, ...],
    output: Path | None,
    fail_on: str,
    min_score: float | None,
    aligner: str,
    pre_segmented: bool,
    model: bool,
    spans: str | None,
    quiet: bool,
    verbose: bool,
    config_path: Path | None,
    reference_path: Path | None,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
) -> None:
    """Check a translation.

    \b
    mtqa check SOURCE.txt TARGET.txt [--glossary FILE]   a document and its translation
    mtqa check FILE.po|.xlf|.tmx|.csv ... | DIR          localisation files (see also `mtqa scan`)
    mtqa check SOURCE.json TARGET.json                   key-value string files matched by key
    """
    from mtqa.config import load_config
    from mtqa.glossary import load_glossaries
    from mtqa.l10n import is_localisation_input
    from mtqa.pipeline import check
    from mtqa.report.outputs import emit_reports, plan_outputs
    from mtqa.textio import MAX_DOCUMENT_BYTES, read_text

    given = given_on_command_line(click.get_current_context())
    if is_localisation_input(paths):
        from mtqa.commands.scan import run_scan

        # PO/XLIFF/TMX/CSV files, directories, or two JSON string files: checked string by string by the
        # localisation scanner (see `mtqa scan`); the flags that apply to it are passed on.
        sys.exit(run_scan(list(paths), glossaries=glossaries, glossary_encoding=glossary_encoding or encoding,
                          source_lang=source_lang,
                          target_lang=target_lang, formats=formats, output=output, config_path=config_path,
                          fail_on=fail_on if "fail_on" in given else None, min_score=min_score, model=model,
                          spans=spans,
                          model_required="model" in given, quiet=quiet, verbose=verbose, check_mode=True,
                          cache_dir=None, baseline_path=baseline_path,
                          write_baseline_path=write_baseline_path))
    if len(paths) != 2:
        raise click.UsageError("check takes SOURCE and TARGET (two text files)")
    source_path, target_path = paths
    settings = merge_settings(load_config(config_path), glossaries=glossaries, source_lang=source_lang,
                              target_lang=target_lang, fail_on=fail_on if "fail_on" in given else None,
                              min_score=min_score, spans=spans)
    source_lang, target_lang = settings.source_lang, settings.target_lang
    inputs = [source_path, target_path, *settings.glossaries, *([reference_path] if reference_path else [])]
    outputs = plan_outputs(formats, output, inputs)
    baseline = load_baseline_option(baseline_path, write_baseline_path)
    # A per-file flag wins over --encoding; an unsure detection names the per-file flag.
    source_text, _ = read_text(source_path, source_encoding or encoding, "--source-encoding",
                               MAX_DOCUMENT_BYTES)
    target_text, _ = read_text(target_path, target_encoding or encoding, "--target-encoding",
                               MAX_DOCUMENT_BYTES)
    reference_text = (read_text(reference_path, target_encoding or encoding, "--target-encoding",
                                MAX_DOCUMENT_BYTES)[0]
                      if reference_path else None)
    glossary = None
    if settings.glossaries:
        # TBX files hold many languages: pick the sections of this run's pair (detected when not given).
        from mtqa.languages import detect_language

        glossary_langs = (source_lang or detect_language(source_text) or "zh",
                          target_lang or detect_language(target_text) or "en")
        glossary = load_glossaries([str(p) for p in settings.glossaries], *glossary_langs,
                                   encoding=glossary_encoding or encoding)
    options = settings.options
    options.pre_segmented = pre_segmented
    report = check(
        source_text,
        target_text,
        glossary=glossary,
        source_lang=source_lang,
        target_lang=target_lang,
        source_path=str(source_path),
        target_path=str(target_path),
        options=options,
        aligner=make_aligner(aligner),
        scorer=make_scorer(quiet=quiet, required="model" in given) if model else None,
    )
    reference = None
    if reference_text is not None:
        from mtqa.metrics import reference_metrics

        reference = reference_metrics(report, reference_text, str(reference_path),
                                      pre_segmented=pre_segmented)
    if baseline is not None:
        from mtqa.baseline import apply_baseline

        apply_baseline(report, baseline, options)
    if write_baseline_path is not None:
        from mtqa.baseline import baseline_entries, baseline_text
        from mtqa.report.outputs import write_report

        write_report(write_baseline_path, baseline_text(baseline_entries(report, previous=baseline or [])))
    emit_reports(report, outputs, quiet=quiet, verbose=verbose, fail_on=options.fail_on, reference=reference)
    sys.exit(EXIT_PASSED if report.summary.passed else EXIT_GATE_FAILED)
