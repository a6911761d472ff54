"""Which report formats a run writes, and where: ``--format FMT[=PATH]`` (repeatable) and ``-o PATH``.

The scheme, so that one run can feed a reviewer and a CI gate at once:

- every ``--format`` names one format; ``FMT=PATH`` writes it to PATH;
- ``-o PATH`` is the path of the one format given without ``=PATH`` (``-f html -o report.html``);
- a format without a path writes to standard output, and only one may do so — except ``github``, whose
  workflow commands the Actions runner picks out of the log, so it may share standard output with ``rich``;
- no report may overwrite an input file or another report.

The exit code does not depend on the formats: 0 passed, 1 quality gate failed, 2 usage or input error.
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mtqa.data import Report, Severity
from mtqa.errors import MtqaError

if TYPE_CHECKING:
    from mtqa.metrics import ReferenceMetrics

FORMATS = ("rich", "json", "html", "sarif", "junit", "github")


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None  # None: standard output


def parse_format(value: str) -> OutputSpec:
    name, sep, path = value.partition("=")
    name = name.strip().lower()
    if name not in FORMATS:
        raise MtqaError(f"--format {value}: unknown format {name!r} (known: {', '.join(FORMATS)})")
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
    if len([f for f in to_stdout if f != "github"]) > 1 or (
        "github" in to_stdout and len(to_stdout) > 1 and set(to_stdout) != {"github", "rich"}
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
    """Render one machine or HTML format as text (``rich`` is written to a console instead)."""
    if fmt == "json":
        from mtqa.report.json_report import report_to_dict
        from mtqa.report.locations import finding_id

        data = report_to_dict(report)
        # Additive to the version-1 contract: the id that ignore rules in the config file take.
        for finding, entry in zip(report.findings, data["findings"], strict=True):
            entry.setdefault("id", finding_id(finding))
        if reference is not None:
            from mtqa.metrics import reference_to_dict

            data["reference"] = reference_to_dict(reference)
            for pair in data["pairs"]:
                pair["chrf"] = reference.pair_chrf.get(pair["id"])
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from mtqa.report.html import render_html

        return render_html(report, reference)
    if fmt == "sarif":
        from mtqa.report.sarif import render_sarif

        return render_sarif(report)
    if fmt == "junit":
        from mtqa.report.junit import render_junit

        return render_junit(report, fail_on=fail_on)
    if fmt == "github":
        from mtqa.report.github import render_github

        return render_github(report)
    raise MtqaError(f"unknown format {fmt!r}")


def emit_reports(report: Report, specs: list[OutputSpec], *, quiet: bool = False, verbose: bool = False,
                 fail_on: Severity | None = Severity.MAJOR,
                 reference: ReferenceMetrics | None = None) -> None:
    for spec in specs:
        if spec.format == "rich":
            _emit_rich(report, spec.path, quiet=quiet, verbose=verbose, reference=reference)
            continue
        text = render(report, spec.format, fail_on=fail_on, reference=reference)
        if spec.path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            _write(spec.path, text)


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


def write_report(path: Path, text: str) -> None:
    """Write a report whole or not at all: a temporary file in the same directory, renamed over ``path``
    (atomic on POSIX), so that an error or an interrupt never leaves a half-written report behind."""
    import tempfile

    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def _write(path: Path, text: str) -> None:
    write_report(path, text)


def _emit_rich(report: Report, path: Path | None, *, quiet: bool, verbose: bool,
               reference: ReferenceMetrics | None) -> None:
    from rich.console import Console

    from mtqa.report.rich_report import render_rich

    if path is None:
        render_rich(report, Console(), verbose=verbose, quiet=quiet, reference=reference)
        return
    buffer = io.StringIO()
    render_rich(report, Console(file=buffer, width=100), verbose=verbose, quiet=quiet, reference=reference)
    write_report(path, buffer.getvalue())
