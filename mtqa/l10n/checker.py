"""Checking localisation files: every string goes through the same checks as a sentence pair.

A file's units are already aligned, so instead of segmenting and aligning, each file becomes one source
``Document`` and one target ``Document`` with one segment per unit and a 1-1 ``IdentityAligner``; the
registered checks (terminology, numbers, untranslated, placeholders, the model's scores) then run once
over the whole file. The documents are laid out so that each unit's text starts on the line where the
file has it, which makes ``Document.line_col`` — and so every report format — point at the file's line.

Only the units the incremental cache does not know are checked; the others' findings come from the cache.
"""

from __future__ import annotations

import bisect
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from mtqa.align import make_pairs
from mtqa.checks import CheckContext, all_checks
from mtqa.data import (
    AlignedPair,
    Document,
    Finding,
    Glossary,
    PairScore,
    Report,
    Segment,
    Severity,
    Span,
    Summary,
)
from mtqa.errors import InputError, MtqaError
from mtqa.formats import BilingualFile, BilingualUnit, detect_format, read_bilingual
from mtqa.incremental import ResultCache, check_version, glossary_version, model_version, unit_key
from mtqa.languages import Language, detect_language, get_language
from mtqa.pipeline import CheckOptions, run_checks, summarise

# Checks that are off for prose but belong to software strings.
L10N_CHECKS = ("placeholders",)
# Checks with nothing to find in strings the file has aligned: the alignment check reports unaligned beads
# (additions, omissions) and low encoder similarity, and the identity alignment has neither; skipping it
# saves most of a cold run's time on large files (its page-furniture pass over every target string).
NOT_FOR_L10N = ("alignment",)
# Checks that see placeholders and tags; all others get them blanked out.
PROTECTED_BY = ("placeholders",)
MASK = "\u2060"
INPUT_CHECK = "input"
INPUT_CATEGORY = "input/unreadable"


class IdentityAligner:
    """Segment *i* of the source ↔ segment *i* of the target: the file already aligned them."""

    name = "identity"

    def align(
        self,
        source: Document,
        target: Document,
        source_language: Language,
        target_language: Language,
        glossary: Glossary | None = None,
    ) -> list[AlignedPair]:
        if len(source.segments) != len(target.segments):
            raise ValueError("identity alignment needs as many source as target segments")
        beads = [((index,), (index,)) for index in range(len(source.segments))]
        return make_pairs(beads, source.segments, target.segments)


def layout(texts: Sequence[str], lines: Sequence[int] | None = None) -> tuple[str, list[Segment]]:
    """Join unit texts into one document text, one segment per unit.

    With ``lines``, blank lines are inserted so that unit *i* starts on line ``lines[i]`` of the document
    whenever the order allows it (units are in file order; a unit that cannot go on its line follows the
    previous one on the next line).
    """
    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    line = 1
    for index, text in enumerate(texts):
        gap = 1 if index else 0
        if lines is not None:
            gap = max(gap, lines[index] - line)
        parts.append("\n" * gap)
        offset += gap
        line += gap
        segments.append(Segment(index, offset, offset + len(text), text, index))
        parts.append(text)
        offset += len(text)
        line += text.count("\n")
    return "".join(parts), segments


@dataclass
class FileResult:
    """What checking one bilingual file (or JSON file pair) gave: its report, or why it could not."""

    path: str
    report: Report
    format: str = ""
    units: list[BilingualUnit] = field(default_factory=list)
    checked: int = 0  # units checked in this run
    cached: int = 0  # units whose result came from the cache
    empty_targets: int = 0
    error: str | None = None  # the one-line problem when the file could not be read
    skipped: str | None = None  # why the file was not checked (unsupported language …)


@dataclass
class ScanSummary:
    files: int
    units: int
    checked: int
    cached: int
    empty_targets: int
    errors: int
    skipped: int
    findings: dict[str, int]
    passed: bool
    seconds: float


