"""Extract, once, the per-token hidden states of the scoring passes for the span tagger (issue 10).

    python tools/qe_tokstates.py mqm          # the items of benchmarks/.features/mqm.states.jsonl
    python tools/qe_tokstates.py contrast     # the items of contrast.states.jsonl (contrast_items.jsonl)

For every item already extracted by ``tools/qe_states.py`` (same keys, same texts, same requests), the two
requests the scorer runs per pair are scored again with ``GemmaModel.score_token_states`` (the run-time
code: fixed-shape packing, ``_forward_packed``): the target tokens' states in the forward request (target
given source) and the source tokens' states in the reverse request (source given target), at the final
norm and the middle layer (``POOLED_LAYERS``), for the tokens the scorer keeps (``_side_scores`` drops a
lone leading-space token). Stored losslessly: the model runs in bfloat16, so each state is kept as its
bfloat16 bits (uint16, 2 bytes a value).

Output: ``benchmarks/.features/<name>.tokstates/chunk-NNNNN.npz`` (never the ``.states.jsonl`` files, which
others read): per chunk the keys, token counts per side, the states, and the recomputed per-token
log-probs. Every item's recomputed log-probs are compared with the cached ones of ``<name>.states.jsonl``
(printed per chunk: the largest difference). Chunks already written are skipped, so a stopped run resumes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("MTQA_THREADS", "2")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qe_states

from mtqa.score.lm import create_model
from mtqa.score.neural import kept_tokens, pair_requests

CHUNK = 60
CHECK_EVERY = 10


def directory(name: str) -> Path:
    return qe_states.evalsets.FEATURE_DIR / f"{name}.tokstates"


def to_bf16_bits(a: np.ndarray) -> np.ndarray:
    """float32 values that are exactly bfloat16 (the model's) → their 16 bits."""
    return (np.ascontiguousarray(a, np.float32).view(np.uint32) >> 16).astype(np.uint16)


def from_bf16_bits(a: np.ndarray) -> np.ndarray:
    return (a.astype(np.uint32) << 16).view(np.float32)


def analyse(model, items: list[dict], full: bool) -> dict:
    """``full``: score the requests (``score_token_states``: log-probs too, to compare with the cache);
    otherwise the transformer body alone (``token_states``: the same passes, a third of the time)."""
    requests = [r for row in items for r in pair_requests(row["source"], row["target"], "Chinese", "English")]
    if full:
        scored = model.score_token_states(requests)
        pieces = [[p.offsets for p in result[0]] for result in scored]
        logprobs = [[p.logprobs for p in result[0]] for result in scored]
        token_states = [result[2] for result in scored]
    else:
        _, lookup = model.encode(requests)
        pieces = [[lookup[r.pieces[k]][1] for k in r.scored] for r in requests]
        logprobs = [[[np.nan] * len(o) for o in offsets] for offsets in pieces]
        token_states = model.token_states(requests)
    tgt_states, src_states, tgt_lp, src_lp, tgt_n, src_n = [], [], [], [], [], []
    for index in range(len(items)):
        # Scored pieces: [source alone, target | source] and [target alone, source | target].
        for request, states, lps, counts in ((2 * index, tgt_states, tgt_lp, tgt_n),
                                             (2 * index + 1, src_states, src_lp, src_n)):
            keep = kept_tokens(pieces[request][1])
            states.append(to_bf16_bits(token_states[request][1][keep]))
            lps.append(np.asarray([logprobs[request][1][i] for i in keep], np.float32))
            counts.append(len(keep))
    hidden = token_states[0][1].shape[-1]
    empty = np.zeros((0, 2, hidden), np.uint16)
    return {
        "keys": np.asarray(json.dumps([row["key"] for row in items])),
        "tgt_n": np.asarray(tgt_n, np.int32),
        "src_n": np.asarray(src_n, np.int32),
        "tgt": np.concatenate(tgt_states) if tgt_states else empty,
        "src": np.concatenate(src_states) if src_states else empty,
        "tgt_lp": np.concatenate(tgt_lp),
        "src_lp": np.concatenate(src_lp),
    }


def items_of(name: str) -> list[dict]:
    """The extracted items of ``<name>.states.jsonl``, in its order, with their texts."""
    records = qe_states.read_states(name)
    if name == "mqm":
        texts = {r["key"]: r for r in qe_states.mqm_items(100)}
    else:
        with open(qe_states.evalsets.FEATURE_DIR / f"{name}_items.jsonl", encoding="utf-8") as handle:
            texts = {r["key"]: r for r in map(json.loads, handle) if r}
    return [{"key": k, "source": texts[k]["source"], "target": texts[k]["target"], "record": r}
            for k, r in records.items()]


def largest_difference(items: list[dict], arrays: dict) -> float:
    """The largest |recomputed − cached| log-prob (NaN for a body-only chunk); token counts must match."""
    for side in ("tgt", "src"):
        cached_n = [len(r["record"]["target" if side == "tgt" else "source"]["cond"]) for r in items]
        if cached_n != arrays[f"{side}_n"].tolist():
            raise SystemExit(f"{side} token counts differ from the cache")
    cached = np.concatenate([np.asarray(r["record"]["target"]["cond"], np.float32) for r in items]
                            + [np.asarray(r["record"]["source"]["cond"], np.float32) for r in items])
    got = np.concatenate([arrays["tgt_lp"], arrays["src_lp"]])
    return float(np.abs(cached - got).max()) if len(got) else 0.0


def run(name: str, limit: int | None) -> None:
    items = items_of(name)[:limit]
    out = directory(name)
    out.mkdir(parents=True, exist_ok=True)
    model = create_model("gemma3-270m", quiet=True)
    started = time.perf_counter()
    chunks = range(0, len(items), CHUNK)
    print(f"{name}: {len(items)} items, {len(chunks)} chunks of {CHUNK}", flush=True)
    for number, first in enumerate(chunks):
        path = out / f"chunk-{number:05d}.npz"
        if path.exists():
            continue
        part = items[first : first + CHUNK]
        # Every CHECK_EVERY-th chunk is scored in full and its log-probs compared with the cache; the states
        # of the others come from the same body passes without the projection.
        arrays = analyse(model, part, full=number % CHECK_EVERY == 0 or limit is not None)
        diff = largest_difference(part, arrays)
        if limit is not None:  # a check: a short chunk must not pass for a whole one on resuming
            print(f"  check of {len(part)} items: max |log-prob - cached| {diff:.2e}, "
                  f"{time.perf_counter() - started:.0f}s, nothing written", flush=True)
            return
        partial = path.with_suffix(".part.npz")
        np.savez(partial, **arrays)
        partial.rename(path)  # a chunk file exists only whole: an interrupted run redoes that chunk
        print(f"  chunk {number} ({first + len(part)}/{len(items)}) {time.perf_counter() - started:.0f}s "
              f"threads={model.threads} max |log-prob - cached| {diff:.2e}", flush=True)


def load(name: str, keys=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """key → (target states, source states), each float32 [tokens × 2 layers × hidden]."""
    out = {}
    for path in sorted(directory(name).glob("chunk-*[0-9].npz")):
        with np.load(path) as data:
            chunk_keys = json.loads(str(data["keys"]))
            tgt, src = data["tgt"], data["src"]
            t_at = np.concatenate([[0], np.cumsum(data["tgt_n"])])
            s_at = np.concatenate([[0], np.cumsum(data["src_n"])])
            for i, key in enumerate(chunk_keys):
                if keys is None or key in keys:
                    out[key] = (from_bf16_bits(tgt[t_at[i] : t_at[i + 1]]),
                                from_bf16_bits(src[s_at[i] : s_at[i + 1]]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=("mqm", "contrast"))
    parser.add_argument("--limit", type=int, help="check the first N items only, write nothing")
    args = parser.parse_args()
    run(args.name, args.limit)


if __name__ == "__main__":
    main()
