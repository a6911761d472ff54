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
        for start, end in rejoin(block, language.split_sentences(block)):
            start, end = _strip(block, start, end)
            if start < end:
                abs_start, abs_end = line.start() + start, line.start() + end
                segment_text = text[abs_start:abs_end]
                segments.append(Segment(len(segments), abs_start, abs_end, segment_text, paragraph))
    return segments


# Marks that close a quotation or a bracket: a sentence never starts with one. Straight quotes can open as
# well as close; they close when what follows them is a space, the end of the block or another closing mark.
_CLOSING = "”’)]}»」』）】〉》〕"
_STRAIGHT = "\"'"
_ELLIPSIS_END = re.compile(r"(?:…|\.\s?\.\s?\.)[\s\"'”’]*$")


def rejoin(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Repair a sentence splitter's cuts that no language wants (pysbd makes all three on published fiction,
    where a line often closes a quotation opened on an earlier line):

    - closing quotes and brackets cut off the start of the next piece go back to the sentence they close
      (``Trust me.`` + ``"`` → ``Trust me."``);
    - a piece with no letter or digit (``. .`` of a spaced ellipsis, a lone quote) joins the previous one;
    - a piece that starts in lower case after an ellipsis continues the sentence (``that. . .`` +
      ``what with …``): a new sentence would start with a capital.
    """
    result: list[list[int]] = []
    for start, end in spans:
        if result:
            start = _closing_run_end(text, start, end)
            result[-1][1] = max(result[-1][1], start)
            if not _has_word(text, start, end) or _continues(text, result[-1], start, end):
                result[-1][1] = max(result[-1][1], end)
                continue
        result.append([start, end])
    if len(result) > 1 and not _has_word(text, *result[0]):
        result[1][0] = result.pop(0)[0]  # punctuation before the first sentence starts it
    return [(start, end) for start, end in result if start < end]


def _has_word(text: str, start: int, end: int) -> bool:
    return any(char.isalnum() for char in text[start:end])


def _closing_run_end(text: str, start: int, end: int) -> int:
    """Where the run of closing marks at the start of text[start:end] ends (spaces before it skipped)."""
    position = start
    while position < end and text[position].isspace():
        position += 1
    run_end = position
    while run_end < end and (text[run_end] in _CLOSING or text[run_end] in _STRAIGHT):
        run_end += 1
    if run_end == position:
        return start
    if run_end < end and not text[run_end].isspace() and text[run_end - 1] in _STRAIGHT:
        # '"Why?"' after a sentence: a straight quote followed by a word opens the next sentence. Keep only
        # the marks before it that can only close.
        while run_end > position and text[run_end - 1] in _STRAIGHT:
            run_end -= 1
    return run_end if run_end > position else start


def _continues(text: str, previous: list[int], start: int, end: int) -> bool:
    piece = text[start:end].lstrip()
    return bool(piece[:1].islower() and _ELLIPSIS_END.search(text[previous[0] : start]))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
