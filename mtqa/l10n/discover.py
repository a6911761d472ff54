"""Finding the localisation files of a repository: bilingual files by extension (and content), monolingual
JSON string files paired by locale naming conventions, the glossary at the top, files changed since a
revision.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import MtqaError
from mtqa.formats import detect_format, format_info

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
            if format_info(format_name).tabular and not _is_string_table(path):
                continue
            found.bilingual.append(path)
    return found


def _tabular(path: Path) -> bool:
    format_name = detect_format(path)
    return format_name is not None and format_info(format_name).tabular


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
        elif _tabular(root) and root.exists() and not _is_string_table(root):
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
        by_base = {base_locale(locale): (locale, path) for locale, path in members.items()}
        if base_locale(source_locale) not in by_base:
            unpaired.extend(members.values())
            continue
        source_code, source_path = by_base[base_locale(source_locale)]
        for locale, path in sorted(members.items()):
            if base_locale(locale) == base_locale(source_locale):
                continue
            if target_lang and base_locale(locale) != base_locale(target_lang):
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
    locales = {base_locale(locale) for members in groups.values() for locale in members}
    if "en" in locales:
        return "en"
    raise MtqaError(
        f"cannot tell which locale of the JSON string files is the source ({', '.join(sorted(locales))}); "
        "give --source-lang"
    )


def base_locale(code: str) -> str:
    """The language part of a locale code: ``zh_CN`` → ``zh``."""
    return code.lower().replace("_", "-").split("-")[0]


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def is_localisation_input(paths) -> bool:
    """Do ``mtqa check`` PATHS name localisation files (bilingual files, directories, two JSON files)?"""
    paths = [Path(p) for p in paths]
    if any(p.suffix.lower() == ".txt" for p in paths):
        # A plain-text document is checked against its translation (a directory beside it is a mistake,
        # which the document path reports).
        return False
    if any(p.is_dir() for p in paths) or two_json_files(paths):
        return True
    return any(detect_format(p) is not None for p in paths if p.suffix.lower() != ".txt")


def two_json_files(paths) -> bool:
    return len(paths) == 2 and all(Path(p).suffix.lower() == ".json" for p in paths)
