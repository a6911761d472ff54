"""Bad input that used to pass (issue 14), through the command line: each is one line on stderr and exit 2,
or, with the flag the error names, a normal run. Input files are never modified."""

from __future__ import annotations

import pytest

from tests.test_cli_errors import assert_one_line_error, run_mtqa

ZH = "这是一个天真的想法。我们去咖啡馆吧。\n"
EN = "This is a naïve idea. Let's go to the café.\n"
FAST = ("--no-model", "--aligner", "length", "-q")


@pytest.fixture
def latin1_pair(tmp_path):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "target.en.txt"
    source.write_text(ZH, encoding="utf-8")
    target.write_bytes(EN.encode("latin-1"))
    return source, target


def test_latin1_target_is_refused_not_garbled(latin1_pair):
    before = latin1_pair[1].read_bytes()
    result = run_mtqa("check", *latin1_pair, *FAST)
    assert_one_line_error(result, "target.en.txt", "cannot tell the encoding", "cp1252 'naïve'",
                          "--target-encoding")
    assert latin1_pair[1].read_bytes() == before


def test_utf8_source_with_latin1_target(latin1_pair):
    result = run_mtqa("check", *latin1_pair, *FAST, "--target-encoding", "latin-1", "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "naïve" in result.stdout and "naďve" not in result.stdout


def test_encoding_is_the_default_for_both_sides_and_the_side_flag_wins(latin1_pair):
    # --encoding latin-1 would misread the UTF-8 source; --source-encoding utf-8 corrects that side only.
    result = run_mtqa("check", *latin1_pair, *FAST, "--encoding", "latin-1", "--source-encoding", "utf-8",
                      "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "naïve" in result.stdout and "咖啡馆" in result.stdout


def test_unknown_side_encoding_names_the_flag(latin1_pair):
    result = run_mtqa("check", *latin1_pair, *FAST, "--target-encoding", "no-such-codec")
    assert_one_line_error(result, "unknown encoding 'no-such-codec'", "--target-encoding")


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        ("source\ttarget\n双碳\tdual carbon\n".encode("gbk"), ("gb18030 '双碳'", "--glossary-encoding")),
        (b"source\ttarget\n\xff\xfe\x80\x81\tcafe\n", ("cannot decode", "--glossary-encoding")),
    ],
    ids=["one-line-gbk", "undecodable"],
)
def test_glossary_that_cannot_be_decoded_surely_is_exit_2(tmp_path, content, needles):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "target.en.txt"
    source.write_text("中国节能推进双碳目标。\n", encoding="utf-8")
    target.write_text("CECEP pursues the double carbon goals.\n", encoding="utf-8")
    glossary = tmp_path / "glossary.tsv"
    glossary.write_bytes(content)
    result = run_mtqa("check", source, target, "--glossary", glossary, *FAST)
    assert_one_line_error(result, "glossary.tsv", *needles)


def test_glossary_encoding_flag_reads_a_gbk_glossary(tmp_path):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "target.en.txt"
    source.write_text("中国节能推进双碳目标。\n", encoding="utf-8")
    target.write_text("CECEP pursues the double carbon goals.\n", encoding="utf-8")
    glossary = tmp_path / "glossary.tsv"
    glossary.write_bytes("source\ttarget\tforbidden\n双碳\tdual carbon\tdouble carbon\n".encode("gbk"))
    result = run_mtqa("check", source, target, "--glossary", glossary, "--glossary-encoding", "gbk", *FAST,
                      "-f", "json")
    # Read right, the glossary finds the forbidden variant: the terminology check is not silently empty.
    assert result.returncode == 1, result.stderr
    assert "double carbon" in result.stdout and '"terminology"' in result.stdout


@pytest.mark.parametrize("command", [["check"], ["scan"]])
def test_directory_with_nothing_to_check_is_exit_2(tmp_path, command):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "README.md").write_text("no strings here\n", encoding="utf-8")
    dirs = [first, second] if command == ["check"] else [first]
    result = run_mtqa(*command, *dirs, "--no-model", "--no-cache" if command == ["scan"] else "-q")
    assert_one_line_error(result, "no localisation files found under", str(first))
