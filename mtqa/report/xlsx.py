"""The LQA scorecard as a spreadsheet (``--format xlsx=report.xlsx``), the form reviewers hand in.

Three sheets (for a scan of many files, ``mtqa scan … -f xlsx=FILE``, the same three with a *file* column
first and a per-file table under the scorecard): *Findings* (one row per finding, with a State column
reviewers fill in from a drop-down; filters and a frozen header), *Scorecard* (MQM category × severity counts,
the penalty weights, words, score and verdict, laid out like the LQA forms of the trade), and *Pairs* (the
aligned text with the model's adequacy, fluency and estimate). Cells hold values, not formulas, so that any
reader (openpyxl, pandas, a CI script) sees the numbers without a spreadsheet engine.
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mtqa.data import Category, Report, Severity
from mtqa.pipeline import mqm_score

if TYPE_CHECKING:
    from mtqa.l10n import ScanResult

SEVERITIES = (Severity.MINOR, Severity.MAJOR, Severity.CRITICAL)
FINDING_COLUMNS = ("pair", "source", "target", "flagged source", "flagged target", "check", "category",
                   "severity", "message", "suggestion", "state", "reason", "fingerprint")
PAIR_COLUMNS = ("pair", "kind", "source", "target", "similarity", "adequacy", "fluency", "estimate",
                "findings")
REVIEW_STATES = ("new", "known", "accepted", "dismissed", "fixed")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1E3A8A")
SEVERITY_FILL = {
    "critical": PatternFill("solid", fgColor="FCA5A5"),
    "major": PatternFill("solid", fgColor="FDBA74"),
    "minor": PatternFill("solid", fgColor="FEF08A"),
}
# Excel refuses cells longer than this; a whole page of furniture in one pair must not break the file.
MAX_CELL = 32_000
TOP = Alignment(vertical="top")
MAX_LINES = 12  # tallest row, in lines; the cell holds the rest
# Characters XML 1.0 cannot hold (openpyxl raises on them): control characters other than tab/LF/CR.
_ILLEGAL = {c: " " for c in (*range(0, 9), 11, 12, *range(14, 32))}


def _cell(text: str | None) -> str:
    if not text:
        return ""
    return text.translate(_ILLEGAL)[:MAX_CELL]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _fit_height(sheet, row: int, columns: tuple[int, ...]) -> None:
    """Set the height of a row with wrapped cells: spreadsheets do not re-measure rows on opening, so without
    it the wrapped lines of a long sentence overlap the next row."""
    lines = 1
    for column in columns:
        value = sheet.cell(row=row, column=column).value
        width = sheet.column_dimensions[get_column_letter(column)].width or 10
        if isinstance(value, str) and value:
            lines = max(lines, sum(-(-_display_width(part) // int(width)) or 1 for part in value.split("\n")))
    sheet.row_dimensions[row].height = 15 * min(lines, MAX_LINES)


def _landscape(sheet) -> None:
    """Printed (or exported to PDF) one page wide, as LQA forms are handed in."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _append(sheet, values: list) -> None:
    """Append a row; text from the input starting with "=" stays text (openpyxl would store a formula,
    which a spreadsheet then runs: formula injection)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _header(sheet, columns, widths) -> None:
    sheet.append(list(columns))
    for index, width in enumerate(widths, 1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width


# One checked document: the file it came from (a scan) or None (one document pair), and its report.
Document = tuple[str | None, Report]


def render_xlsx(report: Report, fail_on: Severity | None = Severity.MAJOR) -> bytes:
    return _workbook([(None, report)], fail_on, passed=report.summary.passed, signature=report.signature,
                     scan=False)


def render_xlsx_scan(result: ScanResult, fail_on: Severity | None = Severity.MAJOR) -> bytes:
    """A scan's workbook: every checked file's findings and pairs, one scorecard over all of them."""
    documents = [(path, report) for path, report in result.reports()]
    return _workbook(documents, fail_on, passed=result.summary.passed, signature=result.signature, scan=True)


def _workbook(documents: list[Document], fail_on: Severity | None, *, passed: bool, signature,
              scan: bool) -> bytes:
    workbook = Workbook()
    _findings_sheet(workbook.active, documents, scan)
    _scorecard_sheet(workbook.create_sheet("Scorecard"), documents, fail_on, passed, signature, scan)
    _pairs_sheet(workbook.create_sheet("Pairs"), documents, scan)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _state(report: Report, index: int) -> tuple[str, str]:
    """The review state of a finding: the baseline's decision for a known one, else "new"."""
    if report.baseline is None or not report.baseline.is_known(index):
        return "new", ""
    entry = report.baseline.entries[index]
    return entry.state, entry.reason


