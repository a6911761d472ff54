"""The terminal report: a summary panel, then the aligned pairs that have findings (every pair with
``verbose``), each finding's span highlighted on its side with the suggestion beside it.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mtqa.data import AlignedPair, Finding, Report, Severity

if TYPE_CHECKING:  # sacrebleu loads only for runs with a reference
    from mtqa.metrics import ReferenceMetrics

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.MAJOR: "bold red",
    Severity.MINOR: "yellow",
}
SPAN_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.MAJOR: "bold black on red",
    Severity.MINOR: "black on yellow",
}


def render_rich(report: Report, console: Console, *, verbose: bool = False, quiet: bool = False,
                reference=None) -> None:
    """``reference``: ``mtqa.metrics.ReferenceMetrics`` of a run with ``--reference``, or None."""
    if quiet:
        console.print(summary_line(report))
        if reference is not None:
            print_reference(reference, console, quiet=True)
        return
    console.print(_summary_panel(report))
    by_pair: dict[int | None, list[Finding]] = {}
    known: dict[int | None, int] = {}
    for index, finding in enumerate(report.findings):
        # Findings the baseline knows are folded into one count per pair: they are not the news of this run.
        if report.baseline is not None and report.baseline.is_known(index):
            known[finding.pair] = known.get(finding.pair, 0) + 1
            continue
        by_pair.setdefault(finding.pair, []).append(finding)
    document_findings = by_pair.get(None, [])
    if document_findings:
        console.print(Text("document", style="bold cyan"))
        console.print(_findings_grid(document_findings))
        console.print()
    shown = 0
    for pair in report.pairs:
        findings = by_pair.get(pair.id, [])
        if not findings and not verbose:
            continue
        console.print(_pair_block(report, pair, findings, reference))
        shown += 1
    if known:
        pairs = sum(1 for key in known if key is not None)
        console.print(Text(f"{sum(known.values())} known findings (in the baseline) folded, in {pairs} "
                           "pairs; they do not fail the gate.", style="dim"))
    hidden = len(report.pairs) - shown
    if hidden and not verbose:
        console.print(Text(f"{hidden} pairs without findings not shown (--verbose shows every pair).",
                           style="dim"))
    if reference is not None:
        print_reference(reference, console)
    console.print(summary_line(report))
    if report.signature is not None:
        # soft_wrap: one line that can be copied and compared, like sacrebleu's signatures
        console.print(Text(f"signature {report.signature}", style="dim"), soft_wrap=True)


def summary_line(report: Report) -> Text:
    s = report.summary
    verdict = Text("PASSED", style="bold green") if s.passed else Text("FAILED", style="bold red")
    line = Text.assemble(
        verdict,
        f"  score {s.score:.1f}  ·  ",
        (f"{s.findings['critical']} critical", "bold red" if s.findings["critical"] else "dim"),
        ", ",
        (f"{s.findings['major']} major", "red" if s.findings["major"] else "dim"),
        ", ",
        (f"{s.findings['minor']} minor", "yellow" if s.findings["minor"] else "dim"),
        f"  ·  {s.pairs} pairs, {s.words} words",
    )
    if s.estimate is not None:
        line.append(f"  ·  estimate {s.estimate:.0f}")
    if report.baseline is not None:
        new = report.baseline.states.count("new")
        line.append(f"  ·  baseline: {new} new, {len(report.baseline.states) - new} known")
    return line


def _summary_panel(report: Report) -> Panel:
    s = report.summary
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    kinds = Counter(pair.kind for pair in report.pairs)
    grid.add_row("Source", f"{report.source.path or '<text>'} ({report.source.lang}, "
                 f"{len(report.source.segments)} segments)")
    grid.add_row("Target", f"{report.target.path or '<text>'} ({report.target.lang}, "
                 f"{len(report.target.segments)} segments)")
    grid.add_row("Alignment", f"{s.pairs} pairs: " + ", ".join(f"{n}× {k}" for k, n in sorted(kinds.items())))
    if report.glossary is not None:
        grid.add_row("Glossary", f"{report.glossary.path or '<glossary>'} ({len(report.glossary)} terms)")
    grid.add_row("Findings", Text.assemble(
        (f"{s.findings['critical']} critical", SEVERITY_STYLE[Severity.CRITICAL] if s.findings["critical"]
         else "dim"),
        "  ",
        (f"{s.findings['major']} major", SEVERITY_STYLE[Severity.MAJOR] if s.findings["major"] else "dim"),
        "  ",
        (f"{s.findings['minor']} minor", SEVERITY_STYLE[Severity.MINOR] if s.findings["minor"] else "dim"),
    ))
    categories = Counter(f.category for f in report.findings)
    if categories:
        grid.add_row("Categories", ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    grid.add_row("MQM score", f"{s.score:.1f}  (100 − penalty per 100 words; minor 1, major 5, critical 25)")
    if s.adequacy is not None:
        grid.add_row("Model", f"adequacy {s.adequacy:.0f} · fluency {s.fluency:.0f} · estimate "
                     f"{s.estimate:.0f}  (0–100, higher is better)")
    verdict = "[bold green]PASSED[/]" if s.passed else "[bold red]FAILED[/] (quality gate)"
    return Panel(grid, title="mtqa", subtitle=verdict, box=box.ROUNDED, expand=False)


def _pair_block(report: Report, pair: AlignedPair, findings: list[Finding], reference=None) -> Group:
    score = report.scores.get(pair.id)
    title = Text(f"pair {pair.id}", style="bold cyan")
    title.append(f"  {pair.kind}", style="dim")
    if pair.similarity is not None:
        title.append(f"  similarity {pair.similarity:.2f}", style="dim")
    if score and score.adequacy is not None:
        title.append(f"  adequacy {score.adequacy:.0f}  fluency {score.fluency:.0f}", style="magenta")
    if reference is not None and pair.id in reference.pair_chrf:
        title.append(f"  chrF {reference.pair_chrf[pair.id]:.1f}", style="blue")
    source = _highlighted(report.source.text, pair.source_start, pair.source_end,
                          [(f.source_span, f.severity) for f in findings if f.source_span])
    target = _highlighted(report.target.text, pair.target_start, pair.target_end,
                          [(f.target_span, f.severity) for f in findings if f.target_span])
    parts: list = [title]
    if pair.source_segments and pair.target_segments:
        table = Table(box=box.SIMPLE, show_header=False, expand=True, padding=(0, 1))
        # "fold" so that Chinese, which has no spaces to wrap at, wraps instead of being cut off.
        table.add_column(ratio=1, overflow="fold")
        table.add_column(ratio=1, overflow="fold")
        table.add_row(source, target)
        parts.append(table)
    else:
        # An addition or omission has one side only: one full-width line, shortened, saves half the screen.
        side, text = ("source", source) if pair.source_segments else ("target", target)
        line = Table.grid(padding=(0, 1))
        line.add_column(width=1)
        line.add_column(no_wrap=True, style="dim")
        line.add_column(overflow="fold")
        line.add_row("", f"only in the {side}:", _shortened(text, 300))
        parts.append(line)
    parts.append(_findings_grid(findings))
    parts.append(Text(""))
    return Group(*parts)


def _shortened(text: Text, limit: int) -> Text:
    if len(text) <= limit:
        return text
    short = text[:limit]
    short.append("…", style="dim")
    return short


def _findings_grid(findings: list[Finding]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(overflow="fold")
    for finding in findings:
        grid.add_row("", *_finding_cells(finding))
    return grid


def _finding_cells(finding: Finding) -> tuple[Text, Text]:
    message = Text(f"{finding.category}  ", style="bold")
    message.append(finding.message)
    if finding.suggestion:
        message.append("  → ", style="dim")
        message.append(finding.suggestion, style="green")
    return Text(finding.severity.value.upper(), style=SEVERITY_STYLE[finding.severity]), message


def _highlighted(text: str, start: int | None, end: int | None, spans) -> Text:
    if start is None or end is None:
        return Text("(nothing)", style="dim italic")
    out = Text(text[start:end])
    for span, severity in spans:
        lo, hi = max(span.start, start) - start, min(span.end, end) - start
        if lo < hi:
            out.stylize(SPAN_STYLE[severity], lo, hi)
    return out


def print_reference(reference: ReferenceMetrics, console, *, quiet: bool = False) -> None:
    """sacrebleu's own lines and signatures, as sacrebleu users expect to read them."""
    if quiet:
        console.print(Text("reference: " + "  ".join(f"{s.name} {s.score:.2f}" for s in reference.corpus)),
                      soft_wrap=True)
        return
    console.print(Text(f"Against the reference {reference.reference_path or ''} "
                       f"({len(reference.segments)} aligned segments):", style="bold"))
    # soft_wrap: sacrebleu's lines stay whole, so they can be copied and compared
    for score in reference.corpus:
        console.print(Text(f"  {score.text}"), soft_wrap=True)
        console.print(Text(f"    {score.name}|{score.signature}", style="dim"), soft_wrap=True)
