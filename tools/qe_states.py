"""Extract, once, everything the trained heads need from the Gemma passes the scorer already runs.

    python tools/qe_states.py mqm --segments 100 --limit 1560   # the LODO sample of the three MQM sets
                                                    # (the shipped head's data: the first 1,560 items)
    python tools/qe_states.py items FILE.jsonl NAME       # any {"key", "source", "target"} items (contrast)

Per item (one translation scored whole as one pair, as ``benchmarks/extract_features.py`` does) one JSON
line in ``benchmarks/.features/<name>.states.jsonl``: the scorer's pair features, the per-token log-probs
and offsets of both sides (given the other side and alone; the span tagger of issue 10 reads these), and
the mean-pooled hidden states (``GemmaModel.score_pooled``) of the four scored pieces at two layers, float16,
base64. Items already in the file are skipped, so an interrupted run resumes. MQM items are processed
segment by segment, round-robin over the datasets, so a run stopped early still leaves whole segments of
every dataset.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from pathlib import Path

import numpy as np

from mtqa.score.lm import create_model
from mtqa.score.neural import MAX_SIDE_CHARS, _side_scores, pair_features, pair_requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the eval-set loader (benchmark code, not the package)
import evalsets  # noqa: E402

PIECES = ("tgt_cond", "src_cond", "tgt_uncond", "src_uncond")


def states_path(name: str) -> Path:
    return evalsets.FEATURE_DIR / f"{name}.states.jsonl"


def encode_array(a: np.ndarray) -> dict:
    a = a.astype(np.float16)
    return {"shape": list(a.shape), "f16": base64.b64encode(a.tobytes()).decode("ascii")}


def decode_array(d: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(d["f16"]), dtype=np.float16).reshape(d["shape"]).astype(np.float32)


def read_states(name: str) -> dict[str, dict]:
    path = states_path(name)
    out: dict[str, dict] = {}
    if path.exists():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:  # a line cut by an interrupted run
                        continue
                    out[record["key"]] = record
    return out


def _side(t) -> dict:
    return {"ids": t.token_ids, "offsets": [list(o) for o in t.offsets], "cond": t.cond, "uncond": t.uncond}


def analyse(model, items: list[dict]) -> list[dict]:
    requests = [r for row in items for r in pair_requests(row["source"], row["target"], "Chinese", "English")]
    results = model.score_pooled(requests)
    records = []
    for index, row in enumerate(items):
        (src_uncond, tgt_cond), pooled_a = results[2 * index]
        (tgt_uncond, src_cond), pooled_b = results[2 * index + 1]
        source = _side_scores(src_cond, src_uncond)
        target = _side_scores(tgt_cond, tgt_uncond)
        unigram = model.unigram_logprobs(target.token_ids) if len(target) else []
        features = pair_features(
            source, target, unigram, len(row["source"][:MAX_SIDE_CHARS]), len(row["target"][:MAX_SIDE_CHARS])
        )
        # pooled_a: [src alone, tgt | src]; pooled_b: [tgt alone, src | tgt]  →  PIECES order.
        pooled = np.stack([pooled_a[1], pooled_b[1], pooled_b[0], pooled_a[0]])
        records.append(
            {
                "key": row["key"],
                "features": features,
                "target": _side(target),
                "source": _side(source),
                "unigram": unigram,
                "pooled": encode_array(pooled),
            }
        )
    return records


def run(name: str, items: list[dict], chunk: int) -> None:
    done = read_states(name)
    todo = [r for r in items if r["key"] not in done]
    print(f"{name}: {len(items)} items, {len(todo)} to compute", flush=True)
    model = create_model("gemma3-270m", quiet=True)
    path = states_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for i in range(0, len(todo), chunk):
        part = todo[i : i + chunk]
        records = analyse(model, part)
        with open(path, "a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        elapsed = time.perf_counter() - started
        n = i + len(part)
        rate = n / elapsed
        print(f"  {n}/{len(todo)}  {elapsed:.0f}s  {rate:.2f} items/s  threads={model.threads}", flush=True)


def mqm_items(segments: int) -> list[dict]:
    """Whole segments of each dataset (seeded), interleaved segment by segment across the datasets."""
    per_dataset = []
    for name in evalsets.DATASETS:
        items = evalsets.sample(evalsets.load(name), segments)
        groups: dict[tuple, list[dict]] = {}
        for row in items:
            groups.setdefault((row["doc"], str(row["seg_id"])), []).append(row)
        per_dataset.append(list(groups.values()))
    out = []
    for k in range(max(len(g) for g in per_dataset)):
        for groups in per_dataset:
            if k < len(groups):
                out.extend({**r, "key": f"{r['dataset']}\t{r['key']}"} for r in groups[k])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    mqm = sub.add_parser("mqm")
    mqm.add_argument("--segments", type=int, default=100)
    mqm.add_argument("--chunk", type=int, default=60)
    mqm.add_argument("--limit", type=int, help="only the first N items of the interleaved order")
    other = sub.add_parser("items")
    other.add_argument("file")
    other.add_argument("name")
    other.add_argument("--chunk", type=int, default=60)
    args = parser.parse_args()
    if args.what == "mqm":
        run("mqm", mqm_items(args.segments)[: args.limit], args.chunk)
    else:
        with open(args.file, encoding="utf-8") as handle:
            items = [json.loads(line) for line in handle if line.strip()]
        run(args.name, items, args.chunk)


if __name__ == "__main__":
    main()
