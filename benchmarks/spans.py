"""Error spans, leave one dataset out: the trained span tagger against the PMI-threshold spans and humans.

    python benchmarks/spans.py                       # all three folds
    python benchmarks/spans.py --test wmt23_mqm_zhen # one fold
    python benchmarks/spans.py --no-contrast         # the tagger trained without contrast additions
    python benchmarks/spans.py --states              # also the tagger that reads token hidden states,
                                                     # side by side (tools/qe_tokstates.py first)

For each of wmt21 TED / wmt21 news / wmt23: the tagger (``tools/train_spans.py``) is fitted on the other
two (its floors and span calibration chosen out of fold on those two only) and reported on the left-out
set's extracted items (``benchmarks/.features/mqm.states.jsonl``). Per class: character-level span P/R/F1
(``span_prf``) and segment-level detection P/R/F1 (``segment_detection_prf``) at the ``confident`` and
``all`` floors, the shipped PMI-threshold spans (``mtqa.score.neural.find_spans``) on the same items, and
on wmt23 the human ceiling (each rater against the other two, averaged). wmt21 news has no classes: "any"
(every target-side error) only. The trivial baselines in the same run: "mark everything" (every character
of every target, or of every source for omission; its span precision is the class's prevalence) and "flag
every segment"; and the tagger's span precision at fixed recall (its floor swept for one class at a time),
the yardstick where errors are dense and F1 rewards marking everything.

``--states`` adds the tagger whose heads also read the tokens' hidden states (``tools/train_spans.py
--states``), trained and reported on the same folds in the same run (rows "states …"). The figure that
decides whether it replaces the shipped tagger, fixed before any fold was measured: the mistranslation span
precision at recall ≥ 0.10 (floor swept) with wmt23 left out must be higher than the log-prob tagger's,
and with TED left out not lower.

Then the contrast damage of ``mtqa/contrast.py`` (*eval* items of the left-out set): recall of the inserted
clause (an addition span overlapping it; any target span), of the changed number (a target span overlapping
it), and of dropped clauses (a source-side omission span in the damaged pair, against the same rate on the
intact pairs). The contrast *eval* items are all wmt21 TED segments: held out only in the TED fold.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # the training code, not the package
import evalsets
import qe_data
import train_spans as ts

from mtqa.score import neural

CLASSES = ("mistranslation", "addition", "fluency", "omission")
H = evalsets.eval_helpers()


def _pred(spans) -> list[dict]:
    return [{"cls": H.norm_cat(s.category), "side": s.side, "start": s.start, "end": s.end} for s in spans]


def _any_prf(rows, preds) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for row in rows:
        gold = {i for e in row["errors"] if e.get("span_start") is not None and e.get("span_side") == "target"
                for i in range(e["span_start"], e["span_end"])}
        got = {i for s in preds.get(_key(row), []) if s["side"] == "target"
               for i in range(s["start"], s["end"])}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _any_seg(rows, preds) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for row in rows:
        g = any(e.get("span_side") == "target" for e in row["errors"])
        f = any(s["side"] == "target" for s in preds.get(_key(row), []))
        tp, fp, fn = tp + (g and f), fp + (f and not g), fn + (g and not f)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _key(row) -> tuple:
    return (row["system"], row["doc"], row["seg_id"])


def measure(rows, preds, categorised: bool) -> dict:
    out = {}
    if categorised:
        for cls in CLASSES:
            flags = {k: any(s["cls"] == cls for s in v) for k, v in preds.items()}
            out[cls] = {"span": H.span_prf(rows, preds, cls),
                        "seg": H.segment_detection_prf(rows, flags, cls),
                        "n": sum(s["cls"] == cls for v in preds.values() for s in v)}
    out["any"] = {"span": _any_prf(rows, preds), "seg": _any_seg(rows, preds),
                  "n": sum(s["side"] == "target" for v in preds.values() for s in v)}
    return out


def trivial_baselines(rows, test_examples, categorised: bool) -> dict[str, dict]:
    """"Mark everything": one span over each whole text per class (the source for omission), so its span
    precision is the class's prevalence and its segment column is "flag every segment"."""
    everything = {}
    for e in test_examples:
        spans = [{"cls": cls, "side": "source" if cls == "omission" else "target", "start": 0,
                  "end": len(e.source if cls == "omission" else e.target)} for cls in CLASSES]
        everything[_key(rows[e.key])] = spans if categorised else [s for s in spans if s["cls"] != "omission"]
    return {"mark everything": measure(list(rows.values()), everything, categorised)}


# Token floors swept for the precision-at-recall table, and the recalls it reports.
SWEEP = (0.99, 0.97, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03,
         0.02, 0.01)
RECALLS = (0.05, 0.1, 0.2, 0.3)