def _findings_sheet(sheet, documents: list[Document], scan: bool) -> None:
    from mtqa.baseline import fingerprints

    sheet.title = "Findings"
    _landscape(sheet)
    lead = 1 if scan else 0  # the file column of a scan comes first
    columns = (("file",) if scan else ()) + FINDING_COLUMNS
    widths = ((30,) if scan else ()) + (6, 50, 50, 20, 20, 13, 24, 10, 60, 30, 11, 30, 20)
    _header(sheet, columns, widths)
    wrapped = tuple(lead + column for column in (2, 3, 9))
    wrap = Alignment(wrap_text=True, vertical="top")
    for path, report in documents:
        pairs = {pair.id: pair for pair in report.pairs}
        marked = zip(report.findings, fingerprints(report), strict=True)
        for index, (finding, fingerprint) in enumerate(marked):
            pair = pairs.get(finding.pair) if finding.pair is not None else None
            state, reason = _state(report, index)
            _append(sheet, ([_cell(path)] if scan else []) + [
                finding.pair,
                _cell(pair.source_text(report.source) if pair else ""),
                _cell(pair.target_text(report.target) if pair else ""),
                _cell(finding.source_span.text if finding.source_span else ""),
                _cell(finding.target_span.text if finding.target_span else ""),
                finding.check,
                finding.category,
                finding.severity.value,
                _cell(finding.message),
                _cell(finding.suggestion),
                state,
                _cell(reason),
                fingerprint,
            ])
            row = sheet.max_row
            for cell in sheet[row]:
                cell.alignment = wrap if cell.column in wrapped else TOP
            _fit_height(sheet, row, wrapped)
            sheet.cell(row=row, column=lead + 8).fill = SEVERITY_FILL[finding.severity.value]
    last = max(sheet.max_row, 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    states = DataValidation(type="list", formula1='"' + ",".join(REVIEW_STATES) + '"', allow_blank=True)
    sheet.add_data_validation(states)
    state_column = get_column_letter(lead + FINDING_COLUMNS.index("state") + 1)
    states.add(f"{state_column}2:{state_column}{max(last, 1000)}")


def _scorecard_sheet(sheet, documents: list[Document], fail_on: Severity | None, passed: bool, signature,
                     scan: bool) -> None:
    bold = Font(bold=True)
    if scan:
        rows: list[list] = [["mtqa LQA scorecard"], ["Files", f"{len(documents)} checked"]]
    else:
        report = documents[0][1]
        rows = [
            ["mtqa LQA scorecard"],
            ["Source", f"{_cell(report.source.path) or '<text>'} ({report.source.lang})"],
            ["Target", f"{_cell(report.target.path) or '<text>'} ({report.target.lang})"],
        ]
    rows += [["Signature", str(signature) if signature else ""], ["Reviewer", ""], []]
    for row in rows:
        _append(sheet, row)
        if len(row) == 2:  # a long path or signature spans the table's width
            sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=6)
    sheet["A1"].font = Font(bold=True, size=14)
    _header(sheet, ("MQM category", *(sev.value for sev in SEVERITIES), "total", "penalty"),
            (40, 10, 10, 10, 10, 10))
    _landscape(sheet)
    header_row = sheet.max_row
    findings = [finding for _, report in documents for finding in report.findings]
    counts: dict[str, Counter] = {category.value: Counter() for category in Category}
    for finding in findings:
        counts.setdefault(finding.category, Counter())[finding.severity] += 1
    totals: Counter = Counter()
    for category, by_severity in counts.items():
        penalty = sum(by_severity[sev] * sev.weight for sev in SEVERITIES)
        sheet.append([category, *(by_severity[sev] for sev in SEVERITIES), sum(by_severity.values()),
                      penalty])
        totals.update(by_severity)
    penalty = sum(totals[sev] * sev.weight for sev in SEVERITIES)
    sheet.append(["total", *(totals[sev] for sev in SEVERITIES), sum(totals.values()), penalty])
    sheet.append(["penalty weight", *(sev.weight for sev in SEVERITIES)])
    for row in (sheet.max_row - 1, sheet.max_row):
        sheet.cell(row=row, column=1).font = bold
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.append([])
    words = sum(report.summary.words for _, report in documents)
    baselines = [report.baseline for _, report in documents if report.baseline is not None]
    known = sum(baseline.states.count("unchanged") for baseline in baselines) if baselines else None
    for label, value in (
        ("words (target)", words),
        ("penalty points", penalty),
        ("MQM score (100 − penalty per 100 words)", mqm_score(findings, words)),
        ("fail on", fail_on.value if fail_on else "never"),
        ("known findings (baseline)", known if known is not None else "no baseline"),
        ("result", "PASS" if passed else "FAIL"),
    ):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    verdict_colour = "86EFAC" if passed else "FCA5A5"
    sheet.cell(row=sheet.max_row, column=2).fill = PatternFill("solid", fgColor=verdict_colour)
    if not scan:
        s = documents[0][1].summary
        for label, value in (("adequacy", s.adequacy), ("fluency", s.fluency), ("estimate", s.estimate)):
            if value is not None:
                sheet.append([f"model {label} (0–100)", value])
        return
    # Per file: where the penalty points come from, and which file fails the gate.
    sheet.append([])
    _header(sheet, ("file", *(sev.value for sev in SEVERITIES), "words", "score", "result"),
            (40, 10, 10, 10, 10, 10, 10))
    for path, report in documents:
        s = report.summary
        _append(sheet, [_cell(path), *(s.findings.get(sev.value, 0) for sev in SEVERITIES), s.words, s.score,
                        "PASS" if s.passed else "FAIL"])


def _pairs_sheet(sheet, documents: list[Document], scan: bool) -> None:
    lead = 1 if scan else 0
    columns = (("file",) if scan else ()) + PAIR_COLUMNS
    _header(sheet, columns, ((30,) if scan else ()) + (6, 8, 60, 60, 11, 10, 10, 10, 9))
    _landscape(sheet)
    wrapped = (lead + 3, lead + 4)
    wrap = Alignment(wrap_text=True, vertical="top")
    for path, report in documents:
        per_pair = Counter(f.pair for f in report.findings)
        for pair in report.pairs:
            score = report.scores.get(pair.id)
            _append(sheet, ([_cell(path)] if scan else []) + [
                pair.id,
                pair.kind,
                _cell(pair.source_text(report.source)),
                _cell(pair.target_text(report.target)),
                round(pair.similarity, 3) if pair.similarity is not None else None,
                score.adequacy if score else None,
                score.fluency if score else None,
                score.estimate if score else None,
                per_pair.get(pair.id, 0),
            ])
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap if cell.column in wrapped else TOP
            _fit_height(sheet, sheet.max_row, wrapped)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"
