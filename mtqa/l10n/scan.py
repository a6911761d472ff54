"""A scan: every localisation file under some paths checked in one process (one glossary load per language
pair, one scorer, one cache), and the summary over the files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mtqa.data import Report, Signature
from mtqa.errors import InputError, MtqaError
from mtqa.l10n.cache import ResultCache
from mtqa.l10n.checker import FileResult, GlossaryError, L10nChecker, error_result
from mtqa.l10n.discover import base_locale as _base
from mtqa.l10n.discover import changed_files, collect, locale_group, pair_json, source_locale
from mtqa.languages import detect_language
from mtqa.pipeline import CheckOptions


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
    signature: Signature | None = None  # what checked the files (one checker for all)

    def reports(self) -> list[tuple[str, Report]]:
        """``(path, Report)`` per file: what the per-document report formats render, one file at a time."""
        return [(result.path, result.report) for result in self.files if result.skipped is None]



def scan(
    paths: Sequence[str | Path],
    *,
    options: CheckOptions | None = None,
    glossary_paths: Sequence[str | Path] = (),
    glossary_encoding: str | None = None,
    scorer=None,
    cache_dir: str | Path | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
    changed_since: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScanResult:
    """Check every localisation file under ``paths`` in one process; see docs/localisation.md."""
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

        load_glossaries([str(p) for p in tables], encoding=glossary_encoding)
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    try:
        checker = L10nChecker(
            options=options,
            glossary_paths=glossaries,
            glossary_encoding=glossary_encoding,
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
    return ScanResult(files, summarise_scan(files, time.perf_counter() - started), checker.signature)


def scan_json_pair(
    source_path: str | Path,
    target_path: str | Path,
    *,
    options: CheckOptions | None = None,
    glossary_paths: Sequence[str | Path] = (),
    glossary_encoding: str | None = None,
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
        checker = L10nChecker(options=options, glossary_paths=glossary_paths,
                              glossary_encoding=glossary_encoding, scorer=scorer, cache=cache)
        source = source_lang or _path_locale(source_path)
        target = target_lang or _path_locale(target_path)
        files = [_check_json_pair(checker, source_path, target_path, source, target)]
    finally:
        if cache is not None:
            cache.close()
    return ScanResult(files, summarise_scan(files, time.perf_counter() - started), checker.signature)


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