@dataclass
class ScanResult:
    files: list[FileResult]
    summary: ScanSummary

    def reports(self) -> list[tuple[str, Report]]:
        """``(path, Report)`` per file: what the per-document report formats render, one file at a time."""
        return [(result.path, result.report) for result in self.files if result.skipped is None]


def l10n_options(base: CheckOptions | None = None) -> CheckOptions:
    """The options for software strings: the defaults plus the checks that only make sense there."""
    options = base or CheckOptions()
    enabled = options.enabled_checks
    if enabled is None:
        enabled = {name for name, info in all_checks().items() if info.default_enabled}
    return replace(
        options,
        enabled_checks=(set(enabled) | set(L10N_CHECKS)) - set(NOT_FOR_L10N),
    )


class L10nChecker:
    """Checks bilingual files in one process: one glossary load per language pair, one scorer, one cache."""

    def __init__(
        self,
        *,
        options: CheckOptions | None = None,
        glossary_paths: Sequence[str | Path] = (),
        scorer=None,
        cache: ResultCache | None = None,
        source_lang: str | None = None,
        target_lang: str | None = None,
        include_fuzzy: bool = False,
    ) -> None:
        self.options = l10n_options(options)
        self.glossary_paths = [str(p) for p in glossary_paths]
        self.scorer = scorer
        self.cache = cache
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.include_fuzzy = include_fuzzy
        self._glossaries: dict[tuple[str, str], Glossary | None] = {}
        checks = all_checks()
        enabled = [
            info.function
            for name, info in checks.items()
            if name in (self.options.enabled_checks or ()) and name not in self.options.disabled_checks
        ]
        options_repr = repr(
            (
                sorted(self.options.enabled_checks or ()),
                sorted(self.options.disabled_checks),
                sorted((k, v.value) for k, v in self.options.severity_overrides.items()),
                sorted((k, repr(sorted(v.items()))) for k, v in self.options.check_settings.items()),
                # Ignore rules drop findings before they are cached.
                [repr(rule) for rule in getattr(self.options, "ignore", ())],
            )
        )
        self._check_version = check_version(enabled, options_repr)
        self._model_version = model_version(scorer)

    # -- reading -----------------------------------------------------------------------------------
    def read(self, path: str | Path) -> BilingualFile:
        # TMX and locale-column CSV hold several languages and need the choice; PO and XLIFF declare their
        # own target, which --target-lang then selects rather than overrides.
        selects = detect_format(path) in ("tmx", "csv")
        return read_bilingual(
            path,
            source_lang=self.source_lang,
            target_lang=self.target_lang if selects else None,
            include_fuzzy=self.include_fuzzy,
        )

    def glossary(self, source: Language, target: Language) -> Glossary | None:
        if not self.glossary_paths:
            return None
        key = (source.code, target.code)
        if key not in self._glossaries:
            from mtqa.glossary import load_glossaries

            try:
                self._glossaries[key] = load_glossaries(self.glossary_paths, source.code, target.code)
            except MtqaError as error:
                # A broken glossary is the run's problem (exit 2), not a finding of the file being checked.
                raise GlossaryError(str(error)) from None
        return self._glossaries[key]

    # -- checking ----------------------------------------------------------------------------------
    def check_path(self, path: str | Path) -> FileResult:
        """Read and check one bilingual file; a problem with the file becomes a finding of its result."""
        try:
            return self.check_file(self.read(path))
        except GlossaryError:
            raise
        except InputError as error:
            return error_result(str(path), error.problem)
        except MtqaError as error:
            return error_result(str(path), str(error))

    def check_file(self, bilingual: BilingualFile) -> FileResult:
        units = bilingual.units
        declared = bilingual.target_lang
        if self.target_lang and declared and _base(declared) != _base(self.target_lang):
            reason = f"target language {declared} (only {self.target_lang} chosen)"
            return skipped_result(bilingual.path, reason)
        try:
            source_language = _language(
                self.source_lang or bilingual.source_lang, [u.source for u in units], bilingual, "source"
            )
            target_language = _language(
                self.target_lang or bilingual.target_lang, [u.target for u in units], bilingual, "target"
            )
        except _Unsupported as unsupported:
            return skipped_result(bilingual.path, str(unsupported))
        if source_language.code == target_language.code:
            raise InputError(bilingual.path, f"source and target are both {source_language.name}")
        glossary = self.glossary(source_language, target_language)

        glossary_hash = glossary_version(glossary)
        keys = [
            unit_key(
                u.source,
                u.target,
                source_language.code,
                target_language.code,
                glossary_hash,
                self._check_version,
                self._model_version,
            )
            for u in units
        ]
        known = self.cache.get_many(keys) if self.cache is not None else {}
        todo = [index for index, key in enumerate(keys) if key not in known]
        fresh, loose = self._run(units, todo, source_language, target_language, glossary)
        if self.cache is not None:
            self.cache.put_many((keys[index], fresh[index]) for index in todo if fresh[index] is not None)
        payloads = [known.get(key) or fresh.get(index) or {} for index, key in enumerate(keys)]

        source_doc, target_doc = self._documents(bilingual, source_language, target_language)
        pairs = IdentityAligner().align(source_doc, target_doc, source_language, target_language)
        findings: list[Finding] = []
        scores: dict[int, PairScore] = {}
        for index, payload in enumerate(payloads):
            for stored in payload.get("findings", ()):
                findings.append(_absolute(stored, index, source_doc, target_doc))
            if payload.get("score"):
                adequacy, fluency, estimate = payload["score"]
                scores[index] = PairScore(adequacy=adequacy, fluency=fluency, estimate=estimate)
        findings.extend(loose)
        findings.sort(key=lambda f: (f.pair if f.pair is not None else -1, _offset(f), f.check))
        summary = (
            summarise(target_doc, pairs, findings, scores, self.options, target_language)
            if units
            else Summary(0, 0, {"critical": 0, "major": 0, "minor": 0}, 100.0, True)
        )
        report = Report(source_doc, target_doc, pairs, findings, summary, scores, glossary)
        return FileResult(
            path=bilingual.path,
            report=report,
            format=bilingual.format,
            units=units,
            checked=len(todo),
            cached=len(units) - len(todo),
            empty_targets=bilingual.empty_targets,
        )

    def _documents(self, bilingual: BilingualFile, source: Language, target: Language):
        units = bilingual.units
        separate_source = bilingual.source_path is not None
        source_lines = [(u.source_line or u.line) if separate_source else u.line for u in units]
        source_text, source_segments = layout([u.source for u in units], source_lines)
        target_text, target_segments = layout([u.target for u in units], [u.line for u in units])
        source_doc = Document(source_text, source.code, bilingual.source_path or bilingual.path)
        target_doc = Document(target_text, target.code, bilingual.path)
        source_doc.segments, target_doc.segments = source_segments, target_segments
        return source_doc, target_doc

    def _run(
        self,
        units: Sequence[BilingualUnit],
        todo: Sequence[int],
        source_language: Language,
        target_language: Language,
        glossary: Glossary | None,
    ) -> tuple[dict[int, dict], list[Finding]]:
        """Check the units not in the cache, as one document pair; payloads per unit index.

        Findings that cannot be tied to one unit (document-level ones without a span) are returned apart
        and not cached: they are only as true as the set of units checked this time.
        """
        if not todo:
            return {}, []
        source_text, source_segments = layout([units[i].source for i in todo])
        target_text, target_segments = layout([units[i].target for i in todo])
        source = Document(source_text, source_language.code, segments=source_segments)
        target = Document(target_text, target_language.code, segments=target_segments)
        pairs = IdentityAligner().align(source, target, source_language, target_language)
        scores: dict[int, PairScore] = {}
        if self.scorer is not None:
            scores = self.scorer.score(source, target, pairs, source_language, target_language)

        def context(source: Document, target: Document) -> CheckContext:
            return CheckContext(
                source=source,
                target=target,
                source_language=source_language,
                target_language=target_language,
                pairs=pairs,
                glossary=glossary,
                scores=scores,
                settings=self.options.check_settings,
            )

        # Placeholders and tags are code, not words: the placeholder check compares them, and every other
        # check sees them blanked out (same length, so offsets hold), or "{name}" would be an untranslated
        # name and "%1$s" a number. Spans are rebuilt from the real text afterwards.
        protected = set(PROTECTED_BY) & (self.options.enabled_checks or set())
        findings = run_checks(context(source, target), self._only(protected)) if protected else []
        masked_source = _masked(source)
        masked_target = _masked(target)
        rest = replace(self.options, disabled_checks=self.options.disabled_checks | protected)
        findings += run_checks(context(masked_source, masked_target), rest)
        payloads: dict[int, dict] = {index: {"findings": [], "score": None} for index in todo}
        for position, index in enumerate(todo):
            score = scores.get(position)
            if score is not None:
                payloads[index]["score"] = [score.adequacy, score.fluency, score.estimate]
        loose: list[Finding] = []
        starts = [s.start for s in target_segments]
        source_starts = [s.start for s in source_segments]
        for finding in findings:
            position = _unit_of(finding, starts, source_starts)
            relative = None
            if position is not None:
                relative = _relative(finding, position, source_segments, target_segments)
            if relative is None:
                loose.append(Finding(finding.check, finding.category, finding.severity, finding.message,
                                     finding.suggestion))
            else:
                payloads[todo[position]]["findings"].append(relative)
        return payloads, loose


    def _only(self, names: set[str]) -> CheckOptions:
        return replace(self.options, enabled_checks=names)


