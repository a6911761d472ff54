"""Bilingual localisation files → ``BilingualUnit``s: one already-aligned source/target string per unit.

Each format module exposes ``read(path, ...) -> BilingualFile``; the registry ``FORMATS`` below names the
formats, their extensions and readers, and picks the reader by extension and, for ``.xml``, by the root
element. A new format is one module and one ``register_format`` call. Monolingual
key-value JSON needs two files (a source-locale and a target-locale one); ``mtqa.formats.jsonpairs``
reads such a pair, and ``mtqa.l10n`` finds the pairs by locale naming conventions.

Files are opened read-only and never written. Everything that can go wrong with an input raises
``InputError`` with one line naming the file.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import InputError
from mtqa.textio import MAX_STRING_FILE_BYTES, check_size, decode
from mtqa.textio import read_limited as _read_limited

MAX_FILE_BYTES = MAX_STRING_FILE_BYTES


@dataclass(frozen=True)
class BilingualUnit:
    """One translatable string with its translation, as a localisation file holds it."""

    key: str  # msgid/msgctxt, trans-unit id, JSON key path, CSV key column …
    source: str
    target: str
    path: str  # file the target text lives in
    line: int  # 1-based line of the target text (or of the entry) in ``path``
    source_path: str | None = None  # when the source lives in another file (JSON pairs)
    source_line: int | None = None
    context: str = ""  # msgctxt, XLIFF resname, Chrome-extension description …
    state: str = ""  # XLIFF state, "fuzzy" for fuzzy PO entries
    fuzzy: bool = False
    notes: tuple[str, ...] = ()
    # A length limit the file sets (XLIFF 1.2 maxwidth) and its unit (char, byte, pixel …); None: none.
    max_width: int | None = None
    size_unit: str = ""


@dataclass
class BilingualFile:
    """The units read from one file (or one source/target file pair) and the languages the file declares."""

    path: str
    format: str
    units: list[BilingualUnit] = field(default_factory=list)
    source_lang: str | None = None  # as declared by the file, None when it says nothing
    target_lang: str | None = None
    source_path: str | None = None  # JSON pairs: the source-locale file
    # Entries without a translation yet (empty msgstr/target): not checked, counted for the summary.
    empty_targets: int = 0


Reader = Callable[..., BilingualFile]


def read_limited(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A localisation file's bytes: ``textio.read_limited`` with the string-file limit."""
    return _read_limited(path, max_bytes)


def read_text_limited(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Decoded text with normalised line ends (so that line numbers count as editors count them)."""
    text, _ = decode(read_limited(path, max_bytes), str(path))
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class FormatInfo:
    """One bilingual file format: how to recognise its files and which function reads them.

    ``reader`` is the function, or ``"module:function"`` imported on first use (so that listing the
    formats loads no parser). ``xml_roots``: a ``.xml`` file is of this format when its root element has
    one of these names. ``multilingual``: a file may hold several target languages, which
    ``--target-lang`` selects (TMX, locale-column CSV); other formats declare their one target.
    ``tabular``: files with these extensions may also be glossaries or data tables, so discovery looks at
    the header before taking one for strings.
    """

    name: str
    label: str  # for messages: "PO", "CSV/TSV"
    extensions: tuple[str, ...]
    reader: Reader | str
    xml_roots: tuple[str, ...] = ()
    multilingual: bool = False
    tabular: bool = False

    def read(self) -> Reader:
        if callable(self.reader):
            return self.reader
        module, _, function = self.reader.partition(":")
        return getattr(importlib.import_module(module), function)


# The registry of bilingual formats, by name; ``register_format`` adds one (a plugin, a test).
FORMATS: dict[str, FormatInfo] = {}


def register_format(info: FormatInfo) -> FormatInfo:
    FORMATS[info.name] = info
    return info


for _info in (
    FormatInfo("po", "PO", (".po", ".pot"), "mtqa.formats.po:read"),
    FormatInfo("xliff", "XLIFF", (".xlf", ".xliff"), "mtqa.formats.xliff:read", xml_roots=("xliff",)),
    FormatInfo("tmx", "TMX", (".tmx",), "mtqa.formats.tmx:read", xml_roots=("tmx",), multilingual=True),
    FormatInfo("csv", "CSV/TSV", (".csv", ".tsv"), "mtqa.formats.csvpairs:read", multilingual=True,
               tabular=True),
):
    register_format(_info)

# Monolingual key-value files: a pair of them (source locale, target locale) is read by ``jsonpairs``.
MONOLINGUAL: dict[str, str] = {".json": "json"}


def format_info(name: str) -> FormatInfo:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"no reader for format {name!r}") from None


def detect_format(path: str | Path, head: bytes | None = None) -> str | None:
    """Format name of a bilingual file by extension, or by its root element for ``.xml`` files; else None."""
    suffix = Path(path).suffix.lower()
    for info in FORMATS.values():
        if suffix in info.extensions:
            return info.name
    if suffix == ".xml":
        roots = {root: info.name for info in FORMATS.values() for root in info.xml_roots}
        if not roots:
            return None
        if head is None:
            try:
                with open(path, "rb") as handle:
                    head = handle.read(4096)
            except OSError:
                return None
        names = "|".join(re.escape(root) for root in roots)
        match = re.search(rb"<(?:[\w.-]+:)?(" + names.encode() + rb")\b", head)
        if match:
            return roots[match.group(1).decode()]
    return None


def reader_for(format_name: str) -> Reader:
    return format_info(format_name).read()


def read_bilingual(
    path: str | Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> BilingualFile:
    """Read any supported bilingual file; raises InputError for unsupported or malformed files."""
    format_name = detect_format(path)
    if format_name is None:
        check_size(path, MAX_FILE_BYTES)
        known = ", ".join(info.label for info in FORMATS.values())
        raise InputError(str(path), f"not a supported bilingual file ({known})")
    return reader_for(format_name)(
        path, source_lang=source_lang, target_lang=target_lang, include_fuzzy=include_fuzzy
    )


__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MONOLINGUAL",
    "BilingualFile",
    "BilingualUnit",
    "FormatInfo",
    "check_size",
    "detect_format",
    "format_info",
    "read_bilingual",
    "read_limited",
    "read_text_limited",
    "reader_for",
    "register_format",
]
