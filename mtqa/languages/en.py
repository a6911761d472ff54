"""English."""

from __future__ import annotations

import re
from functools import lru_cache

from mtqa.languages import Language, register

LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[.,'’-][A-Za-z0-9\u00c0-\u024f]+)*")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    # pysbd knows English abbreviations ("Co., Ltd.", "U.S.", "No. 3", initials) and decimals;
    # char_span gives offsets so that spans stay exact.
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    cursor = 0
    for piece in _segmenter().segment(text):
        # pysbd's own offsets can drift on repeated sentences; locate each piece from the cursor instead.
        start = text.find(piece.sent, cursor)
        if start < 0:
            start = piece.start
        end = start + len(piece.sent)
        spans.append((start, end))
        cursor = end
    return spans


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _extract_numbers(text: str):
    from mtqa.languages.numbers_en import extract_numbers

    return extract_numbers(text)


ENGLISH = register(
    Language(
        code="en",
        name="English",
        script=LATIN,
        split_sentences=split_sentences,
        count_words=count_words,
        extract_numbers=_extract_numbers,
        chars_per_unit=1.0,
        prompt_name="English",
    )
)
