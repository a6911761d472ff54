"""Terminology: glossary terms in the source must reach the aligned target as the glossary prefers.

Per aligned pair:
- source terms are found **longest match first**, without overlaps, so that 中国节能环保集团有限公司 does not
  also count as 中国节能 or 节能环保;
- in the target, every rendering the glossary knows (preferred, accepted alternatives and forbidden variants
  of *all* entries) is searched the same way, longest first: a forbidden variant that is only part of a
  longer glossary rendering ("China Energy Conservation" inside the full company name) is covered by the
  longer match and never reported;
- a forbidden variant of a term found in the pair's source is a **major** finding with the preferred
  rendering as suggestion; a source term with none of its renderings (preferred, alternative or forbidden)
  in the target is a **minor** finding.

Sentence alignment is not perfect, so a term without any rendering in its own bead may take one from an
adjacent bead (an unaligned target sentence, or a clause the aligner put next door) when no source term of
that bead explains it.

Across the document, a term whose known renderings differ from pair to pair (中国节能 as "CECEP" here and
"China Energy Conservation" there) is reported once as an inconsistency. Only renderings the glossary names
can be recognised; an unknown rendering shows up as a missing term instead.

Matching (``mtqa.terms``, shared with the neural check) follows the language, never its code: in scripts
written without spaces (Chinese, Japanese) a term is a substring; in spaced scripts it matches on word
boundaries, case-insensitively, with the last word inflected by the language's rules, hyphen or space
between words, and straight or curly quotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mtqa.checks import CheckContext, Setting, register_check
from mtqa.data import Category, Finding, GlossaryEntry, Severity, Span
from mtqa.terms import Rendering, TermIndex, term_index

CHECK_NAME = "terminology"


@dataclass
class _Seen:
    """Where a term's known renderings were seen across the document, for the consistency finding."""

    forms: dict[str, list[int]]  # rendering (glossary form) → pair ids, in document order
    first_source: Span


