"""Chinese (Simplified and Traditional)."""

from __future__ import annotations

import re

from mtqa.languages import Language, Punctuation, register_language

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

# A sentence ends at 。！？； (full- or half-width !?;) or an ellipsis, plus any closing quotes and
# brackets that follow it: "他说：“好。”" is one sentence, not two.
_SENTENCE_END = re.compile(r"(?:[。！？!?；;]+|…{1,2}|\.{3,})[”’」』）)》\]】\"']*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’-][A-Za-z0-9]+)*")


def count_words(text: str) -> int:
    """Han characters count as 1/1.6 of a word each (a common zh→en ratio), Latin tokens as one word."""
    return round(len(HAN.findall(text)) / 1.6) + len(_LATIN_WORD.findall(text))


def _extract_numbers(text: str):
    from mtqa.languages.numbers_zh import extract_numbers

    return extract_numbers(text)


# Kana (hiragana, katakana, half-width katakana): Japanese shares the Han characters, never Chinese text.
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")

PUNCTUATION = Punctuation(
    foreign={},
    sentence_end="。！？!?…",
    closers="”’」』）)》】",
    brackets=(("（", "）"), ("(", ")"), ("“", "”"), ("《", "》"), ("「", "」"), ("【", "】")),
    no_space_before=None,
)
# Single characters that are grammatical particles, conjunctions or prepositions.
FUNCTION_WORDS = frozenset("的了和与及在是也就都而并等之对将把被为以于着过其这那此该个")


CHINESE = register_language(
    Language(
        code="zh",
        name="Chinese",
        script=HAN,
        split_sentences=split_sentences,
        count_words=count_words,
        extract_numbers=_extract_numbers,
        chars_per_unit=1.0,
        prompt_name="Chinese",
        word_separated=False,
        punctuation=PUNCTUATION,
        function_words=FUNCTION_WORDS,
        bleu_tokenizer="zh",
        ter_asian_support=True,
        excluded_script=KANA,
    )
)