def _masked(document: Document) -> Document:
    """The document with codes masked in its text and in its segments' texts (checks read both)."""
    text = mask_codes(document.text)
    segments = [
        Segment(s.id, s.start, s.end, text[s.start : s.end], s.paragraph) for s in document.segments
    ]
    return Document(text, document.lang, document.path, segments=segments)


def mask_codes(text: str) -> str:
    """``text`` with every placeholder and inline tag blanked out, keeping its length.

    The blank is U+2060 WORD JOINER: not a letter, digit, space or punctuation mark to any check, so
    "Uploaded {{count}} files" shows neither a name nor a doubled space. An ICU plural/select keeps the
    text of its branches; its argument, keywords, braces and ``#`` go.
    """
    from mtqa.checks.placeholders import find_tokens

    tokens = find_tokens(text)
    if not tokens:
        return text
    chars = list(text)
    for token in tokens:
        if token.kind != "icu":
            for index in range(token.start, token.end):
                if chars[index] != "\n":
                    chars[index] = MASK
            continue
        depth = 0
        for index in range(token.start, token.end):
            char = text[index]
            if char == "{":
                depth += 1
            if depth <= 1 or char in "{}#":
                chars[index] = MASK
            if char == "}":
                depth -= 1
    return "".join(chars)


class GlossaryError(MtqaError):
    """The glossary cannot be used for a file's language pair: ends the run (exit 2)."""


