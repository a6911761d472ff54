"""Errors that end a run with exit code 2 and one line on stderr (never a traceback)."""

from __future__ import annotations


class MtqaError(Exception):
    """Base class: a usage or input problem the user can fix. The CLI prints ``str(error)`` and exits 2."""


class InputError(MtqaError):
    """An input file or text is missing, unreadable, empty, binary or malformed."""

    def __init__(self, path: str | None, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class ConfigError(MtqaError):
    """A configuration file or option is invalid."""


class ModelUnavailableError(MtqaError):
    """A neural model was asked for but is not installed or cannot be prepared."""
