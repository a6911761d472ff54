"""Chinese (Simplified and Traditional)."""

from __future__ import annotations

import re
from functools import cache

from mtqa.languages import Language, Punctuation, register_language

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

# A sentence ends at 。！？； (full- or half-width !?;) or an ellipsis, plus any closing quotes and
# brackets that follow it: "他说：“好。”" is one sentence, not two.
_SENTENCE_END = re.compile(r"(?:[。！？!?；;]+|…{1,2}|\.{3,})[”’」』）)》\]】\"']*")


# An ellipsis inside a quotation that goes on is the speaker faltering (“我…… 我昨晚……”), not a sentence
# end; English keeps it in one sentence too ("'I . . . I killed him'").
_ELLIPSIS = re.compile(r"(?:…{1,2}|\.{3,})\s*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    open_quotes = 0
    counted = 0
    for match in _SENTENCE_END.finditer(text):
        open_quotes += _quote_depth(text, counted, match.start())
        counted = match.start()
        faltering = open_quotes > 0 and _ELLIPSIS.fullmatch(text, match.start(), match.end())
        if faltering and match.end() < len(text):
            continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return _attach_attributions(text, [(s, e) for s, e in spans if text[s:e].strip()])


def _quote_depth(text: str, start: int, end: int) -> int:
    return sum(text.count(mark, start, end) for mark in "“「『") - sum(
        text.count(mark, start, end) for mark in "”」』"
    )


# A quotation followed by its attribution (“……？”记者问。 “……。”他说，“……”) is one sentence, as in the
# English translation ('"…?" the reporter asked.'). An attribution is a short clause — a speaker and
# perhaps an adverb, no copula, no punctuation — ending in a verb of saying; “……。”这是…… or
# “……。”他说完就走了 start a sentence of their own.
_SPEECH_VERBS = (
    "说", "问", "道", "喊", "叫", "嚷", "答", "表示", "指出", "称", "介绍", "强调", "补充", "解释", "透露",
    "坦言", "回忆", "感叹", "宣布", "承认", "提醒", "追问", "反问", "嘀咕", "嘟囔", "心想", "暗想", "想",
)
# Words that end in a verb of saying without being one (小说 "novel", 知道 "know", 街道 "street" …).
_NOT_SPEECH = (
    "小说", "传说", "学说", "演说", "游说", "学问", "顾问", "疑问", "知道", "街道", "渠道", "轨道", "频道",
    "味道", "难道", "通道", "隧道", "赤道", "管道", "车道", "跑道", "名称", "简称", "对称", "职称", "堪称",
    "思想", "理想", "梦想", "设想", "联想", "幻想", "猜想", "构想",
)
_ATTRIBUTION = re.compile(
    r"\s*(?P<clause>[^\W\d_][\w·・ ]{0,19})(?P<end>[。！!…]*\s*$|[，,：:](?=\s*[“「『\"]))"
)
_QUOTE_END = re.compile(r"[。！？!?…][”’」』\"']+\s*$")


def _attach_attributions(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for start, end in spans:
        if result and _QUOTE_END.search(text, result[-1][0], start):
            match = _ATTRIBUTION.match(text, start, end)
            if match and _is_attribution(match.group("clause")):
                previous_start = result.pop()[0]
                if match.end() == end:
                    result.append((previous_start, end))  # “……？”记者问。
                    continue
                result.append((previous_start, match.end()))  # “……。”他说，“……” — the quotation goes on
                start = match.end()
        result.append((start, end))
    return result


def _is_attribution(clause: str) -> bool:
    clause = clause.strip()
    return (
        clause.endswith(_SPEECH_VERBS)
        and not clause.endswith(_NOT_SPEECH)
        and "是" not in clause
        and bool(HAN.match(clause))
    )


_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’-][A-Za-z0-9]+)*")


def count_words(text: str) -> int:
    """Han characters count as 1/1.6 of a word each (a common zh→en ratio), Latin tokens as one word."""
    return round(len(HAN.findall(text)) / 1.6) + len(_LATIN_WORD.findall(text))


@cache
def _segmenter():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter would land in every report
    return jieba.Tokenizer()


def word_spans(text: str) -> list[tuple[int, int]]:
    """Dictionary words (jieba, without its HMM guesser, which glues a verb to the next name: 说三体)."""
    return [(start, end) for _, start, end in _segmenter().tokenize(text, HMM=False)]


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
        word_spans=word_spans,
        # Particles and conjunctions that do not reduplicate (的的, 了了, 和和 are typing or MT errors) —
        # unlike 等等 (etc.), 个个 (every one), 对对 (right, right), 过过 (过过瘾), which are left out.
        non_reduplicating=frozenset("的了和与及在是也就都而并之被于其此该"),
    )
)
