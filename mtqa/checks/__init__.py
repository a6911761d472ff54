"""Checks: small registered units with one signature, ``(context) -> Iterable[Finding]``.

A check module defines a function and decorates it with ``@register_check(...)``. The pipeline runs every
enabled check on the same ``CheckContext``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from mtqa.data import AlignedPair, Document, Finding, Glossary, PairScore, Span
from mtqa.languages import Language


@dataclass
class CheckContext:
    source: Document
    target: Document
    source_language: Language
    target_language: Language
    pairs: list[AlignedPair]
    glossary: Glossary | None = None
    scores: dict[int, PairScore] = field(default_factory=dict)
    # Free-form per-check settings from the config file / CLI (thresholds, options).
    settings: dict[str, dict] = field(default_factory=dict)

    def aligned_pairs(self) -> Iterator[AlignedPair]:
        """Pairs with text on both sides (what most checks compare)."""
        for pair in self.pairs:
            if pair.source_segments and pair.target_segments:
                yield pair

    def source_span(self, start: int, end: int) -> Span:
        return Span.of(self.source.text, start, end)

    def target_span(self, start: int, end: int) -> Span:
        return Span.of(self.target.text, start, end)


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Setting:
    """One key a check reads from ``[settings.CHECK]`` in the config file (listed by ``mtqa checks``)."""

    name: str
    default: object
    help: str


@dataclass(frozen=True)
class CheckInfo:
    name: str
    function: CheckFunction
    description: str
    categories: tuple[str, ...]
    # Off by default: runs only when enabled explicitly (e.g. software-string checks on prose).
    default_enabled: bool = True
    # The severity of its findings before any config override ("" where it depends on the finding).
    severity: str = ""
    settings: tuple[Setting, ...] = ()
    # Checks the check's ``[settings.NAME]`` table when the config file is read (raises ConfigError), so
    # that a bad setting stops the run before any work.
    validate: Callable[[dict], object] | None = None


_CHECKS: dict[str, CheckInfo] = {}


def register_check(
    name: str, *, description: str, categories: tuple[str, ...], default_enabled: bool = True,
    severity: str = "", settings: tuple[Setting, ...] = (),
    validate: Callable[[dict], object] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    def decorate(function: CheckFunction) -> CheckFunction:
        _CHECKS[name] = CheckInfo(name, function, description, categories, default_enabled, severity,
                                  settings, validate)
        return function

    return decorate


def all_checks() -> dict[str, CheckInfo]:
    _load_builtin()
    return dict(_CHECKS)


def _load_builtin() -> None:
    import importlib
    import pkgutil

    import mtqa.checks as package

    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"mtqa.checks.{module.name}")
