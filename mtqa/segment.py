"""The segment stage: a document → sentences with offsets, per registered language.

Every non-empty line is its own block (headlines, date lines and list items are lines of their own in
news text); blank lines separate paragraphs, which the aligner uses as soft boundaries. Inside a block the
language's sentence splitter decides.
"""

from __future__ import annotations

import re

from mtqa.data import Segment
from mtqa.languages import Language

_LINE = re.compile(r"[^\n]+")


def segment_document(text: str, language: Language, *, pre_segmented: bool = False) -> list[Segment]:
    """Split ``text`` into segments; with ``pre_segmented`` every line (empty ones too) is one segment."""
    segments: list[Segment] = []
    if pre_segmented:
        offset = 0
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # a final newline ends the last line; it does not start an empty one
        for line in lines:
            segments.append(Segment(len(segments), offset, offset + len(line), line, len(segments)))
            offset += len(line) + 1
        return segments

    paragraph = 0
    previous_end = 0
    for line in _LINE.finditer(text):
        if text.count("\n", previous_end, line.start()) >= 2 and segments:
            paragraph += 1
        previous_end = line.end()
        block = line.group()
        for start, end in language.split_sentences(block):
            start, end = _strip(block, start, end)
            if start < end:
                abs_start, abs_end = line.start() + start, line.start() + end
                segment_text = text[abs_start:abs_end]
                segments.append(Segment(len(segments), abs_start, abs_end, segment_text, paragraph))
    return segments


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
