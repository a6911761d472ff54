"""Every design candidate's figures on each left-out set, and on the bundled sample: what was tried.

    python benchmarks/judge_candidates.py                    # all candidates of tools/train_quality.py
    python benchmarks/judge_candidates.py --only hidden-rank hidden-rank+coverage

**Not a way to choose.** ``benchmarks/judge.py`` chooses each fold's design by the inner criterion on the
training sets and reports only that design; this prints, for the record, what each candidate would have
given on the left-out set (estimate head only): Spearman with raw and z-normalised MQM, partial Spearman
with target length held fixed, within-source τ, omission contrast accuracy, and ``len`` = Spearman of the
estimate with the target length on the left-out set (strongly negative: the head ranks by length). The
``sample`` columns fit each candidate on all three sets and score the bundled sample's pairs (the model
runs once, 24 pairs): Spearman with target length, and the rank of the issue 9 pair (1 = lowest of 24).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # the training code
import metrics
import qe_data
import train_quality as tq
from contrast import accuracy
from judge import figures
from sample_ranking import MARKERS, SAMPLE


def sample_inputs():
    """The sample's scored pairs (texts from ``mtqa check -f json``) → features and pooled states."""
    from mtqa.languages import get_language
    from mtqa.score.lm import create_model
    from mtqa.score.neural import analyse_pairs

    command = ["mtqa", "check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"),
               "--glossary", str(SAMPLE / "glossary.tsv"), "-f", "json", "-q"]
    report = json.loads(subprocess.run(command, capture_output=True, text=True, check=False).stdout)
    pairs = [p for p in report["pairs"] if p.get("estimate") is not None]
    texts = [(p["source_text"], p["target_text"]) for p in pairs]
    zh, en = get_language("zh"), get_language("en")
    analyses = analyse_pairs(create_model("gemma3-270m", quiet=True), texts, zh.prompt_name or zh.name,
                             en.prompt_name or en.name, pooled=True)
    issue = next(k for k, (_, t) in enumerate(texts) if all(m in t for m in MARKERS))
    return ([a.features for a in analyses], np.stack([a.pooled for a in analyses]),
            [len(t) for _, t in texts], issue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="these candidates only")
    args = parser.parse_args()
    candidates = [d for d in tq.CANDIDATES if not args.only or d.name in args.only]
    items = qe_data.load_mqm()
    contrast = qe_data.load_contrast()
    print(f"  {'left out':7s} {'candidate':44s} {'rho':>6s} {'rho_z':>6s} {'rho|len':>7s} {'within':>6s} "
          f"{'omis.':>6s} {'len':>6s}")
    for held in qe_data.DATASETS:
        train = [i for i in items if i.dataset != held]
        test = [i for i in items if i.dataset == held]
        length = [float(len(i.target)) for i in test]
        for design in candidates:
            head = tq.fit_head(train, contrast, design)
            p = tq.predict(head, test)
            f = figures(test, p)
            omission = accuracy(contrast, {"e": lambda c, h=head: tq.predict(h, c)})["e"]["omission"][0]
            print(f"  {qe_data.SHORT[held]:7s} {design.name:44s} {f['rho']:6.3f} {f['rho_z']:6.3f} "
                  f"{f['rho_len']:7.3f} {f['within']:6.3f} {omission:6.3f} "
                  f"{metrics.spearman(list(map(float, p)), length):6.3f}", flush=True)
    features, pooled, length, issue = sample_inputs()
    print(f"\nbundled sample ({len(length)} pairs), each candidate fitted on all three sets")
    print(f"  {'candidate':44s} {'Spearman(estimate, length)':>27s} {'issue-9 pair rank':>18s}")
    for design in candidates:
        head = tq.fit_head(items, contrast, design)
        p = head.raw(features, pooled if head.needs_states else None)
        rank = int((p < p[issue]).sum()) + 1
        print(f"  {design.name:44s} {metrics.spearman(list(map(float, p)), length):27.3f} "
              f"{rank:15d}/{len(length)}", flush=True)


if __name__ == "__main__":
    main()
