"""Which report formats a run writes, and where: ``--format FMT[=PATH]`` (repeatable) and ``-o PATH``.

The scheme, so that one run can feed a reviewer and a CI gate at once:

- every ``--format`` names one format; ``FMT=PATH`` writes it to PATH;
- ``-o PATH`` is the path of the one format given without ``=PATH`` (``-f html -o report.html``);
- a format without a path writes to standard output, and only one may do so — except ``github``, whose
  workflow commands the Actions runner picks out of the log, so it may share standard output with ``rich``;
- no report may overwrite an input file or another report.

The formats are a registry (``RENDERERS``; ``register_renderer`` adds one): each renders a document report
and, if it can, a scan of many files. The exit code does not depend on the formats: 0 passed, 1 quality
gate failed, 2 usage or input error.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mtqa.data import Report, Severity
from mtqa.errors import MtqaError

if TYPE_CHECKING:
    from mtqa.l10n import ScanResult
    from mtqa.metrics import ReferenceMetrics

@dataclass(frozen=True)
class RenderContext:
    """What a renderer may use besides the report: the gate (JUnit marks failures by it), the reference
    metrics of a run with ``--reference``, and the terminal's quiet/verbose flags."""

    fail_on: Severity | None = Severity.MAJOR
    reference: ReferenceMetrics | None = None
    quiet: bool = False
    verbose: bool = False


@dataclass(frozen=True)
class Renderer:
    """One ``--format``: how it renders a document report and, if it can, a scan of many files.

    A text renderer returns the text (``document(report, context) -> str``); a ``console`` renderer
    writes to a rich ``Console`` instead (``document(report, console, context)``), which goes to the
    terminal or, with ``FMT=PATH``, to a file. ``shares_stdout``: its output may go to standard output
    beside a console renderer's (GitHub workflow commands, which the runner picks out of the log).
    """

    name: str
    document: Callable
    scan: Callable | None = None  # None: the format has no rendering of a scan (one document pair only)
    console: bool = False
    shares_stdout: bool = False
    # Renders bytes (a spreadsheet): written to a file only, never to a terminal.
    binary: bool = False


RENDERERS: dict[str, Renderer] = {}


def register_renderer(renderer: Renderer) -> Renderer:
    """Add (or replace) the ``--format`` called ``renderer.name``."""
    RENDERERS[renderer.name] = renderer
    return renderer


# Built-in renderers: each imports its module on first use, so that choosing one format loads no other.

def _rich(report: Report, console, context: RenderContext) -> None:
    from mtqa.report.rich_report import render_rich

    render_rich(report, console, verbose=context.verbose, quiet=context.quiet, reference=context.reference)


def _rich_scan(result: ScanResult, console, context: RenderContext) -> None:
    from mtqa.report.scan import render_rich_scan

    render_rich_scan(result, console, quiet=context.quiet, verbose=context.verbose)


def _json(report: Report, context: RenderContext) -> str:
    from mtqa.report.json_report import report_to_dict
    from mtqa.report.locations import finding_id

    data = report_to_dict(report)
    # Additive to the version-1 contract: the id that ignore rules in the config file take.
    for finding, entry in zip(report.findings, data["findings"], strict=True):
        entry.setdefault("id", finding_id(finding))
    if context.reference is not None:
        from mtqa.metrics import reference_to_dict

        data["reference"] = reference_to_dict(context.reference)
        for pair in data["pairs"]:
            pair["chrf"] = context.reference.pair_chrf.get(pair["id"])
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _json_scan(result: ScanResult, context: RenderContext) -> str:
    from mtqa.report.scan import render_json_scan

    return render_json_scan(result, context.fail_on)


def _html(report: Report, context: RenderContext) -> str:
    from mtqa.report.html import render_html

    return render_html(report, context.reference)


def _sarif(report: Report, context: RenderContext) -> str:
    from mtqa.report.sarif import render_sarif

    return render_sarif(report)