def precision_at_recall(tagger, rows, test_examples, classes) -> dict[str, dict]:
    """Per class, the best character-span precision the tagger reaches at each recall in ``RECALLS`` (its
    floor for that class swept over ``SWEEP``, every other class off), or None where no floor reaches it."""
    saved = {c: dict(f) for c, f in tagger.floors.items()}
    # The heads' token probabilities do not depend on the floor: computed once, decoded per floor (the two
    # steps of ``SpanTagger.find_spans``).
    predicted = [(e, tagger.token_predictions(e.analysis, e.source, e.target, ts.ZH, ts.EN))
                 for e in test_examples]
    out = {}
    try:
        for cls in classes:
            curve = []
            for floor in SWEEP:
                for c in tagger.floors:
                    tagger.floors[c]["sweep"] = floor if c == cls else 1.01
                preds = {_key(rows[e.key]): _pred(tagger.decode(p, e.analysis, e.source, e.target, ts.ZH,
                                                                ts.EN, "sweep", neural.span_bounds))
                         for e, p in predicted}
                curve.append(H.span_prf(list(rows.values()), preds, cls)[:2])
            out[cls] = {r: max((p for p, rec in curve if rec >= r), default=None) for r in RECALLS}
    finally:
        tagger.floors.clear()
        tagger.floors.update(saved)
    return out


def human_ceiling(rows) -> dict:
    """Each rater's spans against the other raters' (wmt23: three raters per item), averaged over raters."""
    raters = sorted({e.get("rater") for r in rows for e in r["errors"] if e.get("rater")})
    per = []
    for rater in raters:
        preds = {_key(r): [{"cls": H.norm_cat(e["category"]), "side": e["span_side"],
                            "start": e["span_start"], "end": e["span_end"]} for e in r["errors"]
                           if e.get("rater") == rater and e.get("span_start") is not None] for r in rows}
        others = [{**r, "errors": [e for e in r["errors"] if e.get("rater") != rater]} for r in rows]
        per.append(measure(others, preds, True))
    out = {}
    for cls in (*CLASSES, "any"):
        out[cls] = {m: tuple(statistics.mean(p[cls][m][k] for p in per) for k in range(3))
                    for m in ("span", "seg")}
        out[cls]["n"] = round(statistics.mean(p[cls]["n"] for p in per))
    return out


def _fmt(prf) -> str:
    return "/".join(f"{v:.3f}" for v in prf)


def print_table(name: str, results: dict[str, dict], classes) -> None:
    print(f"\n{name}: span P/R/F1 (characters) | segment detection P/R/F1 | spans")
    for cls in classes:
        for label, res in results.items():
            if res is None or cls not in res:
                continue
            r = res[cls]
            print(f"  {cls:15s} {label:22s} {_fmt(r['span'])} | {_fmt(r['seg'])} | {r['n']}")


