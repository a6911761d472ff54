"""Contrast test (no human labels): does the estimate rank an intact translation above a damaged copy?

    python tools/contrast_sets.py                   # once: intact + damaged items (mtqa.contrast, seeded)
    python tools/qe_states.py items benchmarks/.features/contrast_items.jsonl contrast   # once: features
    python benchmarks/contrast.py                   # the shipped head (installed package) and baselines

The eval set: 50 WMT21 TED source segments outside the MQM sample the heads are trained on; for each, the
two human references (``ref``, ``refB``) and the best MT output by MQM, each intact and damaged once per
kind (``mtqa.contrast``: omission, addition, number, entity, negation, swap). Accuracy = share of (intact,
damaged) pairs where the intact copy scores higher (a tie counts one half). ``benchmarks/judge.py`` prints
the same table for each leave-one-dataset-out fold's head.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # the training data code
import qe_data

from mtqa.contrast import KINDS
from mtqa.score.quality import QualityModel, load_quality_model

Predictor = Callable[[list], np.ndarray]


def accuracy(contrast, predictors: dict[str, Predictor]) -> dict[str, dict[str, tuple[float, int]]]:
    """predictor → damage kind → (accuracy, pairs) on the eval contrast set."""
    evaluation = [c for c in contrast if c.which == "eval"]
    by_group = defaultdict(dict)
    for c in evaluation:
        by_group[c.group][c.kind] = c
    out = {}
    for name, predict in predictors.items():
        scores = dict(zip((c.key for c in evaluation), predict(evaluation).tolist(), strict=True))
        per_kind = defaultdict(list)
        for group in by_group.values():
            intact = group.get("intact")
            if intact is None:
                continue
            for kind, damaged in group.items():
                if kind != "intact":
                    a, b = scores[intact.key], scores[damaged.key]
                    per_kind[kind].append(1.0 if a > b else 0.5 if a == b else 0.0)
        out[name] = {k: (float(np.mean(v)), len(v)) for k, v in per_kind.items()}
    return out


def model_predictors(model: QualityModel, prefix: str = "") -> dict[str, Predictor]:
    def head(name):
        def predict(items):
            pooled = np.stack([c.pooled for c in items]) if model.heads[name].needs_states else None
            return model.heads[name].raw([c.features for c in items], pooled)

        return predict

    return {f"{prefix}estimate": head("estimate"), f"{prefix}adequacy": head("adequacy")}


def baseline_predictors() -> dict[str, Predictor]:
    def feature(name):
        return lambda items: np.array([c.features[name] for c in items])

    def zsum(items):
        parts = [np.array([c.features[n] for c in items]) for n in ("pmi_fwd", "pmi_rev")]
        return sum((p - p.mean()) / (p.std() or 1.0) for p in parts)

    return {"pmi_fwd": feature("pmi_fwd"), "pmi_rev": feature("pmi_rev"), "zsum (pmi_fwd+pmi_rev)": zsum,
            "-length": lambda items: -np.array([len(c.target) for c in items], float)}


def print_accuracy(table: dict[str, dict[str, tuple[float, int]]], title: str) -> None:
    print(f"\n{title}")
    counts = next(iter(table.values()))
    print(f"  {'predictor':26s} " + " ".join(f"{k:>9s}" for k in KINDS))
    print(f"  {'(pairs)':26s} " + " ".join(f"{counts.get(k, (0, 0))[1]:9d}" for k in KINDS))
    for name, per_kind in table.items():
        print(f"  {name:26s} " + " ".join(
            f"{per_kind[k][0]:9.3f}" if k in per_kind else f"{'n/a':>9s}" for k in KINDS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--head", help="a quality head file instead of the shipped one")
    args = parser.parse_args()
    contrast = qe_data.load_contrast()
    model = load_quality_model(args.head)
    predictors = {**model_predictors(model), **baseline_predictors()}
    print_accuracy(accuracy(contrast, predictors),
                   f"contrast accuracy, shipped head {model.version} ({model.meta.get('design')}); "
                   f"intact above damaged, WMT21 TED segments outside the training sample")


if __name__ == "__main__":
    main()