class _Unsupported(Exception):
    pass


def _language(code: str | None, texts: Sequence[str], bilingual: BilingualFile, side: str) -> Language:
    if not code:
        code = detect_language("\n".join(texts[:500]))
        if code is None:
            if not texts:
                return get_language("en" if side == "source" else "zh")  # nothing to check either way
            raise InputError(bilingual.path, f"cannot detect the {side} language; give --{side}-lang")
    try:
        return get_language(code)
    except MtqaError:
        raise _Unsupported(f"{side} language {code!r} is not supported") from None


def _unit_of(finding: Finding, target_starts: list[int], source_starts: list[int]) -> int | None:
    if finding.pair is not None:
        return finding.pair
    if finding.target_span is not None:
        return max(bisect.bisect_right(target_starts, finding.target_span.start) - 1, 0)
    if finding.source_span is not None:
        return max(bisect.bisect_right(source_starts, finding.source_span.start) - 1, 0)
    return None


def _relative(finding: Finding, position: int, source_segments, target_segments) -> dict | None:
    """The finding with spans relative to its unit's strings, or None when a span leaves the unit."""

    def relative(span: Span | None, segment: Segment) -> list[int] | bool | None:
        if span is None:
            return None
        start, end = span.start - segment.start, span.end - segment.start
        if start < 0 or end > len(segment.text) or start > end:
            return False
        return [start, end]

    if position >= len(target_segments):
        return None
    source = relative(finding.source_span, source_segments[position])
    target = relative(finding.target_span, target_segments[position])
    if source is False or target is False:
        return None
    return {
        "check": finding.check,
        "category": finding.category,
        "severity": finding.severity.value,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "source": source,
        "target": target,
    }


