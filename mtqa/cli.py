"""The command line: a thin layer over ``mtqa.check`` and the report renderers.

Exit codes (a contract): 0 passed, 1 quality gate failed, 2 usage, input or internal error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mtqa.data import Severity
from mtqa.errors import MtqaError

EXIT_PASSED = 0
EXIT_GATE_FAILED = 1
EXIT_ERROR = 2

FAIL_ON_CHOICES = ["critical", "major", "minor", "never"]


def fail_on_severity(value: str) -> Severity | None:
    return None if value == "never" else Severity(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mtqa")
def main_group() -> None:
    """mtqa — offline machine-translation quality checks (alignment, terminology, numbers, neural scores)."""


@main_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(path_type=Path),
              help="Glossary file (TSV/CSV: source, target, forbidden, note). Repeatable.")
@click.option("--source-lang", help="Source language code (default: detected).")
@click.option("--target-lang", help="Target language code (default: detected).")
@click.option("--encoding", help="Encoding of the input files (default: detected; UTF-8/16, GB18030).")
@click.option("-f", "--format", "formats", multiple=True, default=("rich",), show_default=True,
              metavar="FMT[=PATH]",
              help="Report format: rich, json, html, sarif, junit, github; FMT=PATH writes it to PATH. "
                   "Repeatable: -f rich -f sarif=mtqa.sarif -f html=report.html.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the (one) format given without =PATH to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="major", show_default=True,
              help="Fail the quality gate (exit 1) on a finding of this severity or worse.")
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path),
              help="Config file (default: mtqa.toml or [tool.mtqa] in pyproject.toml, found upward).")
@click.option("-r", "--reference", "reference_path", type=click.Path(path_type=Path),
              help="Reference translation: adds corpus BLEU, chrF, TER (sacrebleu) and per-pair chrF.")
@click.option("--min-score", type=float, help="Fail the quality gate when the MQM-style score is below this.")
@click.option("--aligner", type=click.Choice(["auto", "encoder", "length"]), default="auto",
              show_default=True,
              help="Sentence aligner: the multilingual encoder, or lengths and anchors only (auto: encoder "
                   "when installed).")
@click.option("--pre-segmented", is_flag=True,
              help="Inputs have one segment per line (empty lines too); no sentence splitting.")
@click.option("--model/--no-model", default=True, show_default=True,
              help="Score adequacy and fluency with the bundled neural model.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line; no progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Show every aligned pair, not only those with findings.")
def check_command(
    paths: tuple[Path, ...],
    glossaries: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    encoding: str | None,
    formats: tuple[str, ...],
    output: Path | None,
    fail_on: str,
    min_score: float | None,
    aligner: str,
    pre_segmented: bool,
    model: bool,
    quiet: bool,
    verbose: bool,
    config_path: Path | None,
    reference_path: Path | None,
) -> None:
    """Check a translation.

    \b
    mtqa check SOURCE.txt TARGET.txt [--glossary FILE]   a document and its translation
    mtqa check FILE.po|.xlf|.tmx|.csv ... | DIR          localisation files (see also `mtqa scan`)
    mtqa check SOURCE.json TARGET.json                   key-value string files matched by key
    """
    from mtqa.commands.scan import is_localisation_input, run_scan
    from mtqa.config import load_config
    from mtqa.glossary import load_glossaries
    from mtqa.pipeline import CheckOptions, check
    from mtqa.report.outputs import emit_reports, plan_outputs
    from mtqa.textio import read_text

    given = given_on_command_line(click.get_current_context())
    if is_localisation_input(paths):
        # PO/XLIFF/TMX/CSV files, directories, or two JSON string files: checked string by string by the
        # localisation scanner (see `mtqa scan`); the flags that apply to it are passed on.
        sys.exit(run_scan(list(paths), glossaries=glossaries, source_lang=source_lang,
                          target_lang=target_lang, formats=formats, output=output, config_path=config_path,
                          fail_on=fail_on if "fail_on" in given else None, min_score=min_score, model=model,
                          quiet=quiet, verbose=verbose, check_mode=True, cache_dir=None))
    if len(paths) != 2:
        raise click.UsageError("check takes SOURCE and TARGET (two text files)")
    source_path, target_path = paths
    # The config file first, then every flag given on the command line on top of it.
    config = load_config(config_path)
    glossaries = glossaries or tuple(config.glossaries)
    source_lang = source_lang or config.source_lang
    target_lang = target_lang or config.target_lang
    inputs = [source_path, target_path, *glossaries, *([reference_path] if reference_path else [])]
    outputs = plan_outputs(formats, output, inputs)
    source_text, _ = read_text(source_path, encoding)
    target_text, _ = read_text(target_path, encoding)
    reference_text = read_text(reference_path, encoding)[0] if reference_path else None
    glossary = None
    if glossaries:
        # TBX files hold many languages: pick the sections of this run's pair (detected when not given).
        from mtqa.languages import detect_language

        glossary_langs = (source_lang or detect_language(source_text) or "zh",
                          target_lang or detect_language(target_text) or "en")
        glossary = load_glossaries([str(p) for p in glossaries], *glossary_langs)
    options: CheckOptions = config.to_options()
    options.pre_segmented = pre_segmented
    if "fail_on" in given or config.fail_on is None:
        options.fail_on = fail_on_severity(fail_on)
    if "min_score" in given:
        options.min_score = min_score
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
        scorer=make_scorer(quiet=quiet) if model else None,
    )
    reference = None
    if reference_text is not None:
        from mtqa.metrics import reference_metrics

        reference = reference_metrics(report, reference_text, str(reference_path),
                                      pre_segmented=pre_segmented)
    emit_reports(report, outputs, quiet=quiet, verbose=verbose, fail_on=options.fail_on, reference=reference)
    sys.exit(EXIT_PASSED if report.summary.passed else EXIT_GATE_FAILED)


def given_on_command_line(ctx: click.Context) -> set[str]:
    """Parameters the user typed (not click's defaults): these override the config file."""
    from click.core import ParameterSource

    return {name for name in ctx.params
            if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}


def make_aligner(name: str):
    """The aligner chosen on the command line; ``auto`` prefers the encoder aligner when it can load."""
    from mtqa.align.encoder_aligner import create_aligner

    # Without the encoder package this falls back to the length aligner with a one-line warning.
    return create_aligner(name)


def make_scorer(*, quiet: bool):
    """The neural scorer, loaded once for this process (None when the model package is not installed)."""
    from mtqa.score.neural import load_scorer

    # An explicit --model makes a missing model package an error; the default runs without it.
    context = click.get_current_context(silent=True)
    explicit = context is not None and "model" in given_on_command_line(context)
    return load_scorer(quiet=quiet, required=explicit)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every error becomes one line on stderr and exit code 2, never a traceback."""
    try:
        main_group.main(args=argv, prog_name="mtqa", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted")
    except click.ClickException as exc:
        _fail(exc.format_message())
    except MtqaError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted")
    except BrokenPipeError:
        sys.exit(EXIT_ERROR)
    except Exception as exc:
        if os.environ.get("MTQA_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set MTQA_DEBUG=1 for the traceback)")
    sys.exit(EXIT_PASSED)


def _fail(message: str) -> None:
    print(f"mtqa: error: {message}", file=sys.stderr)
    sys.exit(EXIT_ERROR)


# Subcommands live in mtqa/commands/; each module exposes a click command named ``command``.


def _register_subcommands() -> None:
    import importlib
    import pkgutil

    import mtqa.commands as package

    for module in pkgutil.iter_modules(package.__path__):
        command = getattr(importlib.import_module(f"mtqa.commands.{module.name}"), "command", None)
        if command is not None:
            main_group.add_command(command)


_register_subcommands()
