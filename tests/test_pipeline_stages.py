"""Every entry point goes through the same stage functions: ``mtqa align``, ``mtqa check`` and the API
``mtqa.check`` give the same beads; reports carry a signature of what made them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import mtqa
from mtqa.align.length import LengthAligner
from mtqa.cli import main_group
from mtqa.pipeline import DEFAULT_ALIGNER, CheckOptions, align, prepare
from mtqa.textio import read_text

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "liaoning-cecep"
SOURCE, TARGET = SAMPLE / "source.zh.txt", SAMPLE / "translation.en.txt"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main_group, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def beads_of(pairs) -> list[tuple[list[int], list[int]]]:
    return [(list(p.source_segments), list(p.target_segments)) for p in pairs]


def test_mtqa_align_and_check_produce_the_same_beads_on_the_sample():
    """One default aligner for the API and the command line, and one prepare/align path for both."""
    aligned = json.loads(cli("align", str(SOURCE), str(TARGET), "-f", "json"))
    from_align = [(b["source"], b["target"]) for b in aligned["beads"]]

    checked = json.loads(cli("check", str(SOURCE), str(TARGET), "--no-model", "-f", "json"))
    from_check = [(p["source_segments"], p["target_segments"]) for p in checked["pairs"]]

    report = mtqa.check(read_text(SOURCE)[0], read_text(TARGET)[0], source_path=str(SOURCE),
                        target_path=str(TARGET))
    from_api = beads_of(report.pairs)

    assert len(from_align) > 20
    assert from_align == from_check == from_api
    assert aligned["aligner"] == mtqa.create_aligner(DEFAULT_ALIGNER).name


def test_the_stages_compose_to_what_check_returns():
    source, target = read_text(SOURCE)[0], read_text(TARGET)[0]
    prepared = prepare(source, target)
    assert (prepared.source_language.code, prepared.target_language.code) == ("zh", "en")
    pairs = align(prepared, LengthAligner())
    report = mtqa.check(source, target, aligner=LengthAligner())
    assert beads_of(pairs) == beads_of(report.pairs)


def test_every_report_has_a_signature_that_follows_what_made_it():
    zh, en = "省长主持会议。郝鹏讲话。", "The governor chaired the meeting. Hao Peng spoke."
    first = mtqa.check(zh, en, aligner=LengthAligner())
    again = mtqa.check(zh, en, aligner=LengthAligner())
    fewer = mtqa.check(zh, en, aligner=LengthAligner(), options=CheckOptions(disabled_checks={"punctuation"}))
    assert first.signature is not None
    assert str(first.signature) == str(again.signature)
    text = str(first.signature)
    assert text.startswith(f"mtqa:{mtqa.__version__}|align:length@") and "|score:none|calib:none|" in text
    # Fewer checks: other code ran, and other settings.
    assert fewer.signature.checks != first.signature.checks
    assert fewer.signature.settings != first.signature.settings
    assert fewer.signature.aligner == first.signature.aligner


def test_the_signature_is_in_the_json_and_the_terminal_footer():
    data = json.loads(cli("check", str(SOURCE), str(TARGET), "--no-model", "--aligner", "length",
                          "-f", "json"))
    signature = data["signature"]
    assert signature["text"].startswith("mtqa:") and signature["aligner"].startswith("length@")
    assert signature["scorer"] == "none"
    rich = cli("check", str(SOURCE), str(TARGET), "--no-model", "--aligner", "length")
    assert f"signature {signature['text']}" in rich.replace("\n", "")