def contrast_recall(tagger, mode: str, token_states=None) -> dict:
    # The eval contrast items are all wmt21 TED segments (references and best MT outputs): a fold's figure is
    # cleanly held out only in the TED fold (the others trained on TED's MQM items of other segments).
    items = {c.key: c for c in qe_data.load_contrast() if c.which == "eval"}
    if tagger is not None and tagger.needs_states and token_states is None:
        import qe_tokstates

        token_states = qe_tokstates.load("contrast", set(items))
    spans_of = {}
    with open(evalsets.FEATURE_DIR / "contrast_items.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            spans_of[row["key"]] = row.get("span")
    counts: dict[str, list[int]] = {}
    for key, item in items.items():
        analysis = ts.analysis_of(item.record)
        if tagger is not None and tagger.needs_states:
            analysis.token_states = token_states[key]
        if tagger is None:
            found = neural.find_spans(analysis, item.source, item.target, ts.ZH, ts.EN)
        else:
            found = tagger.find_spans(analysis, item.source, item.target, ts.ZH, ts.EN, mode,
                                      neural.span_bounds)
        span = spans_of.get(key)

        def hits(side: str, classes=None, span=span, found=found) -> bool:
            low, high = span
            high = max(high, low + 1)
            return any(s.side == side and s.start < high and low < s.end
                       and (classes is None or H.norm_cat(s.category) in classes) for s in found)

        omitted = any(s.side == "source" for s in found)
        if item.kind == "addition" and span:
            counts.setdefault("addition: addition span", []).append(hits("target", {"addition"}))
            counts.setdefault("addition: any span", []).append(hits("target"))
        elif item.kind == "number" and span:
            counts.setdefault("number: any span", []).append(hits("target"))
        elif item.kind == "omission":
            counts.setdefault("omission: source span", []).append(omitted)
        elif item.kind == "intact":
            counts.setdefault("intact: source span (false)", []).append(omitted)
            false_target = any(s.side == "target" for s in found)
            counts.setdefault("intact: any target span (false)", []).append(false_target)
            false_addition = any(H.norm_cat(s.category) == "addition" for s in found)
            counts.setdefault("intact: addition span (false)", []).append(false_addition)
    return {k: (sum(v) / len(v), len(v)) for k, v in sorted(counts.items())}


def run_fold(test: str, examples, contrast: bool, states: bool = False) -> dict:
    train = [e for e in examples if e.dataset != test]
    extra = [e for e in ts.contrast_examples("train") if e.dataset != test] if contrast else []
    if states:
        ts.attach_states(extra)
    print(f"\n=== left out: {test} (train {len(train)} items + {len(extra)} contrast additions; "
          f"test {sum(e.dataset == test for e in examples)} items)", flush=True)
    # label → tagger: the log-prob features alone, and (``--states``) with the tokens' hidden states.
    taggers = {}
    for label, with_states in (("tagger", False), ("states", True))[: 2 if states else 1]:
        started = time.perf_counter()
        print(f"  [{label}]", flush=True)
        taggers[label] = ts.train_tagger(train, extra, {}, states=with_states)
        print(f"  [{label}] trained in {time.perf_counter() - started:.0f} s", flush=True)
    rows_by_key = {f"{test}\t{r['key']}": r for r in evalsets.load(test).items}
    test_examples = [e for e in examples if e.dataset == test]
    rows = [rows_by_key[e.key] for e in test_examples]
    categorised = test not in evalsets.UNCATEGORISED
    results = {}
    for label, tagger in taggers.items():
        predicted = [(e, tagger.token_predictions(e.analysis, e.source, e.target, ts.ZH, ts.EN))
                     for e in test_examples]
        for mode in ("confident", "all"):
            preds = {_key(rows_by_key[e.key]): _pred(tagger.decode(p, e.analysis, e.source, e.target, ts.ZH,
                                                                   ts.EN, mode, neural.span_bounds))
                     for e, p in predicted}
            results[f"{label} {mode}"] = measure(rows, preds, categorised)
    preds = {_key(rows_by_key[e.key]): _pred(neural.find_spans(e.analysis, e.source, e.target, ts.ZH, ts.EN))
             for e in test_examples}
    results["PMI thresholds"] = measure(rows, preds, categorised)
    if test == "wmt23_mqm_zhen":
        results["human (1 vs other 2)"] = human_ceiling(rows)
    results.update(trivial_baselines({e.key: rows_by_key[e.key] for e in test_examples}, test_examples,
                                     categorised))
    print_table(test, results, (*CLASSES, "any") if categorised else ("any",))
    out = {"results": results, "contrast": {},
           "floors": {label: t.floors for label, t in taggers.items()},
           "calibration": {label: t.calibration for label, t in taggers.items()}}
    if categorised:
        marked = results["mark everything"]
        print("\nspan precision at fixed recall (tagger floor swept; '-' = recall not reached) vs mark "
              "everything (precision = prevalence)")
        out["precision_at_recall"] = {}
        for label, tagger in taggers.items():
            swept = precision_at_recall(tagger, {e.key: rows_by_key[e.key] for e in test_examples},
                                        test_examples, CLASSES)
            for cls, at in swept.items():
                cells = "  ".join(f"R≥{r:.2f}: {'-' if p is None else f'{p:.3f}'}" for r, p in at.items())
                print(f"  {cls:15s} {label:7s} {cells}   | mark everything P {marked[cls]['span'][0]:.3f}")
            out["precision_at_recall"][label] = swept
    runs = [(f"{label} {mode}", tagger, mode) for label, tagger in taggers.items()
            for mode in ("confident", "all")]
    for label, model, mode in (*runs, ("PMI thresholds", None, "")):
        out["contrast"][label] = contrast_recall(model, mode)
    print("\ncontrast damage (eval items, wmt21 TED segments; held out in the TED fold): share found (items)")
    for label, table in out["contrast"].items():
        print(f"  {label}: " + "; ".join(f"{k} {v:.3f} ({n})" for k, (v, n) in table.items()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test", nargs="*", default=list(qe_data.DATASETS))
    parser.add_argument("--no-contrast", action="store_true")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--states", action="store_true",
                        help="also the tagger reading token hidden states, side by side in the same run")
    args = parser.parse_args()
    examples = ts.load_examples()
    if args.states:
        ts.attach_states(examples)
    print(f"{len(examples)} items: " + ", ".join(f"{d} {sum(e.dataset == d for e in examples)}"
                                                 for d in qe_data.DATASETS), flush=True)
    out = {test: run_fold(test, examples, not args.no_contrast, args.states) for test in args.test}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=list))


if __name__ == "__main__":
    main()
