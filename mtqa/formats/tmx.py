"""TMX translation memories (defusedxml): ``<header srclang>`` and ``<tu>``s of ``<tuv xml:lang><seg>``.

The source language is the header's ``srclang`` (or the caller's); the target language is the caller's, or
the single other language the memory holds. A memory with no other language, or with several and no
choice given, is refused with one line.
"""

from __future__ import annotations

from pathlib import Path

from mtqa.errors import InputError
from mtqa.formats import BilingualFile, BilingualUnit
from mtqa.formats.xliff import render_inline
from mtqa.formats.xmlsafe import XML_LANG, children, first_child, local_name, parse_xml


def _base(code: str) -> str:
    return code.lower().replace("_", "-").split("-")[0]


def read(
    path: str | Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    include_fuzzy: bool = False,
) -> BilingualFile:
    tree = parse_xml(path, "TMX")
    root = tree.root
    name = str(path)
    if local_name(root.tag) != "tmx":
        raise InputError(name, f"not a TMX file (root element <{local_name(root.tag)}>)")
    header = first_child(root, "header")
    body = first_child(root, "body")
    declared = header.get("srclang", "") if header is not None else ""
    source = source_lang or (declared if declared and declared != "*all*" else None)
    if not source:
        raise InputError(name, "TMX header has no srclang; give --source-lang")
    tus = children(body, "tu") if body is not None else []

    def variants(tu):
        return {(tuv.get(XML_LANG) or tuv.get("lang") or ""): tuv for tuv in children(tu, "tuv")}

    if target_lang is None:
        others = sorted(
            {lang for tu in tus for lang in variants(tu) if lang and _base(lang) != _base(source)}
        )
        if not others:
            raise InputError(name, f"TMX has no target language (every <tuv> is {source})")
        if len({_base(lang) for lang in others}) > 1:
            listed = ", ".join(others)
            raise InputError(name, f"TMX holds several target languages ({listed}); give --target-lang")
        target_lang = others[0]

    result = BilingualFile(name, "tmx", source_lang=source, target_lang=target_lang)
    for index, tu in enumerate(tus):
        by_lang = {_base(lang): tuv for lang, tuv in variants(tu).items()}
        source_tuv, target_tuv = by_lang.get(_base(source)), by_lang.get(_base(target_lang))
        if source_tuv is None:
            continue
        source_seg = first_child(source_tuv, "seg")
        target_seg = first_child(target_tuv, "seg") if target_tuv is not None else None
        target_text = render_inline(target_seg) if target_seg is not None else ""
        if source_seg is None or not target_text.strip():
            result.empty_targets += 1
            continue
        result.units.append(
            BilingualUnit(
                key=tu.get("tuid") or str(index + 1),
                source=render_inline(source_seg),
                target=target_text,
                path=name,
                line=tree.line_of(target_seg),
                notes=tuple((n.text or "").strip() for n in children(tu, "note") if n.text),
            )
        )
    return result
