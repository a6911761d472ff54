"""Checking one localisation file: every string goes through the same checks as a sentence pair.

A file's units are already aligned, so instead of segmenting and aligning, each file becomes one source
``Document`` and one target ``Document`` with one segment per unit and a 1-1 ``IdentityAligner``; the
registered checks (terminology, numbers, untranslated, placeholders, the model's scores) then run once
over the whole file. The documents are laid out so that each unit's text starts on the line where the
file has it, which makes ``Document.line_col`` — and so every report format — point at the file's line.

Only the units the incremental cache does not know are checked; the others' findings come from the cache.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
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
from mtqa.formats import BilingualFile, BilingualUnit, detect_format, format_info, read_bilingual
from mtqa.l10n.cache import ResultCache, glossary_version, unit_key
from mtqa.l10n.discover import base_locale as _base
from mtqa.languages import Language, detect_language, get_language
from mtqa.pipeline import (
    CheckOptions,
    Prepared,
    align,
    check_context,
    enabled_checks,
    report_signature,
    run_checks,
    score,
    summarise,
)
from mtqa.signature import check_version, model_version

# Checks that are off for prose but belong to software strings.
L10N_CHECKS = ("placeholders",)
# Checks with nothing to find in strings the file has aligned: the alignment check reports unaligned beads
# (additions, omissions) and low encoder similarity, and the identity alignment has neither; skipping it
# saves most of a cold run's time on large files (its page-furniture pass over every target string).
NOT_FOR_L10N = ("alignment",)
# Checks that see placeholders and tags; all others get them blanked out.
PROTECTED_BY = ("placeholders",)
# Checks whose input is more than a unit's texts (the length check reads the file's maxwidth): run on every
# unit on every run, never cached, since the cache key knows only the texts.
UNCACHED = ("length",)
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
        glossary_encoding: str | None = None,
        scorer=None,
        cache: ResultCache | None = None,
        source_lang: str | None = None,
        target_lang: str | None = None,
        include_fuzzy: bool = False,
    ) -> None:
        self.options = l10n_options(options)
        self.glossary_paths = [str(p) for p in glossary_paths]
        self.glossary_encoding = glossary_encoding
        self.scorer = scorer
        self.cache = cache
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.include_fuzzy = include_fuzzy
        self._glossaries: dict[tuple[str, str], Glossary | None] = {}
        enabled = [info.function for info in enabled_checks(self.options).values()]
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
        self.signature = report_signature(IdentityAligner(), scorer, self.options)

    # -- reading -----------------------------------------------------------------------------------
    def read(self, path: str | Path) -> BilingualFile:
        # TMX and locale-column CSV hold several languages and need the choice; PO and XLIFF declare their
        # own target, which --target-lang then selects rather than overrides.
        format_name = detect_format(path)
        selects = format_name is not None and format_info(format_name).multilingual
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
                self._glossaries[key] = load_glossaries(self.glossary_paths, source.code, target.code,
                                                        self.glossary_encoding)
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
        pairs = align(Prepared(source_doc, target_doc, source_language, target_language), IdentityAligner())
        findings: list[Finding] = []
        scores: dict[int, PairScore] = {}
        for index, payload in enumerate(payloads):
            for stored in payload.get("findings", ()):
                findings.append(_absolute(stored, index, source_doc, target_doc))
            if payload.get("score"):
                adequacy, fluency, estimate = payload["score"]
                scores[index] = PairScore(adequacy=adequacy, fluency=fluency, estimate=estimate)
        findings.extend(loose)
        findings.extend(self._uncached(units, source_doc, target_doc, pairs, source_language, target_language,
                                       glossary))
        findings = [f for f in findings if not suppressed(f, units)]
        findings.sort(key=lambda f: (f.pair if f.pair is not None else -1, _offset(f), f.check))
        summary = (
            summarise(target_doc, pairs, findings, scores, self.options, target_language)
            if units
            else Summary(0, 0, {"critical": 0, "major": 0, "minor": 0}, 100.0, True)
        )
        report = Report(source_doc, target_doc, pairs, findings, summary, scores, glossary, self.signature)
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
        prepared = Prepared(source, target, source_language, target_language)
        pairs = align(prepared, IdentityAligner())
        scores = score(prepared, pairs, self.scorer)

        def context(source: Document, target: Document) -> CheckContext:
            return check_context(Prepared(source, target, source_language, target_language), pairs, scores,
                                 glossary, self.options)

        # Placeholders and tags are code, not words: the placeholder check compares them, and every other
        # check sees them blanked out (same length, so offsets hold), or "{name}" would be an untranslated
        # name and "%1$s" a number. Spans are rebuilt from the real text afterwards.
        protected = set(PROTECTED_BY) & (self.options.enabled_checks or set())
        findings = run_checks(context(source, target), self._only(protected)) if protected else []
        masked_source = _masked(source)
        masked_target = _masked(target)
        rest = replace(self.options, disabled_checks=self.options.disabled_checks | protected | set(UNCACHED))
        findings += run_checks(context(masked_source, masked_target), rest)
        payloads: dict[int, dict] = {index: {"findings": [], "score": None} for index in todo}
        for position, index in enumerate(todo):
            pair_score = scores.get(position)
            if pair_score is not None:
                payloads[index]["score"] = [pair_score.adequacy, pair_score.fluency, pair_score.estimate]
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


    def _uncached(self, units, source_doc: Document, target_doc: Document, pairs, source_language: Language,
                  target_language: Language, glossary: Glossary | None) -> list[Finding]:
        names = set(UNCACHED) & set(enabled_checks(self.options))
        if not names or not units:
            return []
        # Per unit, the limit the file sets, in the units the length check can measure.
        limits = {index: (unit.max_width, unit.size_unit) for index, unit in enumerate(units)
                  if unit.max_width and unit.size_unit in ("char", "byte")}
        settings = dict(self.options.check_settings)
        settings["length"] = {**settings.get("length", {}), "pair_limits": limits}
        options = replace(self.options, enabled_checks=names, check_settings=settings)
        prepared = Prepared(source_doc, target_doc, source_language, target_language)
        return run_checks(check_context(prepared, pairs, {}, glossary, options), options)

    def _only(self, names: set[str]) -> CheckOptions:
        return replace(self.options, enabled_checks=names)


# "mtqa: ignore terminology, numbers" (or "mtqa: ignore" for every check) in a PO comment or an XLIFF note.
_SUPPRESS = re.compile(r"mtqa:\s*ignore\b([\w\s,]*)", re.IGNORECASE)


def suppressions(unit: BilingualUnit) -> set[str] | None:
    """The checks a unit's comments or notes silence: a set of names, {"*"} for all, None for none."""
    found: set[str] = set()
    for note in unit.notes:
        for match in _SUPPRESS.finditer(note):
            names = {name for name in re.split(r"[\s,]+", match.group(1).strip()) if name}
            found |= names or {"*"}
    return found or None


def suppressed(finding: Finding, units: Sequence[BilingualUnit]) -> bool:
    """A finding on a unit whose translator comment or note says ``mtqa: ignore CHECK``: the translator has
    decided, in the file, where the next translator sees it too."""
    if finding.pair is None or finding.pair >= len(units):
        return False
    names = suppressions(units[finding.pair])
    return names is not None and ("*" in names or finding.check in names)


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
        "probability": finding.probability,
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
        probability=stored.get("probability"),
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