def _sarif_scan(result: ScanResult, context: RenderContext) -> str:
    from mtqa.report.scan import render_sarif_scan

    return render_sarif_scan(result, context.fail_on)


def _junit(report: Report, context: RenderContext) -> str:
    from mtqa.report.junit import render_junit

    return render_junit(report, fail_on=context.fail_on)


def _junit_scan(result: ScanResult, context: RenderContext) -> str:
    from mtqa.report.scan import render_junit_scan

    return render_junit_scan(result, context.fail_on)


def _github(report: Report, context: RenderContext) -> str:
    from mtqa.report.github import render_github

    return render_github(report)


def _github_scan(result: ScanResult, context: RenderContext) -> str:
    from mtqa.report.scan import render_github_scan

    return render_github_scan(result, context.fail_on)


def _xlsx(report: Report, context: RenderContext) -> bytes:
    from mtqa.report.xlsx import render_xlsx

    return render_xlsx(report, fail_on=context.fail_on)


def _xlsx_scan(result: ScanResult, context: RenderContext) -> bytes:
    from mtqa.report.xlsx import render_xlsx_scan

    return render_xlsx_scan(result, fail_on=context.fail_on)


for _renderer in (
    Renderer("rich", _rich, _rich_scan, console=True),
    Renderer("json", _json, _json_scan),
    Renderer("html", _html),
    Renderer("sarif", _sarif, _sarif_scan),
    Renderer("junit", _junit, _junit_scan),
    Renderer("github", _github, _github_scan, shares_stdout=True),
    Renderer("xlsx", _xlsx, _xlsx_scan, binary=True),
):
    register_renderer(_renderer)
# The built-in format names (the registry itself may hold more).
FORMATS = tuple(RENDERERS)


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None  # None: standard output


def parse_format(value: str) -> OutputSpec:
    name, sep, path = value.partition("=")
    name = name.strip().lower()
    if name not in RENDERERS:
        raise MtqaError(f"--format {value}: unknown format {name!r} (known: {', '.join(RENDERERS)})")
    if sep and not path:
        raise MtqaError(f"--format {value}: empty path after '='")
    return OutputSpec(name, Path(path) if path else None)


def plan_outputs(formats: tuple[str, ...] | list[str], output: Path | None,
                 inputs: list[Path] | None = None) -> list[OutputSpec]:
    specs = [parse_format(value) for value in (formats or ("rich",))]
    without_path = [spec for spec in specs if spec.path is None]
    if output is not None:
        if len(without_path) != 1:
            raise MtqaError(
                "-o/--output is the path of the one format given without '=PATH'; with several formats "
                "write --format FMT=PATH for each (e.g. --format json=out.json --format sarif=out.sarif)"
            )
        specs = [OutputSpec(s.format, output) if s is without_path[0] else s for s in specs]
    to_stdout = [spec.format for spec in specs if spec.path is None]
    for name in to_stdout:
        if RENDERERS[name].binary:
            raise MtqaError(f"--format {name} writes a binary file; give it a path: --format {name}=FILE")
    sharing = [f for f in to_stdout if RENDERERS[f].shares_stdout]
    others = [f for f in to_stdout if not RENDERERS[f].shares_stdout]
    # One format on standard output; or one that shares it (github) beside one console renderer (rich).
    if len(to_stdout) > 1 and not (
        len(sharing) == 1 and len(others) == 1 and RENDERERS[others[0]].console
    ):
        raise MtqaError(
            f"formats {', '.join(to_stdout)} would all write to standard output; give each but one a file "
            "with --format FMT=PATH"
        )
    seen: dict[Path, str] = {}
    for spec in specs:
        if spec.path is None:
            continue
        resolved = spec.path.resolve()
        if resolved in seen:
            raise MtqaError(f"{spec.path}: both the {seen[resolved]} and the {spec.format} report would be "
                            "written there")
        seen[resolved] = spec.format
        for path in inputs or []:
            if path.exists() and resolved == path.resolve():
                raise MtqaError(f"{spec.path}: is an input file; refusing to overwrite it with the report")
        if spec.path.is_dir():
            raise MtqaError(f"{spec.path}: is a directory, expected a file for the {spec.format} report")
        check_writable(spec.path, spec.format)
    # Files first, standard output last: the terminal ends with the report a person reads.
    return sorted(specs, key=lambda spec: spec.path is None)


