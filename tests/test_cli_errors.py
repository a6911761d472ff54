"""Bad input: one line on stderr naming the file and the problem, exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

ZH = "辽宁省与中国节能环保集团有限公司举行会谈。郝鹏主持会谈并讲话。\n"
EN = "Liaoning Province and CECEP held talks. Hao Peng presided over the talks and spoke.\n"


def run_mtqa(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mtqa", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def texts(tmp_path):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "target.en.txt"
    source.write_text(ZH, encoding="utf-8")
    target.write_text(EN, encoding="utf-8")
    return source, target


def assert_one_line_error(result, *needles):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_file(texts, tmp_path):
    source, _ = texts
    result = run_mtqa("check", source, tmp_path / "nope.txt", "--no-model")
    assert_one_line_error(result, "nope.txt", "no such file")


def test_directory(texts, tmp_path):
    source, _ = texts
    assert_one_line_error(run_mtqa("check", source, tmp_path, "--no-model"), "is a directory")


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "is empty"), (b"   \n\n ", "only whitespace"), (b"\x00\x01\x02binary\x00\x00\xff", "binary")],
)
def test_bad_target_content(texts, tmp_path, content, needle):
    source, _ = texts
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    assert_one_line_error(run_mtqa("check", source, bad, "--no-model"), "bad.txt", needle)


def test_undecodable_with_wrong_encoding(texts, tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(ZH.encode("gbk"))
    assert_one_line_error(run_mtqa("check", gbk, texts[1], "--encoding", "utf-8", "--no-model"),
                          "gbk.txt", "cannot decode")


def test_same_language(texts):
    _, target = texts
    assert_one_line_error(run_mtqa("check", target, target, "--no-model"), "both English")


def test_not_a_translation(texts, tmp_path):
    source, _ = texts
    long_target = tmp_path / "long.en.txt"
    long_target.write_text("This is an unrelated English essay about gardening. " * 200, encoding="utf-8")
    assert_one_line_error(run_mtqa("check", source, long_target, "--no-model"), "long.en.txt",
                          "not look like a translation")


def test_unknown_language(texts):
    source, target = texts
    assert_one_line_error(run_mtqa("check", source, target, "--source-lang", "xx", "--no-model"),
                          "unsupported language")


def test_usage_error_is_one_line(texts):
    source, _ = texts
    assert_one_line_error(run_mtqa("check", source, "--no-model"), "SOURCE and TARGET")
    assert_one_line_error(run_mtqa("check", "--fail-on", "sometimes"), "sometimes")


def test_malformed_glossary(texts, tmp_path):
    source, target = texts
    glossary = tmp_path / "g.tsv"
    glossary.write_text("term\ttranslation\n双碳\tdual carbon\n", encoding="utf-8")
    assert_one_line_error(run_mtqa("check", source, target, "--glossary", glossary, "--no-model"), "g.tsv")


def test_output_must_not_overwrite_an_input(texts):
    source, target = texts
    before = target.read_bytes()
    result = run_mtqa("check", source, target, "--format", "json", "--output", target, "--no-model")
    assert_one_line_error(result, "input file")
    assert target.read_bytes() == before


@pytest.mark.encoder
def test_unrelated_documents_of_similar_length(tmp_path):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "other.en.txt"
    source.write_text(
        "辽宁省与中国节能环保集团有限公司在沈阳举行会谈。双方将深化合作，共同推动绿色低碳发展。"
        "中国节能将加大在辽投资布局。省领导参加会谈。\n", encoding="utf-8")
    target.write_text(
        "The football season opened with a surprise defeat for the champions. Fans queued for hours in the "
        "rain. The new coach blamed the pitch. Ticket prices will rise next year.\n", encoding="utf-8")
    result = run_mtqa("check", source, target, "--no-model", "--aligner", "encoder")
    assert_one_line_error(result, "other.en.txt", "does not look like a translation")
