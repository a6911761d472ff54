"""The plain data passed between the pipeline stages: segment → align → score → check → report.

Every offset is a character offset into the decoded document text (``Document.text``), so that
``document.text[span.start:span.end] == span.text`` holds everywhere.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """MQM severities, ordered from the least to the most serious."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        """MQM penalty weight (minor 1, major 5, critical 25)."""
        return {"minor": 1, "major": 5, "critical": 25}[self.value]

    @property
    def rank(self) -> int:
        return {"minor": 0, "major": 1, "critical": 2}[self.value]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


class Category(StrEnum):
    """MQM category names used in every report."""

    TERMINOLOGY = "terminology"
    MISTRANSLATION = "accuracy/mistranslation"
    OMISSION = "accuracy/omission"
    ADDITION = "accuracy/addition"
    UNTRANSLATED = "accuracy/untranslated"
    GRAMMAR = "fluency/grammar"
    PUNCTUATION = "fluency/punctuation"
    INCONSISTENCY = "fluency/inconsistency"
    NUMBER = "locale/number"
    DATE = "locale/date"
    MARKUP = "locale/markup"
    NAME = "accuracy/name"


@dataclass(frozen=True)
class Span:
    """A stretch of a document: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, document_text: str, start: int, end: int) -> Span:
        return cls(start, end, document_text[start:end])

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Segment:
    """One sentence (or headline, date line, list item) of a document."""

    id: int
    start: int
    end: int
    text: str
    paragraph: int


