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


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["-f", "html={tmp}/missing/report.html"], "does not exist"),
        (["-f", "json={source}/report.json"], "is not a directory"),
        (["-o", "/proc/mtqa-report.txt"], "cannot write the rich report there"),
        (["-f", "sarif={tmp}"], "is a directory"),
    ],
    ids=["missing-parent", "parent-is-a-file", "unwritable", "a-directory"],
)
def test_unwritable_output_fails_before_the_run(tmp_path, flags, needle):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "target.en.txt"
    source.write_text(ZH, encoding="utf-8")
    target.write_text("This is a naive idea. Let's go to the cafe.\n", encoding="utf-8")
    flags = [f.format(tmp=tmp_path, source=source) for f in flags]
    # The model is on (the default): the paths are checked before it loads, so stderr holds the one error
    # line and no progress output of a run.
    result = run_mtqa("check", source, target, "--aligner", "length", *flags)
    assert_one_line_error(result, needle)


def test_scan_output_path_checked_before_the_scan(tmp_path):
    (tmp_path / "a.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                   'msgid "Open"\nmsgstr "打开"\n', encoding="utf-8")
    result = run_mtqa("scan", tmp_path, "--no-model", "--no-cache", "-f", f"json={tmp_path}/no/dir/r.json")
    assert_one_line_error(result, "does not exist")


def test_reports_are_written_whole_and_leave_no_temporary_files(tmp_path):
    source = tmp_path / "source.zh.txt"
    target = tmp_path / "target.en.txt"
    source.write_text(ZH, encoding="utf-8")
    target.write_text("This is a naive idea. Let's go to the cafe.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("old", encoding="utf-8")
    result = run_mtqa("check", source, target, *FAST, "-f", f"json={out}/report.json", "-f",
                      f"rich={out}/report.txt")
    assert result.returncode in (0, 1), result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.txt"]
    assert (out / "report.json").read_text(encoding="utf-8").startswith("{")
    assert "pairs" in (out / "report.txt").read_text(encoding="utf-8")


def test_write_report_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    import os

    from mtqa.errors import MtqaError
    from mtqa.report.outputs import write_report

    path = tmp_path / "report.json"
    path.write_text("previous report", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(MtqaError, match="No space left on device"):
        write_report(path, "new report")
    assert path.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_align_takes_per_side_encodings_and_checks_its_output_first(latin1_pair, tmp_path):
    refused = run_mtqa("align", *latin1_pair, "--aligner", "length")
    assert_one_line_error(refused, "--target-encoding")
    aligned = run_mtqa("align", *latin1_pair, "--aligner", "length", "--target-encoding", "latin-1",
                       "-f", "tsv")
    assert aligned.returncode == 0 and "naïve" in aligned.stdout
    unwritable = run_mtqa("align", *latin1_pair, "--target-encoding", "latin-1", "-o", tmp_path / "no" / "a")
    assert_one_line_error(unwritable, "does not exist")


@pytest.mark.parametrize("command", ["scan", "check"])
def test_scan_and_check_of_l10n_files_take_glossary_encoding(tmp_path, command):
    po = tmp_path / "zh.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: zh\\n"\n\n'
                  'msgid "Our dual carbon goals"\nmsgstr "我们的双碳目标"\n', encoding="utf-8")
    glossary = tmp_path / "terms.tsv"
    glossary.write_bytes("source\ttarget\n双碳\tdual carbon\n".encode("gbk"))
    extra = ["--no-cache"] if command == "scan" else []
    refused = run_mtqa(command, po, "--glossary", glossary, "--no-model", *extra)
    assert_one_line_error(refused, "terms.tsv", "--glossary-encoding")
    read = run_mtqa(command, po, "--glossary", glossary, "--glossary-encoding", "gbk", "--no-model", *extra)
    assert read.returncode in (0, 1) and "Traceback" not in read.stderr, read.stderr
