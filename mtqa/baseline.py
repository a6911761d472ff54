"""Fingerprints and baselines: a finding dismissed (or accepted as known) once stays known on later runs.

A finding's fingerprint hashes what was found, never where: the check, the category, and on each side the
span's text with a little of the text around it on the same line (``CONTEXT_CHARS``). Offsets, line
numbers, the message (the model's messages carry scores) and the severity (a config override) stay out, so
an edit elsewhere in the file does not change it, while the same word flagged in two different sentences
gets two fingerprints. Findings that are still identical (one sentence repeated word for word) are
numbered in document order: ``…:2``, ``…:3``.

A baseline file (JSON, ``BASELINE_KEY``) lists fingerprints with what they were and a reviewer's decision:
``known`` (written by ``--write-baseline``), ``accepted`` (a real error, known), ``dismissed`` (a false
positive, with a reason) or ``fixed``. A finding whose fingerprint is listed as known, accepted or dismissed
is reported as unchanged and does not fail the gate; one listed as fixed has come back, and is new again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path

from mtqa.data import BaselineEntry, BaselineMatch, Document, Finding, Report
from mtqa.errors import MtqaError

CONTEXT_CHARS = 12
BASELINE_KEY = "mtqa_baseline"
BASELINE_VERSION = 1
STATES = ("known", "accepted", "dismissed", "fixed")
# Decisions that keep a finding out of the gate; a "fixed" finding that is found again is a regression.
SUPPRESSING = ("known", "accepted", "dismissed")
ENTRY_KEYS = tuple(BaselineEntry.__dataclass_fields__)


def _in_context(document: Document, start: int, end: int) -> str:
    """The span with up to ``CONTEXT_CHARS`` characters each side, not crossing a line end, whitespace
    collapsed (re-wrapping a paragraph is not a change)."""
    text = document.text
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left = text[max(line_start, start - CONTEXT_CHARS):start]
    right = text[end:min(line_end, end + CONTEXT_CHARS)]
    return " ".join(f"{left}\x1e{text[start:end]}\x1e{right}".split())


def _pair_texts(report: Report, pair_id: int | None) -> tuple[str, str]:
    pair = next((p for p in report.pairs if p.id == pair_id), None) if pair_id is not None else None
    if pair is None:
        return "", ""
    return (" ".join(pair.source_text(report.source).split()),
            " ".join(pair.target_text(report.target).split()))


def _base_fingerprint(report: Report, finding: Finding) -> str:
    source = (_in_context(report.source, finding.source_span.start, finding.source_span.end)
              if finding.source_span is not None else "")
    target = (_in_context(report.target, finding.target_span.start, finding.target_span.end)
              if finding.target_span is not None else "")
    if not source and not target:
        # A finding about a whole pair (a model score, an omission without a span): the pair's texts; about
        # the whole document: its message, the only thing that says what it is.
        source, target = _pair_texts(report, finding.pair)
        if not source and not target:
            source = finding.message
    parts = (finding.check, finding.category, source, target)
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def fingerprints(report: Report) -> list[str]:
    """The fingerprint of each of ``report.findings``, in order."""
    seen: dict[str, int] = {}
    out = []
    for finding in report.findings:
        base = _base_fingerprint(report, finding)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}:{seen[base]}")
    return out


# -- the baseline file -------------------------------------------------------------------------------

def load_baseline(path: Path) -> list[BaselineEntry]:
    """Read a baseline file; anything malformed is one ``MtqaError`` line naming the file (exit 2)."""
    def bad(problem: str) -> MtqaError:
        return MtqaError(f"{path}: not a usable mtqa baseline ({problem})")

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MtqaError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise bad(getattr(exc, "strerror", None) or str(exc)) from None
    except json.JSONDecodeError as exc:
        raise bad(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict) or BASELINE_KEY not in data:
        raise bad(f"expected a JSON object with \"{BASELINE_KEY}\": {BASELINE_VERSION}")
    if data[BASELINE_KEY] != BASELINE_VERSION:
        raise bad(f"version {data[BASELINE_KEY]!r}; this mtqa reads version {BASELINE_VERSION}")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise bad("\"findings\" must be a list")
    entries = []
    for number, item in enumerate(findings, 1):
        if not isinstance(item, dict):
            raise bad(f"finding {number} is not an object")
        unknown = set(item) - set(ENTRY_KEYS)
        if unknown:
            raise bad(f"finding {number}: unknown key {sorted(unknown)[0]!r}")
        if not isinstance(item.get("fingerprint"), str) or not item["fingerprint"]:
            raise bad(f"finding {number} has no fingerprint")
        state = item.get("state", "known")
        if state not in STATES:
            raise bad(f"finding {number}: state {state!r} is not one of {', '.join(STATES)}")
        for key, value in item.items():
            if value is not None and not isinstance(value, str):
                raise bad(f"finding {number}: {key} must be a string")
        entries.append(BaselineEntry(**{key: value for key, value in item.items() if value is not None}))
    return entries


def match(report: Report, entries: list[BaselineEntry], path: str | None = None) -> BaselineMatch:
    """Compare ``report``'s findings with the baseline entries for the file ``path`` (entries without a
    path apply to every file; ``path`` None: every entry applies, as for ``mtqa check``)."""
    relevant = [e for e in entries if path is None or e.path is None or e.path == path]
    by_fingerprint = {e.fingerprint: e for e in relevant if e.state in SUPPRESSING}
    states: list[str] = []
    matched: dict[int, BaselineEntry] = {}
    found = set()
    for index, fingerprint in enumerate(fingerprints(report)):
        found.add(fingerprint)
        entry = by_fingerprint.get(fingerprint)
        if entry is None:
            states.append("new")
        else:
            states.append("unchanged")
            matched[index] = entry
    absent = sum(1 for e in relevant if e.state in SUPPRESSING and e.fingerprint not in found)
    return BaselineMatch(path or "", states, matched, absent)


def baseline_version(entries: list[BaselineEntry]) -> str:
    """Hash of what a baseline decides: the suppressing entries' fingerprints, states and files (not the
    reasons, authors or messages, which change no verdict)."""
    decided = sorted(f"{e.path or ''}\x1f{e.fingerprint}\x1f{e.state}" for e in entries
                     if e.state in SUPPRESSING)
    return hashlib.sha256("\n".join(decided).encode()).hexdigest()[:8]


def apply_baseline(report: Report, entries: list[BaselineEntry], options, path: str | None = None) -> None:
    """Mark ``report``'s findings new or unchanged and gate on the new ones only.

    The counts and the MQM score still cover every finding (they describe the translation); only the
    verdict changes, computed by the pipeline's own gate over the findings the baseline does not know.
    """
    from mtqa.pipeline import summarise

    report.baseline = match(report, entries, path)
    if report.signature is not None:
        report.signature = replace(report.signature, baseline=baseline_version(entries))
    new = [f for f, state in zip(report.findings, report.baseline.states, strict=True) if state == "new"]
    try:
        from mtqa.languages import get_language

        language = get_language(report.target.lang)
    except MtqaError:
        # A file that could not be read has no language: its one finding decides, known or not.
        report.summary = replace(report.summary, passed=report.summary.passed or not new)
        return
    gate = summarise(report.target, report.pairs, new, report.scores, options, language)
    report.summary = replace(report.summary, passed=gate.passed)


def baseline_entries(report: Report, path: str | None = None,
                     previous: list[BaselineEntry] = ()) -> list[BaselineEntry]:
    """Entries for every finding of ``report``; a reviewer's state, reason and author carry over from
    ``previous`` entries with the same fingerprint."""
    earlier = {e.fingerprint: e for e in previous if path is None or e.path is None or e.path == path}
    entries = []
    for finding, fingerprint in zip(report.findings, fingerprints(report), strict=True):
        entry = BaselineEntry(
            fingerprint=fingerprint,
            check=finding.check,
            category=finding.category,
            severity=finding.severity.value,
            message=finding.message,
            source=finding.source_span.text if finding.source_span else "",
            target=finding.target_span.text if finding.target_span else "",
            path=path,
        )
        if fingerprint in earlier:
            old = earlier[fingerprint]
            entry = replace(entry, state=old.state, reason=old.reason, author=old.author)
        entries.append(entry)
    return entries


def baseline_text(entries: list[BaselineEntry]) -> str:
    items = []
    for entry in entries:
        item = {key: value for key, value in asdict(entry).items() if value not in ("", None)}
        item.setdefault("state", "known")
        items.append(item)
    data = {BASELINE_KEY: BASELINE_VERSION, "findings": items}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
