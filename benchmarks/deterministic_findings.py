"""Deterministic findings (everything but the neural check) on published human translations: the MAC-Dev
chapters of ``../shared/eval/bertalign_mac_zhen/dev`` (each chapter checked as one document, as a user
would: ``mtqa check zh/NNN en/NNN --no-model``) and the sample. Good translations: every major finding
here is a false alarm until read and shown otherwise.

Prints findings by check and severity per corpus, and with ``--majors`` every major finding with its
source and target text, for reading by hand. Runs the ``mtqa`` on ``PYTHONPATH`` (a worktree of an older
commit gives the "before" column).

    python benchmarks/deterministic_findings.py [--majors] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = Path(os.environ.get("MTQA_EVAL_DIR", ROOT.parent / "shared" / "eval"))
MAC_DEV = EVAL_DIR / "bertalign_mac_zhen" / "dev"
SAMPLE = ROOT / "samples" / "liaoning-cecep"


def runs() -> list[tuple[str, list[str]]]:
    """(corpus name, mtqa check arguments) for every document checked."""
    documents = []
    for source in sorted((MAC_DEV / "zh").glob("[0-9]*")):
        documents.append(("MAC-Dev " + source.name, [str(source), str(MAC_DEV / "en" / source.name)]))
    documents.append((
        "sample",
        [str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"),
         "--glossary", str(SAMPLE / "glossary.tsv")],
    ))
    return documents


def check(arguments: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "mtqa", "check", *arguments, "--no-model", "-q", "-f", f"json={out}"]
        # cwd outside the repository: ``python -m`` puts the working directory first on sys.path.
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tmp)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}")
        return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--majors", action="store_true", help="print every major finding")
    parser.add_argument("--json", type=Path, help="write all findings as JSON")
    args = parser.parse_args()
    if not MAC_DEV.is_dir():
        print(f"{MAC_DEV}: not found", file=sys.stderr)
        return 2
    totals: dict[str, Counter] = {"MAC-Dev": Counter(), "sample": Counter()}
    words: Counter = Counter()
    passed: Counter = Counter()
    dump = []
    for name, arguments in runs():
        report = check(arguments)
        corpus = name.split()[0]
        words[corpus] += report["summary"]["words"]
        passed[corpus] += report["summary"]["passed"]
        pairs = {pair["id"]: pair for pair in report["pairs"]}
        for finding in report["findings"]:
            if finding["check"] == "neural":
                continue
            totals[corpus][(finding["check"], finding["severity"])] += 1
            pair = pairs.get(finding.get("pair"), {})
            source, target = pair.get("source_text", ""), pair.get("target_text", "")
            dump.append({"document": name, "pair_source": source, "pair_target": target, **finding})
            if args.majors and finding["severity"] in ("major", "critical"):
                print(f"[{name}] {finding['check']} {finding['severity']}: {finding['message']}\n"
                      f"    zh: {source[:300]}\n    en: {target[:400]}")
    keys = sorted({key for counts in totals.values() for key in counts})
    width = max([14] + [len(check_name) + 2 for check_name, _ in keys])
    print(f"{'check':<{width}}{'severity':<10}" + "".join(f"{corpus:>10}" for corpus in totals))
    for check_name, severity in keys:
        row = "".join(f"{totals[corpus][(check_name, severity)]:>10}" for corpus in totals)
        print(f"{check_name:<{width}}{severity:<10}{row}")
    print(f"{'total':<{width + 10}}" + "".join(f"{sum(totals[corpus].values()):>10}" for corpus in totals))
    print(f"{'words (target)':<{width + 10}}" + "".join(f"{words[corpus]:>10}" for corpus in totals))
    documents = Counter(name.split()[0] for name, _ in runs())
    print(f"{'gate passed':<{width + 10}}" + "".join(f"{f'{passed[c]}/{documents[c]}':>10}" for c in totals))
    if args.json:
        args.json.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