@dataclass
class Document:
    """A decoded input text in one language, with its segments once the segment stage has run."""

    text: str
    lang: str
    path: str | None = None
    encoding: str = "utf-8"
    segments: list[Segment] = field(default_factory=list)
    # Offsets where each line starts, built on the first ``line_col`` call: counting newlines from the start
    # for every finding made reports quadratic in document length.
    _line_starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (SARIF, GitHub annotations)."""
        import bisect

        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


@dataclass(frozen=True)
class AlignedPair:
    """A bead of the alignment: source segment ids ↔ target segment ids (either side may be empty).

    ``source_start``/``source_end`` (and the target ones) cover the first to the last segment of the
    bead in the document; they are ``None`` on an empty side.
    """

    id: int
    source_segments: tuple[int, ...]
    target_segments: tuple[int, ...]
    source_start: int | None = None
    source_end: int | None = None
    target_start: int | None = None
    target_end: int | None = None
    # Similarity of the two sides where the aligner measured one (encoder aligner), else None.
    similarity: float | None = None
    # Beads with several source segments (encoder aligner): the similarity of each source segment alone to
    # the bead's whole target side, in segment order. A sentence the translation left out scores far below
    # its partners; the alignment check reports it as an omission.
    source_similarities: tuple[float, ...] | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.source_segments)}-{len(self.target_segments)}"

    def source_text(self, source: Document) -> str:
        if self.source_start is None or self.source_end is None:
            return ""
        return source.text[self.source_start : self.source_end]

    def target_text(self, target: Document) -> str:
        if self.target_start is None or self.target_end is None:
            return ""
        return target.text[self.target_start : self.target_end]


@dataclass
class ModelSpan:
    """A span the neural scorer points at, before it becomes a finding."""

    side: str  # "source" or "target"
    start: int  # document offsets
    end: int
    text: str
    category: str
    severity: Severity
    strength: float  # magnitude of the signal (nats), for sorting and severity
    message: str = ""
    # The span tagger's calibrated chance that a human reviewer marks an error of this class overlapping
    # the span (``mtqa.score.spans``); None for the PMI-threshold spans, which have no calibrated chance.
    probability: float | None = None
    # False: shown only with ``--spans all`` (below the class's confidence floor; ``mtqa.score.spans``).
    confident: bool = True


@dataclass
class PairScore:
    """Scores of one aligned pair from a scorer; every score is 0–100, higher is better."""

    adequacy: float | None = None
    fluency: float | None = None
    estimate: float | None = None
    features: dict[str, float] = field(default_factory=dict)
    spans: list[ModelSpan] = field(default_factory=list)
    # Beads with several source segments: mean reverse PMI per token (nats; how much the target explains
    # the source) of each source segment on its own, by segment id. Near 0 for a sentence left out.
    source_segment_pmi: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    check: str
    category: str
    severity: Severity
    message: str
    suggestion: str | None = None
    pair: int | None = None
    source_span: Span | None = None
    target_span: Span | None = None
    # A span of the trained span tagger: its calibrated probability (``ModelSpan.probability``); None else.
    probability: float | None = None

    def to_dict(self) -> dict:
        out = {
            "check": self.check,
            "category": self.category,
            "severity": self.severity.value,
            "message": self.message,
            "suggestion": self.suggestion,
            "pair": self.pair,
            "source_span": self.source_span.to_dict() if self.source_span else None,
            "target_span": self.target_span.to_dict() if self.target_span else None,
        }
        if self.probability is not None:
            out["probability"] = self.probability
        return out


def finding_id(finding: Finding) -> str:
    """A short id that survives unrelated edits of the document: it hashes what was found, not where.

    Severity is left out on purpose, so that a severity override in the config does not change the id
    a user has put on an ignore list.
    """
    parts = [
        finding.check,
        finding.category,
        finding.message,
        finding.source_span.text if finding.source_span else "",
        finding.target_span.text if finding.target_span else "",
    ]
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]
    return f"{finding.check}-{digest}"


@dataclass(frozen=True)
class GlossaryEntry:
    source: str
    target: str
    forbidden: tuple[str, ...] = ()
    note: str = ""
    line: int | None = None  # line in the glossary file, for messages
    # Other acceptable renderings (TBX admitted terms, ``a|b`` in the target column): never reported.
    alternatives: tuple[str, ...] = ()


@dataclass
class Glossary:
    entries: list[GlossaryEntry] = field(default_factory=list)
    path: str | None = None

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class Summary:
    pairs: int
    words: int
    findings: dict[str, int]
    score: float
    passed: bool
    adequacy: float | None = None
    fluency: float | None = None
    estimate: float | None = None


@dataclass(frozen=True)
class Signature:
    """What produced a report, like sacrebleu's metric signatures: two reports with the same signature
    were made by the same code and settings, so their findings and scores are comparable.

    Each part is a name and, where code or data decide the result, a short hash of it: the aligner (its
    code), the scorer (its code), the shipped calibration, the checks that ran (their code and the language
    modules) and the settings (enabled checks, severities, thresholds, ignore rules, gate).
    """

    version: str
    aligner: str
    scorer: str
    calibration: str
    checks: str
    settings: str
    # The findings a baseline (``--baseline``) knows do not fail the gate, so it decides the verdict too:
    # a hash of its suppressing entries, "none" without one (and then absent from the text, which keeps the
    # signatures of runs without a baseline as they were).
    baseline: str = "none"

    def __str__(self) -> str:
        text = (f"mtqa:{self.version}|align:{self.aligner}|score:{self.scorer}|calib:{self.calibration}"
                f"|checks:{self.checks}|settings:{self.settings}")
        return text if self.baseline == "none" else f"{text}|baseline:{self.baseline}"

    def to_dict(self) -> dict:
        return {
            "text": str(self),
            "version": self.version,
            "aligner": self.aligner,
            "scorer": self.scorer,
            "calibration": self.calibration,
            "checks": self.checks,
            "settings": self.settings,
            "baseline": self.baseline,
        }


@dataclass
class Report:
    """Everything one check run found; the JSON output serialises exactly this."""

    source: Document
    target: Document
    pairs: list[AlignedPair]
    findings: list[Finding]
    summary: Summary
    scores: dict[int, PairScore] = field(default_factory=dict)
    glossary: Glossary | None = None
    signature: Signature | None = None
    # Set when a run compares its findings with a baseline file (``--baseline``; mtqa/baseline.py).
    baseline: BaselineMatch | None = None


@dataclass(frozen=True)
class BaselineEntry:
    """One known finding in a baseline file: its fingerprint, what it was, and the reviewer's decision."""

    fingerprint: str
    state: str = "known"  # known (written by --write-baseline) | accepted | dismissed | fixed
    check: str = ""
    category: str = ""
    severity: str = ""
    message: str = ""
    source: str = ""
    target: str = ""
    path: str | None = None  # the file a scan found it in; None matches in any file
    reason: str = ""
    author: str = ""


@dataclass
class BaselineMatch:
    """A report's findings compared with a baseline: per finding "new" or "unchanged", the entry each
    unchanged one matched, and how many of the baseline's entries for this file were not found again."""

    path: str
    states: list[str]
    entries: dict[int, BaselineEntry] = field(default_factory=dict)
    absent: int = 0

    def is_known(self, index: int) -> bool:
        return self.states[index] == "unchanged"
