"""Input formats and report renderers are registries: a toy format and a toy renderer registered from the
tests work end to end through the command line, with no other file touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtqa.cli import main_group
from mtqa.formats import FORMATS, BilingualFile, BilingualUnit, FormatInfo, detect_format, read_text_limited
from mtqa.report.outputs import RENDERERS, Renderer

ZH = "省长主持会议。郝鹏讲话。"
EN = "The governor chaired the meeting. Hao Peng spoke."


def read_toy(path, *, source_lang=None, target_lang=None, include_fuzzy=False) -> BilingualFile:
    """``key | source | target`` per line; the file declares zh → en."""
    units = []
    for number, line in enumerate(read_text_limited(path).splitlines(), start=1):
        if line.strip():
            key, source, target = (part.strip() for part in line.split("|"))
            units.append(BilingualUnit(key, source, target, str(path), number))
    return BilingualFile(str(path), "toy", units, source_lang="zh", target_lang="en")


@pytest.fixture
def toy_format(monkeypatch):
    monkeypatch.setitem(FORMATS, "toy", FormatInfo("toy", "Toy", (".toy",), read_toy))


@pytest.fixture
def toy_renderer(monkeypatch):
    def document(report, context):
        return f"toy: {report.summary.pairs} pairs, score {report.summary.score}, gate {context.fail_on}\n"

    def scan(result, context):
        return f"toy scan: {result.summary.files} files, {result.summary.units} strings\n"

    monkeypatch.setitem(RENDERERS, "toy", Renderer("toy", document, scan))


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


def write_toy(directory: Path) -> Path:
    path = directory / "strings.toy"
    path.write_text("greeting | 你好 | Hello\nfiles | 共有3个文件。 | There are 4 files.\n", encoding="utf-8")
    return path


def test_a_registered_format_is_detected_read_and_checked(toy_format, tmp_path):
    path = write_toy(tmp_path)
    assert detect_format(path) == "toy"
    result = run("check", str(path), "--no-model", "-f", "json")
    assert result.exit_code == 1, result.output  # the number mismatch is a major finding
    data = json.loads(result.output)
    (file,) = data["files"]
    assert file["format"] == "toy" and file["strings"] == 2
    assert [(f["check"], f["line"]) for f in file["findings"]] == [("numbers", 2)]


def test_a_registered_format_is_found_by_scan(toy_format, tmp_path):
    write_toy(tmp_path)
    result = run("scan", str(tmp_path), "--no-cache", "-f", "json")
    assert result.exit_code == 1, result.output
    assert [f["format"] for f in json.loads(result.output)["files"]] == ["toy"]


def test_without_the_registration_the_file_is_not_an_input(tmp_path):
    path = write_toy(tmp_path)
    assert detect_format(path) is None


def test_a_registered_renderer_writes_documents_and_scans(toy_renderer, toy_format, tmp_path):
    source, target = tmp_path / "zh.txt", tmp_path / "en.txt"
    source.write_text(ZH, encoding="utf-8")
    target.write_text(EN, encoding="utf-8")
    result = run("check", str(source), str(target), "--no-model", "--aligner", "length", "-f", "toy")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("toy: 2 pairs, score ") and result.output.endswith("gate major\n")

    out = tmp_path / "report.toy"
    result = run("check", str(source), str(target), "--no-model", "--aligner", "length", "-f", "rich",
                 "-f", f"toy={out}")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("toy: 2 pairs")

    strings = tmp_path / "strings"
    strings.mkdir()
    write_toy(strings)
    result = run("scan", str(strings), "--no-cache", "-f", "toy")
    assert result.output == "toy scan: 1 files, 2 strings\n"


def test_a_renderer_without_a_scan_rendering_is_refused_for_a_scan(monkeypatch, tmp_path):
    monkeypatch.setitem(RENDERERS, "pairsonly", Renderer("pairsonly", lambda report, context: ""))
    write_toy(tmp_path)
    result = run("scan", str(tmp_path), "--no-cache", "-f", "pairsonly")
    assert result.exit_code != 0
    assert "renders one document pair" in str(result.exception or result.output)
