"""Where a finding points in the input files, and its stable id: shared by the CI formats (SARIF, GitHub,
JUnit), the HTML report and the config file's ignore rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mtqa.data import (
    Document,
    Finding,
    Report,
    finding_id,  # noqa: F401  (re-exported: reports import it from here)
)


@dataclass(frozen=True)
class Region:
    """1-based region of a text file; ``end_column`` is exclusive, as in SARIF."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class FileLocation:
    path: str | None  # as given on the command line, or None for text passed through the API
    region: Region | None  # None: the whole file
    snippet: str = ""


def region_of(document: Document, start: int, end: int) -> Region:
    start_line, start_column = document.line_col(start)
    end_line, end_column = document.line_col(max(end, start))
    return Region(start_line, start_column, end_line, end_column)


def primary_location(report: Report, finding: Finding) -> FileLocation:
    """The target span when there is one, else the source span, else the finding's pair, else the file.

    Additions live in the target, omissions in the source: each points at the side where the text is.
    """
    if finding.target_span is not None:
        span = finding.target_span
        return FileLocation(report.target.path, region_of(report.target, span.start, span.end), span.text)
    if finding.source_span is not None:
        span = finding.source_span
        return FileLocation(report.source.path, region_of(report.source, span.start, span.end), span.text)
    pair = next((p for p in report.pairs if p.id == finding.pair), None) if finding.pair is not None else None
    if pair is not None and pair.target_start is not None and pair.target_end is not None:
        return FileLocation(report.target.path, region_of(report.target, pair.target_start, pair.target_end),
                            pair.target_text(report.target))
    if pair is not None and pair.source_start is not None and pair.source_end is not None:
        return FileLocation(report.source.path, region_of(report.source, pair.source_start, pair.source_end),
                            pair.source_text(report.source))
    return FileLocation(report.target.path, None)


def relative_uri(path: str | None, base: Path | None = None) -> str:
    """A forward-slash path relative to ``base`` (the repository root in CI), which is what code scanning
    and workflow annotations resolve; a path outside ``base`` stays absolute.
    """
    if not path:
        return "<text>"
    base = (base or Path.cwd()).resolve()
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return resolved.as_posix() if os.path.isabs(path) else Path(path).as_posix()
