"""Hits of the issue-13 checks on 200 WMT23 zh→en MT outputs (model off), for reading by hand.

    python benchmarks/new_checks_wmt.py [--backend pyspellchecker|hunspell] [-n 200] > hits.tsv

The 200 items: ``random.Random(13).sample`` of ../shared/eval/wmt23_mqm_zhen (all ten systems are MT). Each
item is checked as a pre-segmented pair with the identity of one source and one target line, so that
only the checks below run and no alignment decides anything. Prints one line per hit: check, system,
doc/seg, the flagged text, the message, and the target for context.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from mtqa.align import create_aligner
from mtqa.pipeline import CheckOptions, check

EVAL = (Path(__file__).resolve().parents[2] / "shared" / "eval" / "wmt23_mqm_zhen"
        / "wmt23_zhen_news_mqm.jsonl")
CHECKS = {"repeated_words", "doubled_punctuation", "identifiers", "target_consistency", "length",
          "custom_rules", "spelling"}


def items(n: int = 200, seed: int = 13) -> list[dict]:
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    return random.Random(seed).sample(rows, n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="pyspellchecker")
    parser.add_argument("-n", type=int, default=200, help="items (3770: every one)")
    args = parser.parse_args()
    options = CheckOptions(enabled_checks=set(CHECKS), fail_on=None, pre_segmented=True,
                           check_settings={"spelling": {"backend": args.backend}})
    aligner = create_aligner("length")
    totals: dict[str, int] = {name: 0 for name in sorted(CHECKS)}
    sample = items(args.n)
    words = 0
    for row in sample:
        source = " ".join(row["source"].split())
        target = " ".join(row["target"].split())
        if not source or not target:
            continue
        words += len(target.split())
        report = check(source, target, source_lang="zh", target_lang="en", aligner=aligner, options=options)
        for finding in report.findings:
            totals[finding.check] += 1
            span = finding.target_span or finding.source_span
            print("\t".join([finding.check, row["system"], f"{row['doc']}/{row['seg_id']}",
                             span.text if span else "", finding.message, target[:300]]))
    print(f"# {len(sample)} items, {words} target words; hits: {totals}", file=sys.stderr)


if __name__ == "__main__":
    main()
