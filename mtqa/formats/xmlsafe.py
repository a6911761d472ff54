"""Parsing untrusted XML (XLIFF, TMX, TBX) with defusedxml, keeping the line of every element.

Entity declarations (the "billion laughs" bomb), external entities and DTD-loaded resources are refused
by defusedxml as soon as the parser meets them, so a hostile file fails fast instead of expanding.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from mtqa.errors import InputError
from mtqa.formats import read_limited


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that stamps each element with the line its start tag is on (``elem.sourceline``)."""

    def __init__(self) -> None:
        super().__init__()
        self.expat = None
        # id(element) → line: C elements take no extra attributes, and the tree keeps them all alive.
        self.lines: dict[int, int] = {}

    def start(self, tag, attrs):  # type: ignore[override]
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.expat.CurrentLineNumber if self.expat is not None else 0
        return element


class XmlTree:
    def __init__(self, root: Element, lines: dict[int, int]) -> None:
        self.root = root
        self._lines = lines

    def line_of(self, element: Element) -> int:
        return self._lines.get(id(element), 0)


def parse_xml(path: str | Path, kind: str) -> XmlTree:
    """The parsed file with element lines; one-line InputError for malformed or unsafe XML."""
    data = read_limited(path)
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser  # the pure-Python XMLParser defusedxml uses keeps its expat parser here
    try:
        parser.feed(data)
        return XmlTree(parser.close(), builder.lines)
    except DefusedXmlException as exc:
        reason = type(exc).__name__
        what = {
            "EntitiesForbidden": "declares XML entities (refused: entity expansion can be an attack)",
            "ExternalReferenceForbidden": "refers to an external entity (refused: it could read other files)",
            "DTDForbidden": "has a DTD (refused)",
        }.get(reason, f"unsafe XML ({reason})")
        raise InputError(str(path), f"{kind} file {what}") from None
    except ParseError as exc:
        raise InputError(str(path), f"malformed {kind} XML ({exc})") from None


def local_name(tag: str) -> str:
    """``{urn:oasis:names:tc:xliff:document:1.2}trans-unit`` → ``trans-unit``."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local_name(child.tag) == name]


def first_child(element: Element, name: str) -> Element | None:
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
