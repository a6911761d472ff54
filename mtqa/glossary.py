"""Glossaries: TSV/CSV files with a ``source target forbidden note`` header, and TBX (TermBase eXchange).

Every problem with a glossary file ends the run with one ``InputError`` line naming the file (and the line
where there is one): a missing column, an empty source term, binary or undecodable bytes, malformed XML, an
XML entity declaration (entity-expansion bombs, external entities), a glossary without entries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from mtqa.data import Glossary, GlossaryEntry
from mtqa.errors import InputError
from mtqa.textio import read_text

REQUIRED_COLUMNS = ("source", "target")
OPTIONAL_COLUMNS = ("forbidden", "note")

# TBX administrativeStatus / normativeAuthorization values, grouped by what they mean for a translation.
# TBX-Basic writes "deprecatedTerm-admn-sts", normativeAuthorization "deprecatedTerm", some exports plain
# "deprecated"; all reduce to the word before "Term".
_FORBIDDEN_STATUS = {"deprecated", "superseded", "notrecommended", "forbidden", "obsolete"}
_PREFERRED_STATUS = {"preferred", "standardized", "legal", "regulated"}
_ADMITTED_STATUS = {"admitted"}
_STATUS_TYPES = {"administrativestatus", "normativeauthorization"}

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def load_glossary(path: str | Path, source_lang: str = "zh", target_lang: str = "en",
                  encoding: str | None = None) -> Glossary:
    """Read one glossary file; the format follows the extension (``.tbx``/``.xml`` → TBX, else TSV/CSV).

    ``source_lang``/``target_lang`` pick the language sections of a TBX file; TSV/CSV columns are named
    ``source`` and ``target`` whatever the languages are. ``encoding``: given with ``--glossary-encoding``;
    otherwise detected, and a file whose encoding detection cannot tell is refused, not guessed.
    """
    path_str = str(path)
    text, _encoding = read_text(path, encoding, "--glossary-encoding")
    if _looks_like_xml(path_str, text):
        entries = _parse_tbx(text, path_str, source_lang, target_lang)
    else:
        entries = _parse_table(text, path_str)
    if not entries:
        raise InputError(path_str, "glossary has no entries")
    return Glossary(entries=entries, path=path_str)


def load_glossaries(
    paths: Sequence[str | Path], source_lang: str = "zh", target_lang: str = "en", encoding: str | None = None
) -> Glossary:
    """Read several glossary files and merge them into one (see ``merge_glossaries``)."""
    return merge_glossaries([load_glossary(p, source_lang, target_lang, encoding) for p in paths])


def merge_glossaries(glossaries: Iterable[Glossary]) -> Glossary:
    """One glossary out of several; entries with the same source term become one entry.

    The first preferred rendering wins (list the project glossary before a general one); later different
    renderings become accepted alternatives, so that a translation following either glossary is not
    reported as missing the term; forbidden variants are combined, except those another file accepts.
    """
    merged: dict[str, GlossaryEntry] = {}
    paths = []
    for glossary in glossaries:
        if glossary.path:
            paths.append(glossary.path)
        for entry in glossary.entries:
            previous = merged.get(entry.source)
            merged[entry.source] = _merge_entry(previous, entry) if previous else entry
    return Glossary(entries=list(merged.values()), path=", ".join(paths) or None)


def _merge_entry(first: GlossaryEntry, second: GlossaryEntry) -> GlossaryEntry:
    target = first.target or second.target
    accepted = _unique([first.target, *first.alternatives, second.target, *second.alternatives])
    accepted_keys = {a.casefold() for a in accepted}
    forbidden = tuple(
        f for f in _unique([*first.forbidden, *second.forbidden]) if f.casefold() not in accepted_keys
    )
    alternatives = tuple(a for a in accepted if a.casefold() != target.casefold())
    note = first.note or second.note
    return GlossaryEntry(first.source, target, forbidden, note, first.line, alternatives)


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


# --- TSV / CSV -----------------------------------------------------------------------------------------


def _parse_table(text: str, path: str) -> list[GlossaryEntry]:
    header_line = next((line for line in text.split("\n") if line.strip()), "")
    tab_separated = "\t" in header_line or path.lower().endswith((".tsv", ".tab"))
    if tab_separated:
        # TSV has no quoting: a note may well contain a quoted phrase that csv must not swallow.
        reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise InputError(path, f"line {reader.line_num}: malformed CSV ({exc})") from None
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(path, "glossary has no entries")
    header_line_no, header = rows[0]
    columns = [cell.strip().lower() for cell in header]
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            found = ", ".join(repr(c) for c in header[:4]) or "nothing"
            raise InputError(
                path,
                f"missing the '{required}' column (line {header_line_no} must be a header naming "
                f"source, target, forbidden, note; found {found})",
            )
    index = {name: columns.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in columns}

    def cell(row: list[str], name: str) -> str:
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    entries = []
    for line, row in rows[1:]:
        if row[0].lstrip().startswith("#"):
            continue  # a comment line
        source = cell(row, "source")
        if not source:
            raise InputError(path, f"line {line}: empty source term")
        targets = _split_variants(cell(row, "target"))
        forbidden = tuple(_split_variants(cell(row, "forbidden")))
        if not targets and not forbidden:
            raise InputError(path, f"line {line}: no target term and no forbidden variant for {source!r}")
        entries.append(
            GlossaryEntry(
                source=source,
                target=targets[0] if targets else "",
                forbidden=forbidden,
                note=cell(row, "note"),
                line=line,
                alternatives=tuple(targets[1:]),
            )
        )
    return entries


def _split_variants(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


# --- TBX -----------------------------------------------------------------------------------------------


def _looks_like_xml(path: str, text: str) -> bool:
    return path.lower().endswith((".tbx", ".xml")) or text.lstrip().startswith("<")


def _parse_tbx(text: str, path: str, source_lang: str, target_lang: str) -> list[GlossaryEntry]:
    # defusedxml refuses entity declarations (billion laughs, quadratic blowup, external entities) before
    # expanding anything, so a hostile file costs nothing; the stdlib parser is never used on it.
    import defusedxml.ElementTree as DefusedET
    from defusedxml import DefusedXmlException

    try:
        root = DefusedET.fromstring(text)
    except DefusedXmlException as exc:
        problem = f"refused: the XML declares entities or external references ({type(exc).__name__})"
        raise InputError(path, problem) from None
    except ParseError as exc:
        raise InputError(path, f"malformed XML ({exc})") from None
    if _local(root.tag) not in ("martif", "tbx"):
        raise InputError(
            path, f"not a TBX file (root element <{_local(root.tag)}>, expected <martif> or <tbx>)"
        )

    entries = []
    for concept in _descendants(root, "termEntry", "conceptEntry"):
        terms_by_lang: dict[str, list[tuple[str, str]]] = {}
        for lang_section in _children(concept, "langSet", "langSec"):
            lang = _base_lang(lang_section.get(_XML_LANG) or lang_section.get("lang") or "")
            for term, status in _terms(lang_section):
                terms_by_lang.setdefault(lang, []).append((term, status))
        sources = terms_by_lang.get(_base_lang(source_lang), [])
        targets = terms_by_lang.get(_base_lang(target_lang), [])
        if not sources or not targets:
            continue  # a concept without both languages says nothing about this language pair
        preferred = [t for t, s in targets if s == "preferred"]
        admitted = [t for t, s in targets if s in ("admitted", "")]
        forbidden = tuple(_unique(t for t, s in targets if s == "forbidden"))
        accepted = _unique([*preferred, *admitted])
        note = _concept_note(concept)
        # Every source-language term of the concept (deprecated synonyms too) may occur in a source text.
        for source, _status in sources:
            entries.append(
                GlossaryEntry(
                    source=source,
                    target=accepted[0] if accepted else "",
                    forbidden=forbidden,
                    note=note,
                    line=None,
                    alternatives=tuple(accepted[1:]),
                )
            )
    if not entries:
        raise InputError(path, f"TBX has no term entries with both {source_lang} and {target_lang} terms")
    return entries


def _terms(lang_section: Element) -> Iterable[tuple[str, str]]:
    """(term, status) for each term of a language section; status is preferred/admitted/forbidden/''."""
    for holder in _children(lang_section, "tig", "ntig", "termSec"):
        term_elements = [e for e in holder.iter() if _local(e.tag) == "term"]
        if not term_elements:
            continue
        term = "".join(term_elements[0].itertext()).strip()
        if not term:
            continue
        status = ""
        for note in holder.iter():
            is_status = (note.get("type") or "").lower() in _STATUS_TYPES
            if is_status and _local(note.tag) in ("termNote", "descrip"):
                status = _status_kind("".join(note.itertext()))
                if status:
                    break
        yield term, status


def _status_kind(value: str) -> str:
    key = value.strip().lower().replace(" ", "").removesuffix("-admn-sts").removesuffix("term")
    if key in _FORBIDDEN_STATUS:
        return "forbidden"
    if key in _PREFERRED_STATUS:
        return "preferred"
    if key in _ADMITTED_STATUS:
        return "admitted"
    return ""


def _concept_note(concept: Element) -> str:
    for child in concept:
        kind = child.get("type") or "definition"
        if _local(child.tag) in ("descrip", "note") and kind in ("definition", "note"):
            return " ".join("".join(child.itertext()).split())
    return ""


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1]


def _children(element: Element, *names: str) -> Iterable[Element]:
    # langSet/tig may sit directly under their parent or inside a grouping element (TBX v3 termSec lists).
    for child in element.iter():
        if child is not element and _local(child.tag) in names:
            yield child


def _descendants(element: Element, *names: str) -> Iterable[Element]:
    return (e for e in element.iter() if _local(e.tag) in names)


def _base_lang(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]