def _absolute(stored: dict, index: int, source: Document, target: Document) -> Finding:
    def span(document: Document, offsets) -> Span | None:
        if not offsets:
            return None
        segment = document.segments[index]
        return Span.of(document.text, segment.start + offsets[0], segment.start + offsets[1])

    return Finding(
        check=stored["check"],
        category=stored["category"],
        severity=Severity(stored["severity"]),
        message=stored["message"],
        suggestion=stored.get("suggestion"),
        pair=index,
        source_span=span(source, stored.get("source")),
        target_span=span(target, stored.get("target")),
    )


def _offset(finding: Finding) -> int:
    if finding.target_span is not None:
        return finding.target_span.start
    return finding.source_span.start if finding.source_span is not None else -1


def skipped_result(path: str, reason: str) -> FileResult:
    """A file not checked on purpose (a language not chosen or not supported): it passes, with the reason."""
    summary = Summary(0, 0, {"critical": 0, "major": 0, "minor": 0}, 100.0, True)
    report = Report(Document("", "und", path), Document("", "und", path), [], [], summary)
    return FileResult(path=path, report=report, skipped=reason)


def error_result(path: str, problem: str) -> FileResult:
    """A file that could not be read: a report with one critical finding, so every format shows it."""
    finding = Finding(INPUT_CHECK, INPUT_CATEGORY, Severity.CRITICAL, problem)
    document = Document("", "und", path)
    summary = Summary(0, 0, {"critical": 1, "major": 0, "minor": 0}, 0.0, False)
    report = Report(Document("", "und", path), document, [], [finding], summary)
    return FileResult(path=path, report=report, error=problem)


# -- finding the files of a repository --------------------------------------------------------------

_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mtqa-cache"}
GLOSSARY_NAMES = ("glossary.tsv", "glossary.csv", "glossary.tbx")

# ISO 639-1 codes: a path part is a locale only if its language part is one of these (so that "src/",
# "app/" or "lib/" are never taken for locales).
_ISO_639_1_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de "
    "dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id "
    "ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu "
    "lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu "
    "rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr "
    "ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu "
)
_ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
_LOCALE = re.compile(r"^([a-z]{2})(?:[-_]([A-Za-z]{2}|[A-Z][a-z]{3}|\d{3}))*$")
_SUFFIX_LOCALE = re.compile(r"^(?P<stem>.+?)[._-](?P<locale>[a-z]{2}(?:[-_](?:[A-Z]{2}|[A-Z][a-z]{3}))?)$")


def locale_of(part: str) -> str | None:
    match = _LOCALE.match(part)
    return part if match and match.group(1) in _ISO_639_1 else None


