"""XLIFF 1.2 and 2.0, parsed with defusedxml (never the plain stdlib parser on untrusted files).

Inline codes stay in the text as tags so that the placeholder check can compare them: paired codes
(``<g id="1">`` 1.2, ``<pc id="1">`` 2.0) become ``<g1>…</g1>``, standalone ones (``<x/>``, ``<ph/>``,
``<bx/>``, ``<sc/>`` …) become ``<x1/>``; annotation markers (``<mrk>``) keep only their content.
Units whose state says they are not translated or not reviewed yet count as fuzzy (skipped by default).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from mtqa.errors import InputError
from mtqa.formats import BilingualFile, BilingualUnit
from mtqa.formats.xmlsafe import XmlTree, children, first_child, local_name, parse_xml

_PAIRED = {"g", "pc"}
_STANDALONE = {"x", "bx", "ex", "ph", "bpt", "ept", "it", "sc", "ec"}
_MARKERS_WITHOUT_TEXT = {"sm", "em"}
_NOT_READY_STATES = {
    "new",
    "needs-translation",
    "needs-adaptation",
    "needs-l10n",
    "needs-review-translation",
    "needs-review-adaptation",
    "needs-review-l10n",
    "initial",
}


def render_inline(element: Element) -> str:
    """Text of a ``<source>``/``<target>`` with inline codes as compact tags."""
    parts = [element.text or ""]
    for child in element:
        name = local_name(child.tag)
        code_id = child.get("id") or child.get("i") or ""  # TMX pairs bpt/ept by "i"
        if name in _PAIRED:
            parts.append(f"<{name}{code_id}>{render_inline(child)}</{name}{code_id}>")
        elif name in _STANDALONE:
            parts.append(f"<{name}{code_id}/>")
        elif name not in _MARKERS_WITHOUT_TEXT:  # mrk and unknown elements: their text is translatable
            parts.append(render_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read(
    path: str | Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> BilingualFile:
    tree = parse_xml(path, "XLIFF")
    root = tree.root
    name = str(path)
    if local_name(root.tag) != "xliff":
        raise InputError(name, f"not an XLIFF file (root element <{local_name(root.tag)}>)")
    version = root.get("version", "")
    result = BilingualFile(name, "xliff", source_lang=source_lang, target_lang=target_lang)
    if version.startswith("2"):
        _read_v2(tree, result, include_fuzzy)
    else:
        _read_v1(tree, result, include_fuzzy)
    return result


def _read_v1(tree: XmlTree, result: BilingualFile, include_fuzzy: bool) -> None:
    for file_element in children(tree.root, "file"):
        result.source_lang = result.source_lang or file_element.get("source-language")
        result.target_lang = result.target_lang or file_element.get("target-language")
        original = file_element.get("original", "")
        for unit in file_element.iter():
            if local_name(unit.tag) != "trans-unit" or unit.get("translate") == "no":
                continue
            source = first_child(unit, "source")
            target = first_child(unit, "target")
            if source is None:
                raise InputError(result.path, f"trans-unit on line {tree.line_of(unit)} has no <source>")
            target_text = render_inline(target) if target is not None else ""
            if not target_text.strip():
                result.empty_targets += 1
                continue
            state = target.get("state", "") if target is not None else ""
            fuzzy = state in _NOT_READY_STATES
            if fuzzy and not include_fuzzy:
                continue
            unit_id = unit.get("id", "")
            result.units.append(
                BilingualUnit(
                    key=f"{original}#{unit_id}" if original else unit_id,
                    source=render_inline(source),
                    target=target_text,
                    path=result.path,
                    line=tree.line_of(target) or tree.line_of(unit),
                    context=unit.get("resname", ""),
                    state=state,
                    fuzzy=fuzzy,
                    notes=tuple((n.text or "").strip() for n in children(unit, "note") if n.text),
                    max_width=_max_width(unit.get("maxwidth")),
                    # XLIFF 1.2: size-unit defaults to pixel
                    size_unit=unit.get("size-unit", "pixel"),
                )
            )


def _max_width(value: str | None) -> int | None:
    """A maxwidth that is not a positive whole number sets no limit (the length check cannot use it)."""
    if value is None or not value.strip().isdigit() or int(value) <= 0:
        return None
    return int(value)


# XLIFF 2.0's Size and Length Restriction module: ``<slr:profiles generalProfile=… storageProfile=…>`` in a
# ``<file>`` names how ``slr:sizeRestriction`` and ``slr:storageRestriction`` on a unit are measured. The two
# standard profiles mtqa can measure without a font: code points (characters) and UTF-8 bytes.
SLR = "{urn:oasis:names:tc:xliff:sizerestriction:2.0}"
_GENERAL_UNITS = {"xliff:codepoints": "char"}
_STORAGE_UNITS = {"xliff:utf8": "byte"}


def _size_restriction(file_element: Element, unit: Element) -> tuple[int | None, str]:
    """The unit's limit and its unit ("char" or "byte"), or ``(None, "")`` when the file declares no profile
    mtqa can measure (the restriction is then not checked, like an XLIFF 1.2 pixel width)."""
    profiles = first_child(file_element, "profiles")
    if profiles is None:
        return None, ""
    general = _GENERAL_UNITS.get(profiles.get("generalProfile", ""))
    storage = _STORAGE_UNITS.get(profiles.get("storageProfile", ""))
    size = _max_width(unit.get(f"{SLR}sizeRestriction")) if general else None
    if size is not None:
        return size, general
    stored = _max_width(unit.get(f"{SLR}storageRestriction")) if storage else None
    return (stored, storage) if stored is not None else (None, "")


def _read_v2(tree: XmlTree, result: BilingualFile, include_fuzzy: bool) -> None:
    root = tree.root
    result.source_lang = result.source_lang or root.get("srcLang")
    result.target_lang = result.target_lang or root.get("trgLang")
    for file_element in children(root, "file"):
        file_id = file_element.get("id", "")
        for unit in file_element.iter():
            if local_name(unit.tag) != "unit" or unit.get("translate") == "no":
                continue
            limit, limit_unit = _size_restriction(file_element, unit)
            notes_element = first_child(unit, "notes")
            notes = tuple(
                (n.text or "").strip() for n in children(notes_element, "note") if n.text
            ) if notes_element is not None else ()
            segments = children(unit, "segment")
            if len(segments) > 1:
                # The restriction holds for the unit's whole content, not for each segment: the segments are
                # checked one at a time here, so a multi-segment unit's limit is not checked.
                limit, limit_unit = None, ""
            for index, segment in enumerate(segments):
                source = first_child(segment, "source")
                target = first_child(segment, "target")
                if source is None:
                    raise InputError(result.path, f"segment on line {tree.line_of(segment)} has no <source>")
                target_text = render_inline(target) if target is not None else ""
                if not target_text.strip():
                    result.empty_targets += 1
                    continue
                state = segment.get("state", "")
                fuzzy = state in _NOT_READY_STATES
                if fuzzy and not include_fuzzy:
                    continue
                unit_id = unit.get("id", "")
                key = unit_id if len(segments) == 1 else f"{unit_id}#{segment.get('id') or index}"
                result.units.append(
                    BilingualUnit(
                        key=f"{file_id}#{key}" if file_id else key,
                        source=render_inline(source),
                        target=target_text,
                        path=result.path,
                        line=tree.line_of(target) or tree.line_of(segment),
                        context=unit.get("name", ""),
                        state=state,
                        fuzzy=fuzzy,
                        notes=notes,
                        max_width=limit,
                        size_unit=limit_unit,
                    )
                )
