"""A language defined here, in the test suite only, runs through ``mtqa.check`` end to end: registering it is
all it takes (no check, aligner or table elsewhere names a language).

"Toy" (code ``qt``) is written in Latin letters, ends sentences with "." and brackets with < >, treats the
full-width comma as foreign, makes plurals with "-an", and knows one page-furniture pattern.
"""

from __future__ import annotations

import re

import pytest

import mtqa
from mtqa.cli import main
from mtqa.data import Glossary, GlossaryEntry
from mtqa.languages import (
    Language,
    Punctuation,
    available_languages,
    detect_language,
    get_language,
    register_language,
    unregister_language,
)

_WORD = re.compile(r"[a-z]+", re.IGNORECASE)


def _split(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\.(?=\s|$)", text):
        spans.append((start, match.end()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


TOY = Language(
    code="qt",
    name="Toy",
    script=re.compile(r"[A-Za-z]"),
    split_sentences=_split,
    count_words=lambda text: len(_WORD.findall(text)),
    prompt_name="Toy",
    punctuation=Punctuation(
        foreign={"，": ","},
        sentence_end=".",
        closers=">",
        brackets=(("<", ">"),),
        no_space_before=",.",
    ),
    function_words=frozenset({"ka", "ma"}),
    furniture=(("related link", re.compile(r"^see-also\b", re.IGNORECASE)),),
    inflections=lambda word: {word, word + "an"},
    bleu_tokenizer="char",
)

SOURCE = "中国代表团访问辽宁。\n双方举行会谈。\n会议在沈阳举行。\n"
TARGET = (
    "Zhongoan delegation ka visit Liaoning.\n"
    "Both side ma hold talk <in Shenyang.\n"
    "Meeting ka happen in Shenyang， city.\n"
    "see-also other news\n"
)
GLOSSARY = Glossary([GlossaryEntry("中国", "Zhongo"), GlossaryEntry("会谈", "dialogo")])


@pytest.fixture
def toy():
    register_language(TOY)
    yield TOY
    unregister_language(TOY.code)


def test_a_registered_language_is_found_by_code(toy):
    assert get_language("qt") is toy and get_language("QT-x") is toy
    assert "qt" in available_languages()


def test_check_runs_end_to_end_with_the_toy_language(toy):
    report = mtqa.check(SOURCE, TARGET, glossary=GLOSSARY, source_lang="zh", target_lang="qt")
    assert report.target.lang == "qt"
    assert [s.text.strip() for s in report.target.segments][:3] == [line for line in TARGET.splitlines()[:3]]
    messages = [(f.check, f.message) for f in report.findings]
    punctuation = [m for c, m in messages if c == "punctuation"]
    # Its own brackets and foreign marks, from its own Punctuation:
    assert any("'<' is never closed" in m for m in punctuation)
    assert any("'，' does not belong in Toy text" in m for m in punctuation)
    terminology = [m for c, m in messages if c == "terminology"]
    # "Zhongoan" is the toy plural of "Zhongo": rendered; 会谈 has no "dialogo": missing.
    assert not any("中国" in m for m in terminology)
    assert any("会谈" in m and "dialogo" in m for m in terminology)
    # Its furniture pattern makes the trailing line page furniture, not a translation.
    assert any(c == "alignment" and "page furniture" in m for c, m in messages)
    assert report.summary.words > 0


def test_the_command_line_reads_the_toy_language(toy, tmp_path, capsys):
    source, target = tmp_path / "s.txt", tmp_path / "t.txt"
    source.write_text(SOURCE, encoding="utf-8")
    target.write_text(TARGET, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(source), str(target), "--source-lang", "zh", "--target-lang", "qt",
              "--aligner", "length", "--no-model", "-f", "json", "-q"])
    assert exit_info.value.code in (0, 1)
    assert '"lang": "qt"' in capsys.readouterr().out


def test_without_registration_the_toy_code_is_an_input_error():
    with pytest.raises(mtqa.MtqaError, match="unsupported language 'qt'"):
        mtqa.check(SOURCE, TARGET, source_lang="zh", target_lang="qt")


def test_japanese_is_not_taken_for_chinese():
    assert detect_language("東京は日本の首都です。私は学生で、毎日電車で学校に行きます。") is None
    assert detect_language("东京是日本的首都。我是学生，每天坐电车去学校。") == "zh"
