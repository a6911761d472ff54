"""What the commands share: the click options that mean the same in every command, the one merge of the
config file with the flags given on the command line, and the construction of the aligner and scorer a
command asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from mtqa.config import DEFAULT_FAIL_ON, FAIL_ON_VALUES, Config, parse_fail_on
from mtqa.pipeline import DEFAULT_ALIGNER, CheckOptions

# Exit codes (a contract): 0 passed, 1 quality gate failed, 2 usage, input or internal error.
EXIT_PASSED = 0
EXIT_GATE_FAILED = 1
EXIT_ERROR = 2

FAIL_ON_CHOICES = list(FAIL_ON_VALUES)
ALIGNER_CHOICES = ["auto", "encoder", "length"]

Decorator = Callable[[Callable], Callable]


def _stack(*decorators: Decorator) -> Decorator:
    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def glossary_option(help: str) -> Decorator:
    return click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(path_type=Path),
                        help=help)


def language_options(source_help: str = "Source language code (default: detected).",
                     target_help: str = "Target language code (default: detected).") -> Decorator:
    return _stack(click.option("--source-lang", help=source_help),
                  click.option("--target-lang", help=target_help))


def encoding_option(help: str = "Encoding of the input files (default: detected).") -> Decorator:
    return click.option("--encoding", help=help)


def side_encoding_options(*, glossary: bool = True) -> Decorator:
    """Per-file encodings on top of ``--encoding`` (the default for both sides): a UTF-8 source may come with
    a Latin-1 target. Detection refuses rather than guesses, and its error names the flag to give."""
    options = [
        click.option("--source-encoding", metavar="NAME", help="Encoding of the source file (default: "
                     "--encoding, else detected)."),
        click.option("--target-encoding", metavar="NAME", help="Encoding of the target and reference files "
                     "(default: --encoding, else detected)."),
    ]
    if glossary:
        options.append(click.option("--glossary-encoding", metavar="NAME", help="Encoding of the glossary "
                                    "files (default: --encoding, else detected)."))
    return _stack(*options)


def report_options(names: str, example: str) -> Decorator:
    """``-f/--format FMT[=PATH]`` (repeatable) and ``-o/--output``; see ``mtqa.report.outputs``."""
    return _stack(
        click.option("-f", "--format", "formats", multiple=True, default=("rich",), show_default=True,
                     metavar="FMT[=PATH]",
                     help=f"Report format: {names}; FMT=PATH writes it to PATH. Repeatable: {example}."),
        click.option("-o", "--output", type=click.Path(path_type=Path),
                     help="Write the (one) format given without =PATH to FILE instead of standard output."),
    )


def config_option(help: str) -> Decorator:
    return click.option("-c", "--config", "config_path", type=click.Path(path_type=Path), help=help)


def gate_options(fail_on_help: str, min_score_help: str) -> Decorator:
    return _stack(
        click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=DEFAULT_FAIL_ON,
                     show_default=True, help=fail_on_help),
        click.option("--min-score", type=float, help=min_score_help),
    )


def aligner_option(help: str) -> Decorator:
    return click.option("--aligner", type=click.Choice(ALIGNER_CHOICES), default=DEFAULT_ALIGNER,
                        show_default=True, help=help)


def model_option(default: bool, help: str) -> Decorator:
    return click.option("--model/--no-model", default=default, show_default=True, help=help)


def spans_option() -> Decorator:
    """``--spans all|confident|off``: which model spans become findings (config: ``[tool.mtqa.settings.neural]
    spans``; ``mtqa.checks.neural.SPAN_MODES``)."""
    return click.option("--spans", type=click.Choice(["all", "confident", "off"]), default=None,
                        help="Model error spans to report: off (default: the span tagger does not yet tell "
                             "good translations from bad ones), confident (its spans above its precision "
                             "floors), all (its weaker ones too, each with its probability).")


def baseline_options() -> Decorator:
    """``--baseline FILE`` (known findings do not fail the gate) and ``--write-baseline FILE``."""
    return _stack(
        click.option("--baseline", "baseline_path", type=click.Path(path_type=Path), metavar="FILE",
                     help="Findings listed in this baseline file are reported as known and do not fail the "
                          "gate."),
        click.option("--write-baseline", "write_baseline_path", type=click.Path(path_type=Path),
                     metavar="FILE", help="Write this run's findings to FILE as a baseline (reviewer "
                                          "decisions of --baseline carry over)."),
    )


def load_baseline_option(path: Path | None, write_path: Path | None) -> list | None:
    """The baseline entries to compare with (None: no --baseline), read and the output probed before a
    run of minutes, so that a malformed file or an unwritable path fails at once."""
    from mtqa.report.outputs import check_writable

    if write_path is not None:
        check_writable(write_path, "baseline")
    if path is None:
        return None
    from mtqa.baseline import load_baseline

    return load_baseline(path)


def verbosity_options(quiet_help: str, verbose_help: str) -> Decorator:
    return _stack(click.option("-q", "--quiet", is_flag=True, help=quiet_help),
                  click.option("-v", "--verbose", is_flag=True, help=verbose_help))


def given_on_command_line(ctx: click.Context) -> set[str]:
    """Parameters the user typed (not click's defaults): these override the config file."""
    from click.core import ParameterSource

    return {name for name in ctx.params
            if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}


@dataclass
class RunSettings:
    """The config file with the command-line flags on top: what a check or scan runs with."""

    options: CheckOptions
    glossaries: tuple[Path, ...]
    source_lang: str | None
    target_lang: str | None


def merge_settings(
    config: Config,
    *,
    glossaries: tuple[Path, ...] = (),
    source_lang: str | None = None,
    target_lang: str | None = None,
    fail_on: str | None = None,
    min_score: float | None = None,
    spans: str | None = None,
) -> RunSettings:
    """The one merge of config file and flags: a flag given (not None, not empty) wins over the file.

    ``fail_on`` is None unless the user typed ``--fail-on``: the file's ``fail_on`` then holds, and the
    default applies only when the file says nothing either.
    """
    options = config.to_options()
    if fail_on is not None or config.fail_on is None:
        options.fail_on = parse_fail_on(fail_on or DEFAULT_FAIL_ON)
    if min_score is not None:
        options.min_score = min_score
    if spans is not None:
        options.check_settings.setdefault("neural", {})["spans"] = spans
    return RunSettings(
        options=options,
        glossaries=tuple(glossaries) or tuple(config.glossaries),
        source_lang=source_lang or config.source_lang,
        target_lang=target_lang or config.target_lang,
    )


def make_aligner(name: str):
    """The aligner chosen on the command line; ``auto`` prefers the encoder aligner when it can load."""
    from mtqa.align import create_aligner

    # Without the encoder package this falls back to the length aligner with a one-line warning.
    return create_aligner(name)


def make_scorer(*, quiet: bool, required: bool):
    """The neural scorer for this run (None when the model package is not installed and not ``required``).

    ``required``: the user typed ``--model``, so a missing model package is an error, not a note.
    """
    from mtqa.score.neural import load_scorer

    return load_scorer(quiet=quiet, required=required)
