"""Builds a ``CheckContext`` by hand for check tests: one segment per line, beads given explicitly, so that
the check tests do not depend on the segmenter or the aligner."""

from __future__ import annotations

from collections.abc import Sequence

from mtqa.align import make_pairs
from mtqa.checks import CheckContext
from mtqa.data import Document, Glossary
from mtqa.languages import get_language
from mtqa.segment import segment_document


def make_context(
    source_lines: Sequence[str],
    target_lines: Sequence[str],
    beads: Sequence[tuple[Sequence[int], Sequence[int]]] | None = None,
    *,
    source_lang: str = "zh",
    target_lang: str = "en",
    glossary: Glossary | None = None,
) -> CheckContext:
    """Lines become segments; without ``beads`` line i of the source pairs with line i of the target."""
    source_language, target_language = get_language(source_lang), get_language(target_lang)
    source = Document("\n".join(source_lines) + "\n", source_lang)
    target = Document("\n".join(target_lines) + "\n", target_lang)
    source.segments = segment_document(source.text, source_language, pre_segmented=True)
    target.segments = segment_document(target.text, target_language, pre_segmented=True)
    if beads is None:
        assert len(source_lines) == len(target_lines)
        beads = [([i], [i]) for i in range(len(source_lines))]
    pairs = make_pairs(beads, source.segments, target.segments)
    return CheckContext(source, target, source_language, target_language, pairs, glossary)