def locale_group(path: Path, root: Path) -> tuple[str, str] | None:
    """``(group, locale)`` of a monolingual JSON string file by locale naming conventions, else None.

    ``en/common.json`` and ``zh/common.json`` share the group ``{locale}/common.json``; so do
    ``messages_en.json``/``messages_zh.json`` (also ``.en.json``, ``-en.json``) and ``en.json``/``zh.json``.
    """
    relative = path.relative_to(root)
    parts = list(relative.parts)
    stem = path.stem
    if locale_of(stem):
        return "/".join([*parts[:-1], "{locale}" + path.suffix]), stem
    match = _SUFFIX_LOCALE.match(stem)
    if match and locale_of(match.group("locale")):
        name = f"{match.group('stem')}{{sep}}{{locale}}{path.suffix}"
        return "/".join([*parts[:-1], name]), match.group("locale")
    for index in range(len(parts) - 2, -1, -1):
        if locale_of(parts[index]):
            return "/".join([*parts[:index], "{locale}", *parts[index + 1 :]]), parts[index]
    return None


@dataclass
class RepoFiles:
    bilingual: list[Path] = field(default_factory=list)
    # group → {locale: path} for monolingual JSON string files
    json_groups: dict[str, dict[str, Path]] = field(default_factory=dict)
    glossaries: list[Path] = field(default_factory=list)


def discover(root: Path) -> RepoFiles:
    """The localisation files under ``root``, by extension and (for ``.xml``/``.csv``) by content."""
    found = RepoFiles()
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(directory) / name
            if Path(directory) == root and name.lower() in GLOSSARY_NAMES:
                found.glossaries.append(path)
                continue
            suffix = path.suffix.lower()
            if suffix == ".json":
                group = locale_group(path, root)
                if group:
                    found.json_groups.setdefault(group[0], {})[group[1]] = path
                continue
            format_name = detect_format(path)
            if format_name is None:
                continue
            if format_name == "csv" and not _is_string_table(path):
                continue
            found.bilingual.append(path)
    return found


def _is_string_table(path: Path) -> bool:
    """Is a CSV/TSV a table of strings (source/target or locale columns), not a glossary or other data?"""
    from mtqa.formats.csvpairs import is_glossary_header

    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return True  # let the reader report the problem
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    header = [c.strip().strip('"') for c in first.split(delimiter)]
    if is_glossary_header(header):
        return False
    lowered = {c.lower() for c in header}
    return {"source", "target"} <= lowered or sum(1 for c in header if locale_of(c)) >= 2


def changed_files(root: Path, revision: str) -> set[Path]:
    """Files that differ from ``revision`` (committed since, staged or not) plus untracked ones."""

    def git(*args: str) -> list[str]:
        try:
            completed = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=60
            )
        except FileNotFoundError:
            raise MtqaError("--changed-since needs git, which is not installed") from None
        if completed.returncode != 0:
            problem = completed.stderr.strip().splitlines()[-1:] or ["git failed"]
            raise MtqaError(f"--changed-since {revision}: {problem[0]}")
        return [line for line in completed.stdout.splitlines() if line]

    top = Path(git("rev-parse", "--show-toplevel")[0])
    # diff prints paths from the top of the work tree, ls-files from the directory it runs in.
    paths = {(top / name).resolve() for name in git("diff", "--name-only", revision, "--")}
    paths |= {(root / name).resolve() for name in git("ls-files", "--others", "--exclude-standard")}
    return paths


