"""Repeated words ("the the", 的的) and doubled punctuation (",,", "。。", ",.") in the translation.

Repeated words: in a language with spaces, the same word twice in a row, except the words the language
lists as doubled on purpose ("had had") and two capitalised ones (names such as "Bora Bora", "Walla
Walla"); in a language without spaces, only a doubled character from the language's ``non_reduplicating``
set (particles such as 的, 了, 和), and only when the word segmenter makes each of the two a word of its
own: 目的的 (目的 + 的) and 为了了解 (为了 + 了解) are grammatical, and content words reduplicate freely
(看看, 常常, 谢谢), so they are never reported. An AABB form (的的确确, 是是非非) is not reported either.

Doubled punctuation: a comma, semicolon or colon written twice, a doubled full stop that is not an
ellipsis, and a comma run into a full stop (",." "，。"). ".," is left alone: "etc.," and "Ltd.," are
correct English. A doubling the source has too is not reported (a quoted typo is the author's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa.checks import CheckContext, register_check
from mtqa.data import AlignedPair, Category, Finding, Severity

REPEATED = "repeated_words"
DOUBLED = "doubled_punctuation"

_WORD_REPEAT = re.compile(r"\b(\w+)(\s+)(\1)\b", re.IGNORECASE)
# "::" before a letter is code (std::vector, fe80::1), and three stops or more are an ellipsis.
_DOUBLED = re.compile(
    r"([,;，；：、])\1+|::(?![\w:])|(?<![.．/])[.．]{2}(?![.．/\w])|(?<!。)。。(?!。)|[,，][.。．]"
)


def _pair_segments(ctx: CheckContext, pair: AlignedPair):
    for segment_id in pair.target_segments:
        yield ctx.target.segments[segment_id]


@register_check(
    REPEATED,
    description="A word written twice in a row in the translation (\"the the\", 的的).",
    categories=(Category.GRAMMAR.value,),
    severity=Severity.MINOR.value,
)
def check_repeated_words(ctx: CheckContext) -> Iterator[Finding]:
    language = ctx.target_language
    for pair in ctx.aligned_pairs():
        source = pair.source_text(ctx.source)
        for segment in _pair_segments(ctx, pair):
            spans = (_word_repeats(segment.text, language.doubled_word_exceptions) if language.word_separated
                     else _character_repeats(segment.text, language))
            for start, end in spans:
                doubled = segment.text[start:end]
                if doubled in source:
                    continue
                word = doubled.split()[0] if language.word_separated else doubled[0]
                yield Finding(REPEATED, Category.GRAMMAR.value, Severity.MINOR,
                              f"“{word}” is written twice in a row", word, pair.id,
                              target_span=ctx.target_span(segment.start + start, segment.start + end))


def _word_repeats(text: str, exceptions: frozenset[str]) -> Iterator[tuple[int, int]]:
    for match in _WORD_REPEAT.finditer(text):
        first, second = match.group(1), match.group(3)
        if first.lower() in exceptions or first.isdigit() or "\n" in match.group(2):
            continue
        if first[0].isupper() and second[0].isupper():  # "Bora Bora", "Walla Walla": a name
            continue
        yield match.start(), match.end()


def _character_repeats(text: str, language) -> Iterator[tuple[int, int]]:
    doubled = [i for i in range(len(text) - 1)
               if text[i] == text[i + 1] and text[i] in language.non_reduplicating]
    if not doubled:
        return
    single = None
    if language.word_spans is not None:
        single = {start for start, end in language.word_spans(text) if end - start == 1}
    for i in doubled:
        if single is not None and not (i in single and i + 1 in single):
            continue  # part of a longer word: 目的|的, 为了|了解
        aabb_after = i + 3 < len(text) and text[i + 2] == text[i + 3]
        aabb_before = i >= 2 and text[i - 2] == text[i - 1]
        if aabb_after or aabb_before:  # 的的确确, 是是非非
            continue
        yield i, i + 2


@register_check(
    DOUBLED,
    description="Doubled punctuation in the translation: \",,\", \";;\", \"..\" (not an ellipsis), "
    "\"。。\", \",.\".",
    categories=(Category.PUNCTUATION.value,),
    severity=Severity.MINOR.value,
)
def check_doubled_punctuation(ctx: CheckContext) -> Iterator[Finding]:
    for pair in ctx.aligned_pairs():
        source = pair.source_text(ctx.source)
        for segment in _pair_segments(ctx, pair):
            for match in _DOUBLED.finditer(segment.text):
                marks = match.group(0)
                if marks in source:
                    continue
                yield Finding(DOUBLED, Category.PUNCTUATION.value, Severity.MINOR,
                              f"doubled punctuation {marks!r}", marks[-1] if marks[0] == marks[-1] else None,
                              pair.id,
                              target_span=ctx.target_span(segment.start + match.start(),
                                                          segment.start + match.end()))