def render(report: Report, fmt: str, *, fail_on: Severity | None = Severity.MAJOR,
           reference: ReferenceMetrics | None = None) -> str:
    """Render one text format (not a console one such as ``rich``) as text."""
    renderer = RENDERERS.get(fmt)
    if renderer is None or renderer.console:
        raise MtqaError(f"unknown format {fmt!r}" if renderer is None else f"{fmt} renders to a console")
    return renderer.document(report, RenderContext(fail_on=fail_on, reference=reference))


def emit_reports(report: Report, specs: list[OutputSpec], *, quiet: bool = False, verbose: bool = False,
                 fail_on: Severity | None = Severity.MAJOR,
                 reference: ReferenceMetrics | None = None) -> None:
    """Write one document report in every planned format."""
    context = RenderContext(fail_on=fail_on, reference=reference, quiet=quiet, verbose=verbose)
    for spec in specs:
        renderer = RENDERERS[spec.format]
        _emit(spec, renderer, renderer.document, report, context, width=100)


def emit_scan(result: ScanResult, specs: list[OutputSpec], *, quiet: bool = False, verbose: bool = False,
              fail_on: Severity | None = Severity.MAJOR) -> None:
    """Write a scan in every planned format (``require_scan_formats`` has refused those without one)."""
    context = RenderContext(fail_on=fail_on, quiet=quiet, verbose=verbose)
    for spec in specs:
        renderer = RENDERERS[spec.format]
        _emit(spec, renderer, renderer.scan, result, context, width=110)


def require_scan_formats(specs: list[OutputSpec]) -> None:
    for spec in specs:
        if RENDERERS[spec.format].scan is None:
            raise MtqaError(f"--format {spec.format} renders one document pair; for a repository use json or "
                            "sarif")


def _emit(spec: OutputSpec, renderer: Renderer, function: Callable, subject, context: RenderContext, *,
          width: int) -> None:
    if renderer.console:
        from rich.console import Console

        if spec.path is None:
            function(subject, Console(), context)
            return
        buffer = io.StringIO()
        function(subject, Console(file=buffer, width=width), context)
        write_report(spec.path, buffer.getvalue())
        return
    text = function(subject, context)
    if renderer.binary:
        assert spec.path is not None  # plan_outputs refuses a binary format on standard output
        write_report(spec.path, text)
        return
    if spec.path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_report(spec.path, text)


def check_writable(path: Path, fmt: str) -> None:
    """Fail now, before a run of minutes, if the report could not be written at the end: a missing or
    non-directory parent, no permission. Probed by creating (and removing) a temporary file where
    ``write_report`` will create one, which also holds for root and read-only file systems."""
    import tempfile

    parent = path.parent
    problem = None
    if not parent.exists():
        problem = f"the directory {parent} does not exist"
    elif not parent.is_dir():
        problem = f"{parent} is not a directory"
    elif path.exists() and not os.access(path, os.W_OK):
        problem = "permission denied"
    else:
        try:
            with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.name}.", suffix=".probe"):
                pass
        except OSError as exc:
            problem = exc.strerror or str(exc)
    if problem:
        raise MtqaError(f"{path}: cannot write the {fmt} report there ({problem})")


def write_report(path: Path, text: str | bytes) -> None:
    """Write a report whole or not at all: a temporary file in the same directory, renamed over ``path``
    (atomic on POSIX), so that an error or an interrupt never leaves a half-written report behind."""
    import tempfile

    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        if isinstance(text, bytes):
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text)
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
        # mkstemp creates 0600; a report gets what a plain open() would give it.
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except OSError as exc:
        raise MtqaError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777  # an existing report keeps its mode
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