def collect(roots: Sequence[Path]) -> RepoFiles:
    """The files under ``roots`` (directories, or files as pre-commit passes them)."""
    collected = RepoFiles()
    for root in roots:
        if root.is_dir():
            found = discover(root)
            collected.bilingual += found.bilingual
            collected.glossaries += found.glossaries
            for group, members in found.json_groups.items():
                collected.json_groups.setdefault(f"{root}::{group}", {}).update(members)
        elif root.suffix.lower() == ".json":
            # A single JSON file: its partners in the other locales are found from the working directory.
            # Relative to the working directory, as the path was given (reports show paths as given).
            base = Path(".") if _inside(root, Path.cwd()) else root.parent
            for group, members in discover(base).json_groups.items():
                if any(_same(root, member) for member in members.values()):
                    collected.json_groups.setdefault(f"{base}::{group}", {}).update(members)
        elif root.name.lower() in GLOSSARY_NAMES:
            continue
        elif detect_format(root) == "csv" and root.exists() and not _is_string_table(root):
            continue  # a glossary or a data table staged with the strings: not ours to check
        else:
            collected.bilingual.append(root)
    if not collected.glossaries and any(not root.is_dir() for root in roots):
        # Files alone (a pre-commit hook passes the staged ones): the repository's glossary is the one
        # at the top, where the hook runs.
        collected.glossaries = [Path(name) for name in GLOSSARY_NAMES if Path(name).is_file()]
    return collected


def pair_json(
    groups: dict[str, dict[str, Path]], source_locale: str, target_lang: str | None
) -> tuple[list[tuple[Path, Path, str, str]], list[Path]]:
    """``(source file, target file, source locale, target locale)`` pairs, and files with no source."""
    pairs: list[tuple[Path, Path, str, str]] = []
    unpaired: list[Path] = []
    for members in groups.values():
        by_base = {_base(locale): (locale, path) for locale, path in members.items()}
        if _base(source_locale) not in by_base:
            unpaired.extend(members.values())
            continue
        source_code, source_path = by_base[_base(source_locale)]
        for locale, path in sorted(members.items()):
            if _base(locale) == _base(source_locale):
                continue
            if target_lang and _base(locale) != _base(target_lang):
                continue
            pairs.append((source_path, path, source_code, locale))
    return pairs, unpaired


def source_locale(groups: dict[str, dict[str, Path]], source_lang: str | None, hint: str | None) -> str:
    """The JSON source locale: ``--source-lang``, else the source language the repository's bilingual
    files declare most, else English when present; otherwise the user has to say.
    """
    if source_lang:
        return source_lang
    if hint:
        return hint
    locales = {_base(locale) for members in groups.values() for locale in members}
    if "en" in locales:
        return "en"
    raise MtqaError(
        f"cannot tell which locale of the JSON string files is the source ({', '.join(sorted(locales))}); "
        "give --source-lang"
    )


