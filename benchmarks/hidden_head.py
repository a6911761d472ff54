"""Experiment: a frozen-model feature head (CometKiwi-style) — pooled Gemma hidden states plus the log-prob
features into a ridge regression — measured against the shipped calibration. Not shipped: the scorer does
not compute pooled hidden states at run time; this measures whether it would be worth it.

    python benchmarks/hidden_head.py extract   # one forward pass per item, pooled states cached (.npz)
    python benchmarks/hidden_head.py fit       # ridge on wmt21 news (CV on news segments), scored on wmt23
    python benchmarks/hidden_head.py extract-all-news && python benchmarks/hidden_head.py fit-all-news
                                               # hidden states of all 7,467 wmt21 news MT items (~10 min)

One pass over ``Chinese: {source}\\nEnglish: {target}`` (the scorer's first prompt); the hidden states of the
target tokens (given the source) and of the source tokens are mean-pooled at the last layer and at the
middle layer: 4 × 640 values per item.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # the calibration fit (training code)
import evalsets
import fit_calibration as fit
import metrics

DATASETS = ("wmt21_news_mqm_zhen", "wmt23_mqm_zhen", "wmt21_ted_mqm_zhen")


def cache_path(dataset: str, every_item: bool = False) -> Path:
    return evalsets.FEATURE_DIR / f"{dataset}.hidden{'_all' if every_item else ''}.npz"


def extract(dataset: str, batch_tokens: int = 2048, every_item: bool = False) -> None:
    import torch

    from mtqa.score.lm import create_model
    from mtqa.score.neural import MAX_SIDE_CHARS

    path = cache_path(dataset, every_item)
    if path.exists():
        print(f"{dataset}: cached")
        return
    data = evalsets.load(dataset)
    items = data.items if every_item else evalsets.sample(data)
    model = create_model(quiet=True)
    ids_of = model.token_ids

    encoded = []
    for row in items:
        src = " " + row["source"][:MAX_SIDE_CHARS].replace("\n", " ")
        tgt = " " + row["target"][:MAX_SIDE_CHARS].replace("\n", " ")
        head, s, mid, t = ids_of("Chinese:"), ids_of(src), ids_of("\nEnglish:"), ids_of(tgt)
        ids = [model.bos_token_id, *head, *s, *mid, *t]
        s0 = 1 + len(head)
        t0 = s0 + len(s) + len(mid)
        encoded.append((ids, (s0, s0 + len(s)), (t0, t0 + len(t))))
    order = sorted(range(len(items)), key=lambda i: len(encoded[i][0]))
    out = np.zeros((len(items), 4 * model.hidden_size), dtype=np.float32)
    started = time.perf_counter()
    done = 0
    batches: list[list[int]] = [[]]
    for index in order:
        current = batches[-1]
        if current and len(encoded[index][0]) * (len(current) + 1) > batch_tokens:
            batches.append(current := [])
        current.append(index)
    with torch.inference_mode():
        for batch in batches:
            states = model.hidden_states([encoded[i][0] for i in batch])
            layers = (states[-1], states[len(states) // 2])
            for row, i in enumerate(batch):
                (a, b), (c, d) = encoded[i][1], encoded[i][2]
                parts = [layer[row, lo:hi].float().mean(0) for layer in layers for lo, hi in ((c, d), (a, b))]
                out[i] = torch.cat(parts).numpy()
            done += len(batch)
            print(f"  {done}/{len(items)} {time.perf_counter() - started:.0f}s", flush=True)
    elapsed = time.perf_counter() - started
    np.savez(path, keys=np.array([r["key"] for r in items]), states=out)
    print(f"{dataset}: {len(items)} items, {elapsed:.0f} s, {len(items) / elapsed:.2f} items/s")


def load(dataset: str) -> tuple[list[dict], np.ndarray]:
    items = fit.load_items(dataset)
    data = np.load(cache_path(dataset))
    index = {k: i for i, k in enumerate(data["keys"].tolist())}
    items = [r for r in items if r["key"] in index]
    return items, data["states"][[index[r["key"]] for r in items]]


def ridge(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    mean_x, mean_y = x.mean(0), y.mean()
    xc = x - mean_x
    w = np.linalg.solve(xc.T @ xc + lam * len(y) * np.eye(x.shape[1]), xc.T @ (y - mean_y))
    return float(mean_y - mean_x @ w), w


def run_fit() -> None:
    helpers = evalsets.eval_helpers()
    train, h_train = load("wmt21_news_mqm_zhen")
    valid, h_valid = load("wmt23_mqm_zhen")
    scales = fit.robust_scales(train)
    names = tuple(n for n in fit.ESTIMATE_FEATURES if n in scales)
    mu, sd = h_train.mean(0), h_train.std(0) + 1e-6
    _, y = fit.targets(train, "estimate")  # rank-normalised MQM (news only: one dataset, same order)

    def blocks(items, hidden, which):
        parts = []
        if which in ("hidden", "both"):
            parts.append(np.clip((hidden - mu) / sd, -4, 4))
        if which == "target_last+features":
            # Only the last layer's mean over target tokens (640 values): fewer dimensions to over-fit.
            width = hidden.shape[1] // 4
            parts.append(np.clip((hidden[:, :width] - mu[:width]) / sd[:width], -4, 4))
            parts.append(fit.design(items, scales, names))
        if which in ("features", "both"):
            parts.append(fit.design(items, scales, names))
        return np.hstack(parts)

    for which in ("features", "hidden", "both", "target_last+features"):
        x = blocks(train, h_train, which)
        best = None
        for lam in (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0):
            rhos = []
            for k in range(3):
                tr = np.array([fit._fold(r) != k for r in train])
                b, w = ridge(x[tr], y[tr], lam)
                rhos.append(metrics.spearman(x[~tr] @ w + b, y[~tr]))
            if best is None or np.mean(rhos) > best[0]:
                best = (float(np.mean(rhos)), lam)
        b, w = ridge(x, y, best[1])
        pred = blocks(valid, h_valid, which) @ w + b
        rows = [{**r, "p": float(p)} for r, p in zip(valid, pred, strict=True)]
        gold = [r["mqm_score"] for r in valid]
        length = [r["features"]["tgt_tokens"] for r in valid]
        print(
            f"{which:9s} cv(news) {best[0]:.3f} λ={best[1]:<6}  wmt23 n={len(rows)}: "
            f"Spearman {metrics.spearman(pred, gold):.3f}  Pearson {metrics.pearson(pred, gold):.3f}  "
            f"τb {helpers.grouped_corr(rows, 'p'):.3f}  "
            f"τ item {helpers.grouped_corr(rows, 'p', group_key=('doc', 'seg_id')):.3f}  "
            f"ρ|len {metrics.partial_spearman(pred, gold, length):.3f}"
        )


def run_fit_all_news() -> None:
    """Hidden states only (no log-prob features exist for most items): every wmt21 news MT item, ridge with
    λ by 3-fold CV on news segments, scored on the wmt23 sample."""
    helpers = evalsets.eval_helpers()
    data = np.load(cache_path("wmt21_news_mqm_zhen", every_item=True))
    rows_by_key = {r["key"]: r for r in evalsets.load("wmt21_news_mqm_zhen").items}
    train = [rows_by_key[k] for k in data["keys"].tolist()]
    h_train = data["states"]
    valid, h_valid = load("wmt23_mqm_zhen")
    y = metrics.gaussianise([r["mqm_score"] for r in train])
    mu, sd = h_train.mean(0), h_train.std(0) + 1e-6
    x = np.clip((h_train - mu) / sd, -4, 4)
    best = None
    for lam in (0.1, 1.0, 10.0, 100.0, 1000.0):
        rhos = []
        for k in range(3):
            tr = np.array([fit._fold(r) != k for r in train])
            b, w = ridge(x[tr], y[tr], lam)
            rhos.append(metrics.spearman(x[~tr] @ w + b, y[~tr]))
        print(f"  λ={lam}: cv {np.mean(rhos):.3f}", flush=True)
        if best is None or np.mean(rhos) > best[0]:
            best = (float(np.mean(rhos)), lam)
    b, w = ridge(x, y, best[1])
    pred = np.clip((h_valid - mu) / sd, -4, 4) @ w + b
    rows = [{**r, "p": float(p)} for r, p in zip(valid, pred, strict=True)]
    gold = [r["mqm_score"] for r in valid]
    length = [r["features"]["tgt_tokens"] for r in valid]
    print(
        f"hidden, all {len(train)} news items: cv {best[0]:.3f} λ={best[1]}  wmt23 n={len(rows)}: "
        f"Spearman {metrics.spearman(pred, gold):.3f}  Pearson {metrics.pearson(pred, gold):.3f}  "
        f"τb {helpers.grouped_corr(rows, 'p'):.3f}  "
        f"τ item {helpers.grouped_corr(rows, 'p', group_key=('doc', 'seg_id')):.3f}  "
        f"ρ|len {metrics.partial_spearman(pred, gold, length):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=("extract", "fit", "extract-all-news", "fit-all-news"))
    args = parser.parse_args()
    if args.step == "extract":
        for dataset in DATASETS[:2]:
            extract(dataset)
    elif args.step == "extract-all-news":
        extract("wmt21_news_mqm_zhen", every_item=True)
    elif args.step == "fit-all-news":
        run_fit_all_news()
    else:
        run_fit()


if __name__ == "__main__":
    main()
