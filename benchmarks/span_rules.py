"""Token-level cache of the MQM eval sets and span-rule measurements for the neural checks.

    python benchmarks/span_rules.py dump                 # token log-probs of the default samples (cached)
    python benchmarks/span_rules.py eval                 # span P/R/F1 of the shipped span rules

``dump`` stores, per item (one MT system's translation of one source segment, scored whole as one pair),
the per-token log-probs both sides get from ``mtqa.score.neural.analyse_pairs`` in
``benchmarks/.features/<dataset>.tokens.jsonl`` (gitignored), so span rules can be re-evaluated in seconds
without the model. ``eval`` re-runs ``mtqa.score.neural.find_spans`` on the cached tokens and prints
character-level span P/R/F1 (``span_prf``) and segment detection (``segment_detection_prf``) per class, on
the training sets (wmt21 news + TED) and the check set (wmt23).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import evalsets

TRAIN = ("wmt21_ted_mqm_zhen", "wmt21_news_mqm_zhen")
CHECK = ("wmt23_mqm_zhen",)


def cache_path(dataset: str) -> Path:
    return evalsets.FEATURE_DIR / f"{dataset}.tokens.jsonl"


def read_tokens(dataset: str) -> dict[str, dict]:
    path = cache_path(dataset)
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {r["key"]: r for r in map(json.loads, handle) if r}


def _side(scores) -> dict:
    return {"ids": scores.token_ids, "offsets": scores.offsets, "cond": scores.cond, "uncond": scores.uncond}


def dump(dataset: str, segments: int | None, chunk: int) -> None:
    from mtqa.score import neural
    from mtqa.score.lm import create_model

    items = evalsets.sample(evalsets.load(dataset), segments)
    done = read_tokens(dataset)
    todo = [r for r in items if r["key"] not in done]
    print(f"{dataset}: {len(items)} items, {len(todo)} to compute", flush=True)
    model = create_model(quiet=True)
    started = time.perf_counter()
    for i in range(0, len(todo), chunk):
        part = todo[i : i + chunk]
        texts = [(r["source"], r["target"]) for r in part]
        analyses = neural.analyse_pairs(model, texts, "Chinese", "English")
        cache_path(dataset).parent.mkdir(parents=True, exist_ok=True)
        with open(cache_path(dataset), "a", encoding="utf-8") as handle:
            for row, analysis in zip(part, analyses, strict=True):
                record = {"key": row["key"], "source": _side(analysis.source),
                          "target": _side(analysis.target), "features": analysis.features}
                handle.write(json.dumps(record) + "\n")
        print(f"  {i + len(part)}/{len(todo)} {time.perf_counter() - started:.0f}s", flush=True)


def analysis_of(record: dict):
    from mtqa.score.neural import PairAnalysis, TokenScores

    def side(d):
        return TokenScores(d["ids"], [tuple(o) for o in d["offsets"]], d["cond"], d["uncond"])

    return PairAnalysis(side(record["source"]), side(record["target"]), record["features"])


def evaluate(datasets, find_spans=None, quiet=False) -> dict:
    """{dataset: {cls: {"seg": (P,R,F), "span": (P,R,F), "flags": n}}} of the shipped rules (or
    ``find_spans(analysis, row) -> list[ModelSpan]``) on the cached items."""
    from mtqa.languages import get_language
    from mtqa.score import neural

    helpers = evalsets.eval_helpers()
    zh, en = get_language("zh"), get_language("en")
    if find_spans is None:
        def find_spans(analysis, row):
            return neural.find_spans(analysis, row["source"], row["target"], zh, en)
    out = {}
    for dataset in datasets:
        tokens = read_tokens(dataset)
        rows = [r for r in evalsets.load(dataset).items if r["key"] in tokens]
        preds = {}
        for row in rows:
            spans = find_spans(analysis_of(tokens[row["key"]]), row)
            preds[(row["system"], row["doc"], row["seg_id"])] = [
                {"cls": helpers.norm_cat(s.category), "side": s.side, "start": s.start, "end": s.end}
                for s in spans
            ]
        result = {"items": len(rows)}
        for cls in ("mistranslation", "omission", "fluency"):
            flags = {k: any(s["cls"] == cls for s in v) for k, v in preds.items()}
            hits = _hit_rates(rows, preds, cls, helpers)
            result[cls] = {
                "seg": helpers.segment_detection_prf(rows, flags, cls),
                "span": helpers.span_prf(rows, preds, cls),
                "flags": sum(sum(s["cls"] == cls for s in v) for v in preds.values()),
                # share of the flagged spans a reviewer would find a human-marked error in: of this class,
                # and of any class on the same side (the only one on wmt21 news, whose errors have no class)
                "hit": hits[0],
                "hit_any": hits[1],
            }
        out[dataset] = result
        if not quiet:
            print(f"{dataset} ({len(rows)} items)")
            for cls in ("mistranslation", "omission", "fluency"):
                r = result[cls]
                print(f"  {cls:15s} spans {r['flags']:5d}  hit {r['hit']:.3f}  hit-any {r['hit_any']:.3f}  "
                      f"span P/R/F {_fmt(r['span'])}  seg P/R/F {_fmt(r['seg'])}")
    return out


def _hit_rates(rows, preds, cls, helpers) -> tuple[float, float]:
    flagged = same = anything = 0
    for row in rows:
        errors = [e for e in row["errors"] if e.get("span_start") is not None]
        for span in preds.get((row["system"], row["doc"], row["seg_id"]), []):
            if span["cls"] != cls:
                continue
            flagged += 1
            overlapping = [e for e in errors if e["span_side"] == span["side"]
                           and e["span_start"] < span["end"] and span["start"] < e["span_end"]]
            anything += bool(overlapping)
            same += any(helpers.norm_cat(e["category"]) == cls for e in overlapping)
    return (same / flagged, anything / flagged) if flagged else (0.0, 0.0)


def _fmt(prf) -> str:
    return "/".join(f"{v:.3f}" for v in prf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("dump", "eval"))
    parser.add_argument("--datasets", nargs="*", default=[*TRAIN, *CHECK])
    parser.add_argument("--segments", type=int, default=None, help="source segments per dataset")
    parser.add_argument("--chunk", type=int, default=40)
    args = parser.parse_args()
    if args.command == "dump":
        for dataset in args.datasets:
            dump(dataset, args.segments, args.chunk)
    else:
        evaluate(args.datasets)


if __name__ == "__main__":
    main()