def _base(code: str) -> str:
    return code.lower().replace("_", "-").split("-")[0]


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def scan(
    paths: Sequence[str | Path],
    *,
    options: CheckOptions | None = None,
    glossary_paths: Sequence[str | Path] = (),
    scorer=None,
    cache_dir: str | Path | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
    changed_since: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScanResult:
    """Check every localisation file under ``paths`` in one process; see the README section "l10n"."""
    started = time.perf_counter()
    roots = [Path(p) for p in paths]
    for root in roots:
        if not root.exists():
            raise InputError(str(root), "no such file or directory")
    only: set[Path] | None = None
    if changed_since:
        only = changed_files(roots[0] if roots[0].is_dir() else roots[0].parent, changed_since)

    found = collect(roots)
    glossaries = [Path(p) for p in glossary_paths] or found.glossaries[:1]
    tables = [p for p in glossaries if p.suffix.lower() not in (".tbx", ".xml")]
    if tables:
        # A broken glossary is a usage error for the whole run (exit 2), found before any file is read. TBX
        # files are read per language pair, when the first file of that pair is checked.
        from mtqa.glossary import load_glossaries

        load_glossaries([str(p) for p in tables])
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    try:
        checker = L10nChecker(
            options=options,
            glossary_paths=glossaries,
            scorer=scorer,
            cache=cache,
            source_lang=source_lang,
            target_lang=target_lang,
            include_fuzzy=include_fuzzy,
        )
        files: list[FileResult] = []
        # Bilingual files first: the source language they declare tells which JSON locale is the source.
        declared_sources: list[str] = []
        for path in found.bilingual:
            if only is not None and path.resolve() not in only:
                if found.json_groups and not source_lang:
                    # Not checked this time, but its source language still decides the JSON direction,
                    # so that --changed-since pairs the JSON files as a full scan does.
                    declared = _source_language_of(checker, path)
                    if declared:
                        declared_sources.append(declared)
                continue
            if progress:
                progress(str(path))
            result = checker.check_path(path)
            files.append(result)
            if result.units and result.skipped is None:
                declared_sources.append(result.report.source.lang)
        if found.json_groups:
            locale = source_locale(found.json_groups, source_lang, _majority(declared_sources))
            pairs, _unpaired = pair_json(found.json_groups, locale, target_lang)
            for source_path, target_path, source_code, target_code in pairs:
                if only is not None and not {source_path.resolve(), target_path.resolve()} & only:
                    continue
                if progress:
                    progress(str(target_path))
                files.append(_check_json_pair(checker, source_path, target_path, source_code, target_code))
    finally:
        if cache is not None:
            cache.close()
    return ScanResult(files, summarise_scan(files, time.perf_counter() - started))


def scan_json_pair(
    source_path: str | Path,
    target_path: str | Path,
    *,
    options: CheckOptions | None = None,
    glossary_paths: Sequence[str | Path] = (),
    scorer=None,
    cache_dir: str | Path | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> ScanResult:
    """Check a source-locale JSON file against a target-locale one (``mtqa check en.json zh.json``)."""
    started = time.perf_counter()
    source_path, target_path = Path(source_path), Path(target_path)
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    try:
        checker = L10nChecker(options=options, glossary_paths=glossary_paths, scorer=scorer, cache=cache)
        source = source_lang or _path_locale(source_path)
        target = target_lang or _path_locale(target_path)
        files = [_check_json_pair(checker, source_path, target_path, source, target)]
    finally:
        if cache is not None:
            cache.close()
    return ScanResult(files, summarise_scan(files, time.perf_counter() - started))


def _path_locale(path: Path) -> str | None:
    group = locale_group(path.resolve(), Path(path.resolve().anchor))
    return group[1] if group else None


def _check_json_pair(
    checker: L10nChecker, source_path: Path, target_path: Path, source: str | None, target: str | None
) -> FileResult:
    from mtqa.formats.jsonpairs import read_pair

    try:
        bilingual = read_pair(source_path, target_path, source_lang=source, target_lang=target)
        return checker.check_file(bilingual)
    except GlossaryError:
        raise
    except InputError as error:
        return error_result(error.path or str(target_path), error.problem)
    except MtqaError as error:
        return error_result(str(target_path), str(error))


def _source_language_of(checker: L10nChecker, path: Path) -> str | None:
    try:
        bilingual = checker.read(path)
    except MtqaError:
        return None
    if bilingual.source_lang:
        return _base(bilingual.source_lang)
    return detect_language("\n".join(u.source for u in bilingual.units[:500]))


def _majority(codes: Iterable[str]) -> str | None:
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None


def summarise_scan(files: Sequence[FileResult], seconds: float) -> ScanSummary:
    findings = {"critical": 0, "major": 0, "minor": 0}
    for result in files:
        if result.skipped is None:
            for severity, count in result.report.summary.findings.items():
                findings[severity] = findings.get(severity, 0) + count
    checked_files = [r for r in files if r.skipped is None]
    return ScanSummary(
        files=len(checked_files),
        units=sum(len(r.units) for r in files),
        checked=sum(r.checked for r in files),
        cached=sum(r.cached for r in files),
        empty_targets=sum(r.empty_targets for r in files),
        errors=sum(1 for r in files if r.error),
        skipped=sum(1 for r in files if r.skipped),
        findings=findings,
        passed=all(r.report.summary.passed for r in checked_files),
        seconds=round(seconds, 3),
    )
