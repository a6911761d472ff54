"""Reference metrics: mtqa's figures equal sacrebleu's own (its CLI and its Python API) on the same
segments, the reference is segmented and aligned like the source, and per-pair chrF lands on the right
pairs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import sacrebleu

import mtqa
from mtqa.commands.score import score_systems
from mtqa.metrics import corpus_scores, make_metrics, reference_metrics

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "liaoning-cecep"
TED = ROOT.parent / "shared" / "eval" / "wmt21_ted_mqm_zhen" / "wmt21_ted_zhen_mqm.jsonl"


def sacrebleu_cli(*args: str) -> str:
    executable = shutil.which("sacrebleu")
    command = [executable] if executable else [sys.executable, "-m", "sacrebleu"]
    result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def mtqa_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtqa", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture(scope="module")
def line_files(tmp_path_factory) -> dict[str, Path]:
    """A reference and two systems, one line per segment: the sample's English lines and two edits of it."""
    folder = tmp_path_factory.mktemp("lines")
    lines = [line for line in (SAMPLE / "translation.en.txt").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    fixed = [line.replace("double carbon", "dual carbon").replace("Liaoshen Battle", "Liaoshen Campaign")
             for line in lines]
    dropped = [" ".join(w for k, w in enumerate(line.split()) if k % 6 != 5) for line in lines]
    files = {"ref": fixed, "sys1": lines, "sys2": dropped}
    paths = {}
    for name, content in files.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_text("\n".join(content) + "\n", encoding="utf-8")
    return paths


def test_score_equals_sacrebleu_cli(line_files):
    ref, sys1 = str(line_files["ref"]), str(line_files["sys1"])
    ours = mtqa_cli("score", "-r", ref, sys1, "-m", "bleu", "chrf", "ter", "-f", "json")
    assert ours.returncode == 0, ours.stderr
    ours_scores = json.loads(ours.stdout)["systems"][0]["scores"]
    theirs = json.loads(sacrebleu_cli(ref, "-i", sys1, "-m", "bleu", "chrf", "ter", "-w", "6"))
    assert [s["name"] for s in ours_scores] == [s["name"] for s in theirs] == ["BLEU", "chrF2", "TER"]
    for mine, reference in zip(ours_scores, theirs, strict=True):
        assert round(mine["score"], 6) == pytest.approx(reference["score"], abs=1e-6)
        assert mine["signature"] == reference["signature"]
    assert 0 < ours_scores[0]["score"] < 100  # a real difference, not a trivial 100


def test_score_equals_sacrebleu_python_api(line_files):
    hyps = line_files["sys2"].read_text(encoding="utf-8").splitlines()
    refs = line_files["ref"].read_text(encoding="utf-8").splitlines()
    ours = {s.name: s for s in corpus_scores(hyps, refs)}
    assert ours["BLEU"].score == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert ours["chrF2"].score == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert ours["TER"].score == sacrebleu.corpus_ter(hyps, [refs]).score
    assert ours["BLEU"].text == str(sacrebleu.corpus_bleu(hyps, [refs]))


def test_paired_bootstrap_equals_sacrebleu(line_files):
    ref, sys1, sys2 = (str(line_files[k]) for k in ("ref", "sys1", "sys2"))
    ours = mtqa_cli("score", "-r", ref, sys1, sys2, "-m", "bleu,chrf", "--paired-bs-n", "200", "-f", "json")
    assert ours.returncode == 0, ours.stderr
    systems = json.loads(ours.stdout)["systems"]
    table = sacrebleu_cli(ref, "-i", sys1, sys2, "-m", "bleu", "chrf", "--paired-bs", "--paired-bs-n", "200",
                          "--format", "text")
    # sacrebleu's table: "score (mean ± ci)" per metric, then "(p = 0.0050)*" for the second system.
    cells = re.findall(r"(\d+\.\d) \((\d+\.\d) ± (\d+\.\d)\)", table)
    p_values = [float(p) for p in re.findall(r"\(p = (\d\.\d+)\)", table)]
    assert len(cells) == 4 and len(p_values) == 2
    mine = [score for system in systems for score in system["scores"]]
    for score, (value, mean, ci) in zip(mine, cells, strict=True):
        assert f"{score['score']:.1f}" == value
        assert f"{score['mean']:.1f}" == mean
        assert f"{score['ci']:.1f}" == ci
    assert [round(s["p_value"], 4) for s in systems[1]["scores"]] == p_values
    assert systems[0]["scores"][0]["signature"].startswith("nrefs:1|bs:200|seed:12345|")


def test_score_refuses_files_of_different_lengths(line_files, tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("one line\n", encoding="utf-8")
    result = mtqa_cli("score", "-r", str(line_files["ref"]), str(short))
    assert result.returncode == 2
    assert "different numbers of lines" in result.stderr and "--align" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_score_align_mode_reflowed_system_is_perfect(tmp_path):
    text = (SAMPLE / "translation.en.txt").read_text(encoding="utf-8")
    reflowed = tmp_path / "reflowed.txt"
    # Paragraphs joined and broken elsewhere: lines no longer correspond, sentences do.
    reflowed.write_text(text.replace("\n\n", "\n").replace(". ", ".\n"), encoding="utf-8")
    result = mtqa_cli("score", "-r", str(SAMPLE / "translation.en.txt"), str(reflowed), "--align",
                      "-f", "json")
    assert result.returncode == 0, result.stderr
    scores = {s["name"]: s["score"] for s in json.loads(result.stdout)["systems"][0]["scores"]}
    assert scores["BLEU"] == pytest.approx(100.0) and scores["TER"] == pytest.approx(0.0)


@pytest.fixture(scope="module")
def sample_report():
    source = (SAMPLE / "source.zh.txt").read_text(encoding="utf-8")
    target = (SAMPLE / "translation.en.txt").read_text(encoding="utf-8")
    from mtqa.align.length import LengthAligner

    return mtqa.check(source, target, glossary=mtqa.load_glossary(str(SAMPLE / "glossary.tsv")),
                      aligner=LengthAligner())


def test_reference_is_aligned_not_read_line_by_line(sample_report):
    target = sample_report.target.text
    reflowed = target.replace("\n\n", "\n").replace(". ", ".\n")
    metrics = reference_metrics(sample_report, reflowed)
    scores = {s.name: s.score for s in metrics.corpus}
    assert scores["BLEU"] == pytest.approx(100.0)
    assert scores["chrF2"] == pytest.approx(100.0)
    assert scores["TER"] == pytest.approx(0.0)
    assert all(value == pytest.approx(100.0) for value in metrics.pair_chrf.values())
    assert set(metrics.pair_chrf) == {p.id for p in sample_report.pairs if p.target_segments}


def test_pair_chrf_drops_only_where_the_reference_differs(sample_report):
    target = sample_report.target.text
    reference = target.replace("Liaoshen Battle", "Liaoshen Campaign")
    metrics = reference_metrics(sample_report, reference)
    changed = {p.id for p in sample_report.pairs if "Liaoshen Battle" in p.target_text(sample_report.target)}
    assert changed
    for pair_id, value in metrics.pair_chrf.items():
        if pair_id in changed:
            assert value < 100
        else:
            assert value == pytest.approx(100.0)


def test_reference_figures_equal_sacrebleu_on_the_aligned_segments(sample_report):
    reference = sample_report.target.text.replace("double carbon", "dual carbon").replace("See also", "")
    metrics = reference_metrics(sample_report, reference)
    hyps = [h for h, _ in metrics.segments]
    refs = [r for _, r in metrics.segments]
    by_name = {s.name: s for s in metrics.corpus}
    assert by_name["BLEU"].score == sacrebleu.corpus_bleu(hyps, [refs]).score < 100
    assert by_name["chrF2"].score == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert by_name["TER"].score == sacrebleu.corpus_ter(hyps, [refs]).score
    bleu = sacrebleu.BLEU()
    bleu.corpus_score(hyps, [refs])
    assert by_name["BLEU"].signature == str(bleu.get_signature())
    # Every target and reference segment is used exactly once.
    assert " ".join(hyps).split() == " ".join(s.text for s in sample_report.target.segments).split()


def test_check_reference_in_json_and_rich(tmp_path):
    reference = tmp_path / "reference.en.txt"
    reference.write_text((SAMPLE / "translation.en.txt").read_text(encoding="utf-8")
                         .replace("double carbon", "dual carbon"), encoding="utf-8")
    out = tmp_path / "out.json"
    result = mtqa_cli("check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"),
                      "--no-model", "--aligner", "length", "--reference", str(reference),
                      "-f", "rich", "-f", f"json={out}")
    assert result.returncode == 1, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    corpus = {entry["name"]: entry for entry in data["reference"]["corpus"]}
    assert set(corpus) == {"BLEU", "chrF2", "TER"}
    assert corpus["BLEU"]["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|")
    chrf = [pair["chrf"] for pair in data["pairs"] if pair["target_segments"]]
    assert all(value is not None for value in chrf) and min(chrf) < 100
    assert "BLEU|nrefs:1|case:mixed" in result.stdout  # sacrebleu's signature, printed for the reader
    assert re.search(r"pair \d+ .*chrF \d+\.\d", result.stdout)  # per-pair chrF in the pair table
    assert "chrF2 = " in result.stdout


def test_target_language_picks_sacrebleu_tokenizer():
    def signature(name: str, lang: str) -> str:
        metric = make_metrics([name], lang)[name]
        metric.corpus_score(["一 二"], [["一 二"]])
        return str(metric.get_signature())

    assert "tok:zh" in signature("bleu", "zh")
    assert "asian:yes" in signature("ter", "zh")
    assert "tok:13a" in signature("bleu", "en")


@pytest.mark.skipif(not TED.exists(), reason="../shared/eval/wmt21_ted_mqm_zhen is not present")
def test_real_systems_against_human_reference(tmp_path):
    """WMT21 TED zh-en: two MT systems against the human reference 'ref', mtqa vs sacrebleu."""
    by_system: dict[str, dict[tuple, str]] = defaultdict(dict)
    with TED.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            by_system[row["system"]][(row["doc"], row["seg_id"])] = row["target"].replace("\n", " ")
    systems = sorted(name for name in by_system if name not in ("ref", "refB"))[:2]
    keys = sorted(set(by_system["ref"]).intersection(*(by_system[s] for s in systems)))[:200]
    assert len(keys) > 50
    paths = []
    for name in ["ref", *systems]:
        path = tmp_path / f"{name}.txt"
        path.write_text("\n".join(by_system[name][k] for k in keys) + "\n", encoding="utf-8")
        paths.append(str(path))
    hyps = [[by_system[name][k] for k in keys] for name in systems]
    ours = score_systems(systems[:1], hyps[:1], [[by_system["ref"][k] for k in keys]], ["bleu", "chrf"], "en")
    theirs = json.loads(sacrebleu_cli(paths[0], "-i", paths[1], "-m", "bleu", "chrf", "-w", "6"))
    for mine, reference in zip(ours["systems"][0]["scores"], theirs, strict=True):
        assert round(mine["score"], 6) == pytest.approx(reference["score"], abs=1e-6)
        assert mine["signature"] == reference["signature"]
