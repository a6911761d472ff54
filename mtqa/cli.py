"""The command line: the click group, its subcommands (one module each in ``mtqa/commands/``) and the
error handling that turns every failure into one line and an exit code.

Exit codes (a contract): 0 passed, 1 quality gate failed, 2 usage, input or internal error.
"""

from __future__ import annotations

import os
import sys

import click

from mtqa.commands.common import EXIT_ERROR, EXIT_PASSED
from mtqa.errors import MtqaError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mtqa")
def main_group() -> None:
    """mtqa — offline machine-translation quality checks (alignment, terminology, numbers, neural scores)."""


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
