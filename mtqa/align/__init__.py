"""The alignment stage: segments of two documents → beads (``AlignedPair``), 1-1, 1-2, 2-1, 1-0, 0-1 …

Aligners share one protocol so that the length-based aligner (no model) and the encoder aligner are
interchangeable; both return beads in document order covering every segment exactly once. They are created
by name through a registry (``create_aligner``), like sacrebleu's ``METRICS``: a new aligner is a module that
calls ``register_aligner``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Protocol

from mtqa.data import AlignedPair, Document, Glossary, Segment
from mtqa.errors import MtqaError
from mtqa.languages import Language


class Aligner(Protocol):
    name: str

    def align(
        self,
        source: Document,
        target: Document,
        source_language: Language,
        target_language: Language,
        glossary: Glossary | None = None,
    ) -> list[AlignedPair]: ...


AlignerFactory = Callable[..., Aligner]

# The modules of the built-in aligners, imported on first use (each registers its names when imported);
# importing them eagerly would load numpy and the encoder package for every ``import mtqa``.
BUILTIN_ALIGNERS = ("mtqa.align.length", "mtqa.align.encoder_aligner")
_ALIGNERS: dict[str, AlignerFactory] = {}


def register_aligner(name: str) -> Callable[[AlignerFactory], AlignerFactory]:
    """Decorator: ``factory(**options)`` builds the aligner called ``name``."""

    def decorate(factory: AlignerFactory) -> AlignerFactory:
        _ALIGNERS[name] = factory
        return factory

    return decorate


def available_aligners() -> list[str]:
    _load_builtin()
    return sorted(_ALIGNERS)


def create_aligner(name: str = "auto", **options: object) -> Aligner:
    """The aligner called ``name`` ("encoder", "length" or "auto" = the encoder when its package is
    installed, else the length aligner with a one-line warning); ``options`` go to its factory."""
    _load_builtin()
    factory = _ALIGNERS.get(name)
    if factory is None:
        raise MtqaError(f"unknown aligner {name!r} (choose {', '.join(available_aligners())})")
    return factory(**options)


def _load_builtin() -> None:
    for module in BUILTIN_ALIGNERS:
        importlib.import_module(module)


def make_pairs(
    beads: Sequence[tuple[Sequence[int], Sequence[int]]],
    source_segments: Sequence[Segment],
    target_segments: Sequence[Segment],
    similarities: Sequence[float | None] | None = None,
    source_similarities: Sequence[tuple[float, ...] | None] | None = None,
) -> list[AlignedPair]:
    """Turn beads of segment ids into ``AlignedPair``s with document offsets, numbered in order."""
    pairs = []
    for index, (src, tgt) in enumerate(beads):
        src, tgt = tuple(src), tuple(tgt)
        pairs.append(
            AlignedPair(
                id=index,
                source_segments=src,
                target_segments=tgt,
                source_start=source_segments[src[0]].start if src else None,
                source_end=source_segments[src[-1]].end if src else None,
                target_start=target_segments[tgt[0]].start if tgt else None,
                target_end=target_segments[tgt[-1]].end if tgt else None,
                similarity=similarities[index] if similarities else None,
                source_similarities=source_similarities[index] if source_similarities else None,
            )
        )
    return pairs
