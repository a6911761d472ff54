"""The scoring stage: a ``Scorer`` turns aligned pairs into per-pair scores and model-found spans.

A run without a model uses no scorer (scores stay empty); the neural scorer implements the same protocol,
and unit tests use a fake. Scorers are created by name through a registry (``create_scorer``), like
sacrebleu's ``METRICS``: a new scorer is a module that calls ``register_scorer``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from mtqa.data import AlignedPair, Document, PairScore, Segment
from mtqa.errors import MtqaError
from mtqa.languages import Language


class Scorer(Protocol):
    name: str

    def score(
        self,
        source: Document,
        target: Document,
        pairs: Sequence[AlignedPair],
        source_language: Language,
        target_language: Language,
    ) -> dict[int, PairScore]:
        """Scores for the pairs that have text on both sides, keyed by pair id."""
        ...


@dataclass(frozen=True)
class TextPair:
    """One pre-segmented pair for batch scoring: no segmentation, no alignment (``mtqa batch``)."""

    source: str
    target: str
    source_language: Language
    target_language: Language


def score_batch(scorer: Scorer, pairs: Sequence[TextPair]) -> list[PairScore]:
    """Scores of ``pairs`` in order, span offsets into each pair's own texts: the one batch seam that
    every executor of ``mtqa batch`` calls. A scorer with its own ``score_batch`` (the neural scorer:
    one length-sorted model call per language pair) is used directly; any other ``Scorer`` gets one
    single-segment document pair per text pair."""
    own = getattr(scorer, "score_batch", None)
    if own is not None:
        return own(pairs)
    results = []
    for pair in pairs:
        source = _one_segment(pair.source, pair.source_language)
        target = _one_segment(pair.target, pair.target_language)
        one = AlignedPair(0, (0,), (0,), 0, len(pair.source), 0, len(pair.target))
        results.append(scorer.score(source, target, [one], pair.source_language,
                                    pair.target_language).get(0, PairScore()))
    return results


def _one_segment(text: str, language: Language) -> Document:
    return Document(text, language.code, segments=[Segment(0, 0, len(text), text, 0)])


# A factory returns None only when its model is optional and not installed (``required=False``): the caller
# then runs without scores.
ScorerFactory = Callable[..., "Scorer | None"]

# The modules of the built-in scorers, imported on first use (each registers its names when imported):
# importing them eagerly would import torch for every ``import mtqa``.
BUILTIN_SCORERS = ("mtqa.score.neural",)
_SCORERS: dict[str, ScorerFactory] = {}


def register_scorer(name: str) -> Callable[[ScorerFactory], ScorerFactory]:
    """Decorator: ``factory(*, quiet, required, **options)`` builds the scorer called ``name``."""

    def decorate(factory: ScorerFactory) -> ScorerFactory:
        _SCORERS[name] = factory
        return factory

    return decorate


def available_scorers() -> list[str]:
    _load_builtin()
    return sorted(_SCORERS)


def create_scorer(
    name: str = "neural", *, quiet: bool = False, required: bool = True, **options: object
) -> Scorer | None:
    """The scorer called ``name``. When its model is not installed: ``ModelUnavailableError`` (exit 2, one
    line) if ``required``, else None and a one-line note on stderr (unless ``quiet``), so that ``mtqa
    check`` runs its other checks by default. The scorer loads its model lazily, once per scorer object:
    create it once and pass it down."""
    _load_builtin()
    factory = _SCORERS.get(name)
    if factory is None:
        raise MtqaError(f"unknown scorer {name!r} (choose {', '.join(available_scorers())})")
    return factory(quiet=quiet, required=required, **options)


def _load_builtin() -> None:
    for module in BUILTIN_SCORERS:
        importlib.import_module(module)
