"""Stable fingerprints and baselines (`--baseline`, `--write-baseline`) for `mtqa check` and `mtqa scan`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mtqa.baseline import fingerprints, load_baseline
from mtqa.errors import MtqaError
from mtqa.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "liaoning-cecep"
SARIF_SCHEMA = ROOT / "tests" / "schemas" / "sarif-2.1.0.json"


def mtqa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtqa", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd)


def _report(target: str):
    from mtqa.align import create_aligner
    from mtqa.glossary import load_glossaries

    source = "会议讨论了双碳目标。\n\n我们走访了三个城市。\n\n他们还谈到了双碳问题。\n"
    glossary = load_glossaries([str(SAMPLE / "glossary.tsv")], "zh", "en")
    return check(source, target, glossary=glossary, source_lang="zh", target_lang="en",
                 aligner=create_aligner("length"))


def test_fingerprint_ignores_offsets_and_tells_sentences_apart():
    before = _report("The meeting discussed the double carbon goal.\n\nWe visited three cities.\n\n"
                     "They also talked about the double carbon issue.\n")
    # An edit in the middle sentence moves every later offset; the two findings keep their fingerprints.
    after = _report("The meeting discussed the double carbon goal.\n\nLast week we visited three big cities "
                    "in the north.\n\nThey also talked about the double carbon issue.\n")
    forbidden = [i for i, f in enumerate(before.findings) if "double carbon" in f.message]
    assert len(forbidden) == 2
    first, second = (fingerprints(before)[i] for i in forbidden)
    assert first != second  # the same forbidden term in two sentences: two fingerprints
    assert [fingerprints(after)[i] for i, f in enumerate(after.findings) if "double carbon" in f.message] == \
        [first, second]
    assert [f.target_span.start for f in after.findings if "double carbon" in f.message] != \
        [f.target_span.start for f in before.findings if "double carbon" in f.message]


def test_fingerprint_changes_when_the_flagged_text_changes():
    a = _report("The meeting discussed the double carbon goal.\n\nWe visited three cities.\n\n"
                "They also talked about the double carbon issue.\n")
    b = _report("The meeting discussed the double carbon target.\n\nWe visited three cities.\n\n"
                "They also talked about the double carbon issue.\n")
    assert fingerprints(a)[0] != fingerprints(b)[0]  # its own context changed
    assert fingerprints(a)[-1] == fingerprints(b)[-1]


@pytest.mark.parametrize("content, problem", [
    ("{not json", "invalid JSON"),
    ("[]", "expected a JSON object"),
    ('{"mtqa_baseline": 2, "findings": []}', "version 2"),
    ('{"mtqa_baseline": 1, "findings": [{"state": "known"}]}', "no fingerprint"),
    ('{"mtqa_baseline": 1, "findings": [{"fingerprint": "ab", "state": "maybe"}]}', "state 'maybe'"),
    ('{"mtqa_baseline": 1, "findings": [{"fingerprint": "ab", "colour": "red"}]}', "unknown key"),
])
def test_malformed_baseline_is_one_line_exit_2(tmp_path, content, problem):
    path = tmp_path / "base.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MtqaError, match=problem):
        load_baseline(path)
    completed = mtqa("check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"), "--no-model",
                     "--aligner", "length", "--baseline", str(path))
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and problem in completed.stderr
    assert "Traceback" not in completed.stderr


def test_sample_edit_reports_exactly_the_new_finding(tmp_path):
    """Write a baseline of the sample, fix one error and introduce another: only the new one is new."""
    base = tmp_path / "base.json"
    glossary = str(SAMPLE / "glossary.tsv")
    first = mtqa("check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"), "--glossary",
                 glossary, "--no-model", "--write-baseline", str(base), "-f", f"json={tmp_path / 'a.json'}",
                 "-q")
    assert first.returncode == 1, first.stderr
    before = json.loads((tmp_path / "a.json").read_text())["findings"]
    entries = json.loads(base.read_text())["findings"]
    assert [e["fingerprint"] for e in entries] == [f["fingerprint"] for f in before]
    assert "baseline_state" not in before[0]  # no --baseline: no states

    text = (SAMPLE / "translation.en.txt").read_text(encoding="utf-8")
    assert text.count("Liaoshen Battle") == 1 and text.count("On April 3,") == 1
    edited = tmp_path / "translation.en.txt"
    # Fix the forbidden "Liaoshen Battle" (every later offset moves) and change a date (a new major error).
    edited.write_text(text.replace("Liaoshen Battle", "Liaoshen Campaign")
                      .replace("On April 3,", "On April 5,"), encoding="utf-8")
    second = mtqa("check", str(SAMPLE / "source.zh.txt"), str(edited), "--glossary", glossary, "--no-model",
                  "--baseline", str(base), "-f", f"json={tmp_path / 'b.json'}", "-f",
                  f"sarif={tmp_path / 'b.sarif'}", "-q")
    assert second.returncode == 1, second.stderr  # the new finding is major
    data = json.loads((tmp_path / "b.json").read_text())
    new = [f for f in data["findings"] if f["baseline_state"] == "new"]
    assert [(f["check"], f["severity"]) for f in new] == [("numbers", "major")]
    assert "changed to '5'" in new[0]["message"]
    assert data["summary"]["baseline"] == {"new": 1, "unchanged": len(before) - 1, "absent": 1}
    # The baseline decides the verdict, so the signature names it; without one the signature is as before.
    unbased = json.loads((tmp_path / "a.json").read_text())["signature"]
    assert unbased["baseline"] == "none" and "|baseline:" not in unbased["text"]
    based = data["signature"]
    assert based["baseline"] != "none" and based["text"] == f"{unbased['text']}|baseline:{based['baseline']}"
    assert not any("Liaoshen Battle" in f["message"] for f in data["findings"])

    sarif = json.loads((tmp_path / "b.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert [r["baselineState"] for r in results].count("new") == 1
    assert all("mtqaFingerprint/v2" in r["partialFingerprints"] for r in results)

    # Only the fix, no new error: every remaining finding is known and the gate passes.
    edited.write_text(text.replace("Liaoshen Battle", "Liaoshen Campaign"), encoding="utf-8")
    third = mtqa("check", str(SAMPLE / "source.zh.txt"), str(edited), "--glossary", glossary, "--no-model",
                 "--baseline", str(base), "-q")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "baseline: 0 new" in third.stdout


def test_fixed_entry_that_comes_back_is_new_and_reason_carries_over(tmp_path):
    base = tmp_path / "base.json"
    args = ["check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"), "--glossary",
            str(SAMPLE / "glossary.tsv"), "--no-model", "--aligner", "length", "-q"]
    assert mtqa(*args, "--write-baseline", str(base)).returncode == 1
    data = json.loads(base.read_text())
    majors = [e for e in data["findings"] if e["severity"] == "major"]
    for entry in data["findings"]:
        entry["state"] = "dismissed"
        entry["reason"], entry["author"] = "checked by hand", "reviewer"
    majors[0]["state"] = "fixed"  # claimed fixed, but still in the text
    base.write_text(json.dumps(data), encoding="utf-8")
    again = mtqa(*args, "--baseline", str(base), "-f", "json",
                 "--write-baseline", str(tmp_path / "next.json"))
    assert again.returncode == 1
    report = json.loads(again.stdout)
    new = [f for f in report["findings"] if f["baseline_state"] == "new"]
    assert [f["fingerprint"] for f in new] == [majors[0]["fingerprint"]]
    known = [f for f in report["findings"] if f["baseline_state"] == "unchanged"]
    assert known and all(f["baseline"] == {"state": "dismissed", "reason": "checked by hand",
                                           "author": "reviewer"} for f in known)
    carried = json.loads((tmp_path / "next.json").read_text())["findings"]
    assert sum(e.get("reason") == "checked by hand" for e in carried) == len(carried)


def test_scan_baseline_is_per_file(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "samples" / "l10n", repo)
    base = tmp_path / "base.json"
    first = mtqa("scan", ".", "--no-cache", "--write-baseline", str(base), "-q", cwd=repo)
    assert first.returncode == 1, first.stderr
    entries = json.loads(base.read_text())["findings"]
    assert len(entries) == 4 and all(e["path"] for e in entries)
    second = mtqa("scan", ".", "--no-cache", "--baseline", str(base), "-f", "json", cwd=repo)
    assert second.returncode == 0, second.stderr
    terminal = mtqa("scan", ".", "--no-cache", "--baseline", str(base), "-q", cwd=repo)
    assert terminal.returncode == 0 and "baseline: 0 new, 4 known" in terminal.stdout
    data = json.loads(second.stdout)
    assert data["summary"]["passed"] is True
    assert data["signature"]["text"].endswith(f"|baseline:{data['signature']['baseline']}")
    assert all(f["baseline_state"] == "unchanged" for file in data["files"] for f in file["findings"])
    # An entry is for its file only: moved to another path, it no longer matches.
    for entry in entries:
        entry["path"] = "elsewhere/" + entry["path"]
    base.write_text(json.dumps({"mtqa_baseline": 1, "findings": entries}), encoding="utf-8")
    moved = mtqa("scan", ".", "--no-cache", "--baseline", str(base), "-f", "json", cwd=repo)
    assert moved.returncode == 1
    assert json.loads(moved.stdout)["signature"]["baseline"] != data["signature"]["baseline"]