@register_check(
    CHECK_NAME,
    description="Glossary terms: forbidden variants (major), missing preferred renderings (minor), "
    "inconsistent renderings of a term across the document (minor).",
    categories=(Category.TERMINOLOGY.value, Category.INCONSISTENCY.value),
    settings=(  # listed by `mtqa checks`
        Setting("missing", True, "report glossary terms whose preferred rendering is missing"),
        Setting("consistency", True, "report a term rendered in different ways across the document"),
    ),
)
def check_terminology(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.glossary is None or not ctx.glossary.entries:
        return
    settings = ctx.settings.get(CHECK_NAME, {})
    report_missing = settings.get("missing", True)
    report_inconsistency = settings.get("consistency", True)
    index = term_index(ctx.glossary)
    beads = _BeadTerms.collect(ctx, index)
    seen: dict[int, _Seen] = {}
    borrowed: set[tuple[int, int, int]] = set()  # (bead position, target offset, entry) already used
    for position, pair in enumerate(ctx.pairs):
        if pair.source_segments and pair.target_segments:
            yield from _check_pair(ctx, index, beads, position, seen, borrowed, report_missing)
    if report_inconsistency:
        yield from _inconsistencies(index, seen)


@dataclass
class _BeadTerms:
    """Glossary terms in the source of one bead and known renderings in its target (document offsets)."""

    source: dict[int, list[Span]]  # entry index → occurrences
    target: list[tuple[Span, Rendering]]

    @classmethod
    def collect(cls, ctx: CheckContext, index: TermIndex) -> list[_BeadTerms]:
        beads = []
        for pair in ctx.pairs:
            source: dict[int, list[Span]] = {}
            target: list[tuple[Span, Rendering]] = []
            if pair.source_segments and pair.source_start is not None:
                text = pair.source_text(ctx.source)
                found = index.source_occurrences(text, ctx.source_language)
                base = pair.source_start
                source = {
                    entry: [ctx.source_span(base + m.start, base + m.end) for m in matches]
                    for entry, matches in found.items()
                }
            if pair.target_segments and pair.target_start is not None:
                base = pair.target_start
                for match, renderings in index.target_occurrences(
                    pair.target_text(ctx.target), ctx.target_language
                ):
                    span = ctx.target_span(base + match.start, base + match.end)
                    target.extend((span, rendering) for rendering in renderings)
            beads.append(cls(source, target))
        return beads


def _check_pair(
    ctx: CheckContext,
    index: TermIndex,
    beads: list[_BeadTerms],
    position: int,
    seen: dict[int, _Seen],
    borrowed: set[tuple[int, int, int]],
    report_missing: bool,
) -> Iterator[Finding]:
    pair = ctx.pairs[position]
    bead = beads[position]
    for entry_index, source_spans in sorted(bead.source.items(), key=lambda item: item[1][0].start):
        entry = index.entries[entry_index]
        renderings = [(position, span, r) for span, r in bead.target if r.entry == entry_index]
        if not renderings:
            renderings = _borrow(beads, position, entry_index, borrowed)
        record = seen.setdefault(entry_index, _Seen({}, source_spans[0]))
        for order, (holder, target_span, rendering) in enumerate(renderings):
            holder_id = ctx.pairs[holder].id
            pairs_seen = record.forms.setdefault(rendering.form, [])
            if holder_id not in pairs_seen:
                pairs_seen.append(holder_id)
            if rendering.kind != "forbidden":
                continue
            # The n-th rendering in the target most likely translates the n-th occurrence in the source.
            yield Finding(
                check=CHECK_NAME,
                category=Category.TERMINOLOGY.value,
                severity=Severity.MAJOR,
                message=_forbidden_message(entry, target_span.text),
                suggestion=entry.target or None,
                pair=holder_id,
                source_span=source_spans[min(order, len(source_spans) - 1)],
                target_span=target_span,
            )
        if not renderings and entry.target and report_missing:
            count = len(source_spans)
            times = f" ({count} occurrences)" if count > 1 else ""
            yield Finding(
                check=CHECK_NAME,
                category=Category.TERMINOLOGY.value,
                severity=Severity.MINOR,
                message=f"glossary term {entry.source}{times} is not rendered as \u201c{entry.target}\u201d "
                f"in the translation",
                suggestion=entry.target,
                pair=pair.id,
                source_span=source_spans[0],
                target_span=None,
            )


def _borrow(
    beads: list[_BeadTerms], position: int, entry_index: int, borrowed: set[tuple[int, int, int]]
) -> list[tuple[int, Span, Rendering]]:
    """Renderings of the term in an adjacent bead whose own source lacks the term.

    Sentence alignment is not perfect: a clause may land in the next bead, or a target sentence may be
    left unaligned (0-1). A rendering there that no source term of its own bead explains most likely
    translates this bead's term; each is used once.
    """
    for neighbour in (position - 1, position + 1):
        if not 0 <= neighbour < len(beads) or entry_index in beads[neighbour].source:
            continue
        found = [
            (neighbour, span, r)
            for span, r in beads[neighbour].target
            if r.entry == entry_index and (neighbour, span.start, entry_index) not in borrowed
        ]
        if found:
            borrowed.update((neighbour, span.start, entry_index) for _, span, _ in found)
            return found
    return []


def _forbidden_message(entry: GlossaryEntry, found: str) -> str:
    if entry.target:
        return (f"\u201c{found}\u201d is a forbidden rendering of {entry.source}; "
                f"use \u201c{entry.target}\u201d")
    return f"\u201c{found}\u201d is a forbidden rendering of {entry.source}"


def _inconsistencies(index: TermIndex, seen: dict[int, _Seen]) -> Iterable[Finding]:
    for entry_index, record in seen.items():
        if len(record.forms) < 2:
            continue
        entry = index.entries[entry_index]
        variants = "; ".join(
            f"\u201c{form}\u201d in {_pair_list(pairs)}" for form, pairs in record.forms.items()
        )
        # No target span: each forbidden occurrence already has its own finding and highlight.
        yield Finding(
            check=CHECK_NAME,
            category=Category.INCONSISTENCY.value,
            severity=Severity.MINOR,
            message=f"{entry.source} is rendered in {len(record.forms)} different ways: {variants}",
            suggestion=entry.target or None,
            pair=None,
            source_span=record.first_source,
            target_span=None,
        )


def _pair_list(pairs: list[int], shown: int = 5) -> str:
    """"pair 3", "pairs 3, 7" or "pairs 3, 7, 9, 12, 15 and 4 more": messages stay one readable line."""
    if len(pairs) == 1:
        return f"pair {pairs[0]}"
    listed = ", ".join(map(str, pairs[:shown]))
    more = f" and {len(pairs) - shown} more" if len(pairs) > shown else ""
    return f"pairs {listed}{more}"
