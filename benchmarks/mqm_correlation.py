"""Error detection of the neural scorer's spans against human MQM spans, and the score correlations on the
sampled items next to baselines and humans.

The quality estimate's own measure is ``benchmarks/judge.py`` (leave one dataset out); the correlations
here use the shipped quality head on log-prob features only (its features-only twin: this cache holds no
pooled hidden states), and its training sets are in-sample here.

    python benchmarks/extract_features.py     # once (cached features of the sampled items)
    python benchmarks/mqm_correlation.py      # tables for wmt23 (news, validation) and wmt21 TED (training)
    python benchmarks/mqm_correlation.py --json results.json

Segment level, MT systems only, on the same seeded sample of items the features were extracted for
(``evalsets.sample``; every MT system of each sampled source segment), each item scored whole as one pair:
flat Kendall τ-b (WMT22 style), Spearman, Pearson, per-item Kendall across the systems of one source
(WMT23 style, ``group_key=("doc", "seg_id")``), and the partial Spearman with the target length held fixed
(MQM sums penalties, so length alone correlates with it). Then error detection per class with the eval
pack's ``segment_detection_prf`` and ``span_prf`` for the scorer's model spans, and on wmt23 the human
ceiling: each rater against the other two, with the model scored against the same two-rater gold.

Note: every dataset here is a *training* set of the shipped quality head; its figures are in-sample.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import evalsets
import metrics
from extract_features import read_cache

from mtqa.score.quality import load_quality_model

DATASETS = ("wmt23_mqm_zhen", "wmt21_ted_mqm_zhen")
CLASSES = ("omission", "addition", "mistranslation", "terminology")
# Single raw features shown for diagnosis (sign as is: a negative figure means "higher feature, worse").
DIAGNOSTIC_FEATURES = ("tgt_lp_cond", "pmi_fwd", "pmi_rev", "slor")


def load_rows(dataset: str) -> list[dict]:
    """Sampled items with their cached features and every predictor as a column."""
    items = evalsets.sample(evalsets.load(dataset))
    model = read_cache(dataset, "model")
    base = read_cache(dataset, "baselines")
    calibration = load_quality_model() if model else None
    rows = []
    for row in items:
        key = row["key"]
        if model and key not in model:
            continue  # compare every predictor on the same items
        features = {**base.get(key, {}).get("features", {}), **model.get(key, {}).get("features", {})}
        row = {**row, "features": features, "model_spans": model.get(key, {}).get("spans", [])}
        row["len_ratio"] = features.get("len_ratio", len(row["target"]) / max(1, len(row["source"])))
        row["use_cosine"] = features.get("use_cosine")
        row["neg_tgt_length"] = -len(row["target"])
        if calibration is not None:
            scores = calibration.scores(features)
            row.update(
                estimate=scores.estimate, adequacy=scores.adequacy, fluency=scores.fluency, mqm=scores.mqm
            )
        for name in DIAGNOSTIC_FEATURES:
            row[f"f:{name}"] = features.get(name)
        rows.append(row)
    return rows


def correlations(rows: list[dict], column: str) -> dict | None:
    helpers = evalsets.eval_helpers()
    sub = [r for r in rows if r.get(column) is not None]
    if len(sub) < 10:
        return None
    pred = [r[column] for r in sub]
    gold = [r["mqm_score"] for r in sub]
    length = [len(r["target"]) for r in sub]
    return {
        "n": len(sub),
        "kendall_flat": helpers.grouped_corr(sub, column),
        "spearman": metrics.spearman(pred, gold),
        "pearson": metrics.pearson(pred, gold),
        "kendall_per_item": helpers.grouped_corr(sub, column, group_key=("doc", "seg_id")),
        "partial_spearman_length": metrics.partial_spearman(pred, gold, length),
    }


def human_correlation(rows: list[dict]) -> dict | None:
    """One rater's MQM score against the mean of the other raters' (items with ≥ 2 raters), averaged
    over which rater is held out."""
    per_k = []
    for k in range(3):
        pred, gold = [], []
        for row in rows:
            scores = row.get("rater_scores") or {}
            raters = sorted(scores)
            if len(raters) < 2 or k >= len(raters):
                continue
            pred.append(scores[raters[k]])
            gold.append(statistics.mean(scores[r] for r in raters if r != raters[k]))
        if len(pred) >= 10:
            per_k.append((metrics.spearman(pred, gold), metrics.pearson(pred, gold)))
    if not per_k:
        return None
    return {
        "spearman": statistics.mean(s for s, _ in per_k),
        "pearson": statistics.mean(p for _, p in per_k),
    }


def model_predictions(rows: list[dict]) -> dict[tuple, list[dict]]:
    helpers = evalsets.eval_helpers()
    out = {}
    for row in rows:
        spans = [{**s, "cls": helpers.norm_cat(s["cls"])} for s in row["model_spans"]]
        out[(row["system"], row["doc"], row["seg_id"])] = spans
    return out


def detection(rows: list[dict]) -> dict[str, dict]:
    """Per class: the model against the gold of all raters (≥ 1 rater; on 3-rater data also ≥ 2), and on
    multi-rater data, the model and a held-out human rater against the other raters."""
    helpers = evalsets.eval_helpers()
    preds = model_predictions(rows)
    flags = {k: {s["cls"] for s in v} for k, v in preds.items()}
    multi = all(
        len({e.get("rater") for e in r["errors"]} | set(r.get("rater_scores") or {})) >= 2 for r in rows
    )
    out = {}
    for cls in CLASSES:
        flag = {k: cls in v for k, v in flags.items()}
        result = {
            "gold_segments": sum(
                any(helpers.norm_cat(e["category"]) == cls for e in r["errors"]) for r in rows
            ),
            "model_segments": sum(flag.values()),
            "model_seg_any": helpers.segment_detection_prf(rows, flag, cls, min_raters=1),
            "model_span_any": helpers.span_prf(rows, preds, cls),
        }
        if multi:
            result["model_seg_majority"] = helpers.segment_detection_prf(rows, flag, cls, min_raters=2)
            result.update(_held_out_rater(rows, preds, flag, cls))
        out[cls] = result
    return out


def _held_out_rater(rows, preds, flag, cls) -> dict:
    """Each rater (by position in the item's sorted rater list) against the others' errors; the model
    against the same gold. Averaged over the held-out position."""
    helpers = evalsets.eval_helpers()
    human_seg, human_span, model_seg, model_span = [], [], [], []
    for k in range(3):
        gold_rows, human_preds, human_flags = [], {}, {}
        for row in rows:
            raters = sorted(row.get("rater_scores") or {})
            if k >= len(raters):
                continue
            held = raters[k]
            key = (row["system"], row["doc"], row["seg_id"])
            gold_rows.append({**row, "errors": [e for e in row["errors"] if e.get("rater") != held]})
            mine = [e for e in row["errors"] if e.get("rater") == held and e.get("span_start") is not None]
            human_preds[key] = [
                {
                    "cls": helpers.norm_cat(e["category"]),
                    "side": e["span_side"],
                    "start": e["span_start"],
                    "end": e["span_end"],
                }
                for e in mine
            ]
            human_flags[key] = any(helpers.norm_cat(e["category"]) == cls for e in mine)
        human_seg.append(helpers.segment_detection_prf(gold_rows, human_flags, cls, min_raters=1))
        human_span.append(helpers.span_prf(gold_rows, human_preds, cls))
        model_seg.append(helpers.segment_detection_prf(gold_rows, flag, cls, min_raters=1))
        model_span.append(helpers.span_prf(gold_rows, preds, cls))

    def mean3(values):
        return tuple(statistics.mean(v[i] for v in values) for i in range(3))

    return {
        "human_seg_vs_others": mean3(human_seg),
        "human_span_vs_others": mean3(human_span),
        "model_seg_vs_others": mean3(model_seg),
        "model_span_vs_others": mean3(model_span),
    }


PREDICTORS = (
    ("estimate", "mtqa estimate"),
    ("adequacy", "mtqa adequacy"),
    ("fluency", "mtqa fluency"),
    ("mqm", "mtqa predicted MQM"),
    ("len_ratio", "baseline: tgt/src length ratio"),
    ("use_cosine", "baseline: USE cosine"),
    ("neg_tgt_length", "reference: −target length"),
    *((f"f:{n}", f"feature {n}") for n in DIAGNOSTIC_FEATURES),
)


def _fmt(value: float) -> str:
    return "   —  " if value is None or value != value else f"{value:+.3f}"


def print_tables(dataset: str, table: dict, human: dict | None, det: dict) -> None:
    print(f"\n## {dataset}  (n = {table.get('_n')} items, MT systems only)")
    print(
        f"{'predictor':34s} {'τb flat':>8s} {'Spearman':>8s} {'Pearson':>8s} {'τ item':>8s} {'ρ | len':>8s}"
    )
    for column, label in PREDICTORS:
        c = table.get(column)
        if c is None:
            continue
        print(
            f"{label:34s} {_fmt(c['kendall_flat']):>8s} {_fmt(c['spearman']):>8s} {_fmt(c['pearson']):>8s} "
            f"{_fmt(c['kendall_per_item']):>8s} {_fmt(c['partial_spearman_length']):>8s}"
        )
    if human:
        print(
            f"{'human: one rater vs the others':34s} {'':>8s} {_fmt(human['spearman']):>8s} "
            f"{_fmt(human['pearson']):>8s}"
        )
    if table.get("estimate") is None:
        print("\nerror detection: no model features cached (run benchmarks/extract_features.py)")
        return
    print("\nerror detection (P / R / F1)")
    for cls, r in det.items():
        print(f"  {cls:15s} gold segments {r['gold_segments']:4d}, model flags {r['model_segments']:4d}")
        for key, label in (
            ("model_seg_any", "model, segment, gold ≥1 rater"),
            ("model_seg_majority", "model, segment, gold ≥2 raters"),
            ("model_span_any", "model, char span, all raters"),
            ("model_seg_vs_others", "model, segment, vs 2 other raters"),
            ("human_seg_vs_others", "human, segment, vs 2 other raters"),
            ("model_span_vs_others", "model, char span, vs 2 others"),
            ("human_span_vs_others", "human, char span, vs 2 others"),
        ):
            if key in r:
                p, rec, f = r[key]
                print(f"    {label:36s} {p:.3f} / {rec:.3f} / {f:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS))
    args = parser.parse_args()
    results = {}
    for dataset in args.datasets:
        rows = load_rows(dataset)
        table = {column: correlations(rows, column) for column, _ in PREDICTORS}
        table["_n"] = len(rows)
        human = human_correlation(rows)
        det = detection(rows)
        print_tables(dataset, table, human, det)
        results[dataset] = {"correlation": table, "human_correlation": human, "detection": det}
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
