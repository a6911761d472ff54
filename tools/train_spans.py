"""Train the span tagger (``mtqa/resources/span_tagger.npz``): seeded, reproducible.

    python tools/train_spans.py                 # fit on all three MQM sets (+ contrast train items), write
    python tools/train_spans.py --dry-run       # the same, write nothing
    python tools/train_spans.py --no-states     # the log-prob features only (span-tagger 1.1)

The shipped tagger (span-tagger 1.2) also reads the tokens' hidden states: extract them first with
``python tools/qe_tokstates.py mqm`` and ``… contrast``.
    python tools/train_quality.py --with-spans  # the quality head, then this: one command for both heads

Data: the items ``tools/qe_states.py`` extracted (``qe_data.load_mqm``; per-token log-probs and offsets of
both sides), token labels from the human-marked MQM spans (any rater: a token inside a span of a class is
that class). wmt21 news has no classes: it trains the ``error`` and ``major`` heads only, and no source
side (its data marks no omissions). The contrast generator's *train* items add their inserted clause as
an addition (never the *eval* items the benchmark reports on).

Floors and calibration are chosen on out-of-fold predictions of the training data only (grouped 3-fold
over source segments): ``confident`` = the lowest token floor whose character-level span precision
reaches 0.5 (when none does, the class is off by default: floor 1.01), ``all`` = the floor of best span F1
(at most the confident floor); the span
probability is a logistic fit of "a human marked an error of this class overlapping the span" on the
span's mean token probability.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools
import hashlib
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qe_data

from mtqa.languages import get_language
from mtqa.score.neural import PairAnalysis, TokenScores
from mtqa.score.spans import (
    EMITTED,
    TARGET_CLASSES,
    Head,
    SpanTagger,
    StateProjection,
    save_span_tagger,
    token_features,
)

TRAIN_VERSION = "span-tagger 1.1"
STATES_VERSION = "span-tagger 1.2"  # the same heads, also reading the tokens' hidden states
# Token hidden states (final norm and middle layer, 2 × 640 values a token, ``tools/qe_tokstates.py``) enter
# the heads as STATE_DIMS inputs per side: each value standardised on the training tokens, then a seeded
# Gaussian projection (fixed before any fold was measured; no PCA, so nothing is fitted on labels).
STATE_DIMS = 64
OUTPUT = qe_data.ROOT / "mtqa" / "resources" / "span_tagger.npz"
SEED = 20261201
WIDTH = 16
EPOCHS = 150
L2 = 1e-3
FLOOR_GRID = tuple(np.round(np.concatenate([np.arange(0.02, 0.2, 0.01), np.arange(0.2, 0.96, 0.025)]), 3))
PRECISION_TARGET = 0.5
OFF = 1.01  # a floor above every probability: the class is not shown at that level
# Chinese words come from a segmenter (about 5 ms a call): the floor search widens thousands of runs in the
# same few hundred texts, so the training-time language remembers each text's words.
ZH = replace(get_language("zh"), word_spans=functools.lru_cache(maxsize=8192)(get_language("zh").word_spans))
EN = get_language("en")


def coarse(category: str | None) -> str:
    from evalsets import eval_helpers

    cls = eval_helpers().norm_cat(category)
    if cls in ("mistranslation", "addition", "fluency", "omission"):
        return cls
    return "other"


@dataclass
class Example:
    """One pair's token matrices and labels (labels None where the data cannot say)."""

    key: str
    dataset: str
    group: str  # dataset + source segment: folds never split a source
    source: str
    target: str
    analysis: PairAnalysis
    x_tgt: np.ndarray
    x_src: np.ndarray
    y_err: np.ndarray | None  # target token in any error
    y_cat: np.ndarray | None  # TARGET_CLASSES index, -1 for ok tokens
    y_major: np.ndarray | None  # 1 major / 0 minor / -1 ok
    y_omit: np.ndarray | None  # source token in an omission
    errors: list[dict]
    categorised: bool
    h_tgt: np.ndarray | None = None  # target tokens' hidden states [tokens × layers × hidden]
    h_src: np.ndarray | None = None  # source tokens' hidden states


def _side(d: dict) -> TokenScores:
    return TokenScores(d["ids"], [tuple(o) for o in d["offsets"]], d["cond"], d["uncond"])


def analysis_of(record: dict) -> PairAnalysis:
    return PairAnalysis(_side(record["source"]), _side(record["target"]), record["features"])


def make_example(key, dataset, group, source, target, record, errors, categorised) -> Example:
    analysis = analysis_of(record)
    tgt, src = analysis.target, analysis.source
    x_tgt = token_features(tgt.cond, tgt.uncond, tgt.offsets, target, source, record["features"], EN)
    x_src = token_features(src.cond, src.uncond, src.offsets, source, target, record["features"], ZH)
    target_spans = [(e["span_start"], e["span_end"], e) for e in errors
                    if e.get("span_start") is not None and e.get("span_side") == "target"]
    source_spans = [(e["span_start"], e["span_end"], e) for e in errors
                    if e.get("span_start") is not None and e.get("span_side") == "source"
                    and coarse(e.get("category")) == "omission"]
    y_err = np.zeros(len(tgt), np.int64)
    y_cat = np.full(len(tgt), -1, np.int64)
    y_major = np.full(len(tgt), -1, np.int64)
    for i, (start, end) in enumerate(tgt.offsets):
        hits = [e for low, high, e in target_spans if max(low, start) < min(high, end)]
        if not hits:
            continue
        y_err[i] = 1
        y_major[i] = int(any(str(e.get("severity", "")).lower() == "major" for e in hits))
        if categorised:
            classes = [coarse(e.get("category")) for e in hits]
            # The most specific emitted class a rater gave wins over "other".
            chosen = next((c for c in ("addition", "mistranslation", "fluency") if c in classes), "other")
            y_cat[i] = TARGET_CLASSES.index(chosen)
    y_omit = None
    if categorised:
        y_omit = np.array([int(any(max(low, s) < min(high, e) for low, high, _ in source_spans))
                           for s, e in src.offsets], np.int64)
    return Example(key, dataset, group, source, target, analysis, x_tgt, x_src, y_err,
                   y_cat if categorised else None, y_major, y_omit, errors, categorised)


def load_examples(items=None) -> list[Example]:
    items = qe_data.load_mqm() if items is None else items
    from evalsets import load

    errors = {}
    for dataset in qe_data.DATASETS:
        for row in load(dataset).items:
            errors[f"{dataset}\t{row['key']}"] = row["errors"]
    out = []
    for item in items:
        out.append(make_example(item.key, item.dataset, f"{item.dataset}\t{item.doc}\t{item.seg_id}",
                                item.source, item.target, item.record, errors[item.key],
                                item.dataset not in {"wmt21_news_mqm_zhen"}))
    return out


def contrast_examples(which: str = "train") -> list[Example]:
    """Contrast items with an inserted clause, its tokens labelled as an addition (all else ok)."""
    spans = {}
    with open(qe_data.evalsets.FEATURE_DIR / "contrast_items.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["kind"] == "addition" and row.get("span"):
                spans[row["key"]] = row["span"]
    out = []
    for item in qe_data.load_contrast():
        if item.which != which or item.kind != "addition" or item.key not in spans:
            continue
        low, high = spans[item.key]
        # The inserted clause's leading ", and" is punctuation and glue; the clause itself is the addition.
        errors = [{"span_start": low, "span_end": high, "span_side": "target",
                   "category": "Accuracy/Addition", "severity": "Major"}]
        example = make_example(item.key, item.dataset, item.key, item.source, item.target, item.record,
                               errors, True)
        example.y_omit = None  # nothing is known about the source side of a damaged copy
        out.append(example)
    return out


def attach_states(examples: list[Example]) -> None:
    """Give each example its tokens' hidden states (``tools/qe_tokstates.py``; SystemExit naming the
    command when some are not extracted)."""
    import qe_tokstates

    wanted = {e.key for e in examples}
    found = {}
    for name in ("mqm", "contrast"):
        found.update(qe_tokstates.load(name, wanted))
    missing = wanted - set(found)
    if missing:
        raise SystemExit(f"{len(missing)} items have no token states: run python tools/qe_tokstates.py "
                         "mqm (and contrast)")
    for e in examples:
        e.h_tgt, e.h_src = found[e.key]
        if len(e.h_tgt) != len(e.x_tgt) or len(e.h_src) != len(e.x_src):
            raise SystemExit(f"{e.key}: token states do not match the cached tokens")
        e.analysis.token_states = (e.h_tgt, e.h_src)


def fit_projection(examples: list[Example], side: str, seed: int, dims: int = STATE_DIMS) -> StateProjection:
    """Mean and spread of each state value over the training tokens of ``side``; a seeded Gaussian matrix."""
    total = squares = None
    count = 0
    for e in examples:
        h = e.h_tgt if side == "target" else e.h_src
        flat = h.reshape(len(h), -1).astype(np.float64)
        total = flat.sum(0) if total is None else total + flat.sum(0)
        squares = (flat**2).sum(0) if squares is None else squares + (flat**2).sum(0)
        count += len(flat)
    mean = total / count
    scale = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
    scale = np.where(scale > 1e-3, scale, 1.0)
    matrix = np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(len(mean)), (len(mean), dims))
    return StateProjection(mean.astype(np.float32), scale.astype(np.float32), matrix.astype(np.float32))


def with_states(examples: list[Example], projection: dict[str, StateProjection]) -> list[Example]:
    """Copies whose token matrices carry the projected states after the log-prob features."""
    return [replace(e, x_tgt=np.hstack([e.x_tgt, projection["target"](e.h_tgt)]),
                    x_src=np.hstack([e.x_src, projection["source"](e.h_src)])) for e in examples]


# --------------------------------------------------------------------------------------------------------
# Training: full-batch Adam on one tanh layer, class-balanced loss.


def _standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    center = np.median(x, 0)
    q75, q25 = np.percentile(x, 75, 0), np.percentile(x, 25, 0)
    scale = np.where(q75 - q25 > 1e-9, (q75 - q25) / 1.349, np.maximum(x.std(0), 1e-3))
    return center, scale


def train_head(x: np.ndarray, y: np.ndarray, classes: int, seed: int, width: int = WIDTH,
               epochs: int = EPOCHS, l2: float = L2) -> Head:
    """``classes`` = 1: binary (y ∈ {0, 1}); otherwise softmax over y ∈ [0, classes)."""
    rng = np.random.default_rng(seed)
    center, scale = _standardiser(x)
    # float32: the shared 2-core machine halves the time of every matrix product.
    z = np.clip((x - center) / scale, -5.0, 5.0).astype(np.float32)
    n, d = z.shape
    outputs = 1 if classes == 1 else classes
    counts = np.bincount(y, minlength=max(2, classes)).astype(float)
    # Balanced weights: every class carries the same total weight, so a rare class is not ignored.
    weights = (n / (len(counts) * np.maximum(counts, 1.0)))[y]
    weights = (weights / weights.mean()).astype(np.float32)
    params = [rng.normal(0, 1 / np.sqrt(d), (d, width)).astype(np.float32), np.zeros(width, np.float32),
              rng.normal(0, 1 / np.sqrt(width), (width, outputs)).astype(np.float32),
              np.zeros(outputs, np.float32)]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    onehot = (np.eye(outputs)[y] if outputs > 1 else y[:, None]).astype(np.float32)
    rate, beta1, beta2 = 0.02, 0.9, 0.999
    for step in range(1, epochs + 1):
        w0, b0, w1, b1 = params
        hidden = np.tanh(z @ w0 + b0)
        logits = hidden @ w1 + b1
        if outputs == 1:
            prob = 1 / (1 + np.exp(-np.clip(logits, -40, 40)))
        else:
            e = np.exp(logits - logits.max(1, keepdims=True))
            prob = e / e.sum(1, keepdims=True)
        grad_logits = (prob - onehot) * weights[:, None] / n
        grad_hidden = grad_logits @ w1.T * (1 - hidden**2)
        grads = [z.T @ grad_hidden + l2 * w0, grad_hidden.sum(0), hidden.T @ grad_logits + l2 * w1,
                 grad_logits.sum(0)]
        for k, (p, g) in enumerate(zip(params, grads, strict=True)):
            moments[k] = beta1 * moments[k] + (1 - beta1) * g
            squares[k] = beta2 * squares[k] + (1 - beta2) * g * g
            p -= rate * (moments[k] / (1 - beta1**step)) / (np.sqrt(squares[k] / (1 - beta2**step)) + 1e-8)
    return Head(center, scale, *(p.astype(np.float64) for p in params))


def fit_heads(examples: list[Example], seed: int = SEED) -> dict[str, Head]:
    x_t = np.vstack([e.x_tgt for e in examples])
    y_err = np.concatenate([e.y_err for e in examples])
    cat = [e for e in examples if e.y_cat is not None]
    x_c = np.vstack([e.x_tgt for e in cat])
    y_c = np.concatenate([e.y_cat for e in cat])
    y_major = np.concatenate([e.y_major for e in examples])
    src = [e for e in examples if e.y_omit is not None]
    heads = {
        "error": train_head(x_t, y_err, 1, seed),
        "category": train_head(x_c[y_c >= 0], y_c[y_c >= 0], len(TARGET_CLASSES), seed + 1),
        "major": train_head(x_t[y_major >= 0], y_major[y_major >= 0], 1, seed + 2),
    }
    if src:
        heads["omission"] = train_head(np.vstack([e.x_src for e in src]),
                                       np.concatenate([e.y_omit for e in src]), 1, seed + 3)
    return heads


# --------------------------------------------------------------------------------------------------------
# Floors and calibration on out-of-fold predictions.


def token_probabilities(heads: dict[str, Head], example: Example) -> dict[str, np.ndarray]:
    tagger = SpanTagger("", heads, {}, {})
    probs = tagger.target_probabilities(example.x_tgt)
    if "omission" in heads:
        probs["omission"] = tagger.source_probabilities(example.x_src)
    return probs


def runs(p: np.ndarray, floor: float, offsets, text: str, language) -> list[tuple[int, int, float]]:
    """Character spans (widened to words, function words trimmed) of runs of tokens with p ≥ floor."""
    from mtqa.score.neural import span_bounds

    out = []
    i = 0
    while i < len(p):
        if p[i] < floor:
            i += 1
            continue
        j = i
        while j + 1 < len(p) and p[j + 1] >= floor:
            j += 1
        bounds = span_bounds(text, offsets[i][0], offsets[j][1], language)
        mean = float(p[i : j + 1].mean())
        i = j + 1
        if bounds is not None:
            out.append((*bounds, mean))
    return out


def _class_spans(example: Example, probs: dict[str, np.ndarray], cls: str, floor: float):
    if cls == "omission":
        return runs(probs[cls], floor, example.analysis.source.offsets, example.source, ZH)
    # A token goes to its most probable emitted class only (as the shipped decoder does).
    stacked = np.stack([probs[c] for c in EMITTED])
    mine = np.where(stacked.argmax(0) == EMITTED.index(cls), probs[cls], 0.0)
    return runs(mine, floor, example.analysis.target.offsets, example.target, EN)


def _gold_chars(example: Example, cls: str) -> set[int]:
    side = "source" if cls == "omission" else "target"
    out: set[int] = set()
    for e in example.errors:
        if e.get("span_start") is None or e.get("span_side") != side:
            continue
        if cls == "any" or coarse(e.get("category")) == cls:
            out.update(range(e["span_start"], e["span_end"]))
    return out


def choose_floors(examples: list[Example], oof: list[dict[str, np.ndarray]], log=print):
    floors, calibration = {}, {}
    for cls in (*EMITTED, "omission"):
        pool = [(e, p) for e, p in zip(examples, oof, strict=True)
                if e.categorised and cls in p and (cls != "omission" or e.y_omit is not None)]
        gold = [_gold_chars(e, cls) for e, _ in pool]
        table = []
        for floor in FLOOR_GRID:
            tp = fp = fn = 0
            for (e, p), g in zip(pool, gold, strict=True):
                chars = {c for s, t, _ in _class_spans(e, p, cls, floor) for c in range(s, t)}
                tp += len(chars & g)
                fp += len(chars - g)
                fn += len(g - chars)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            table.append((float(floor), precision, recall, f1, tp + fp, _segment_f1(pool, gold, cls, floor)))
        reach = [row for row in table if row[1] >= PRECISION_TARGET and row[4] > 0]
        best = max(table, key=lambda r: (r[3], r[0]))
        # Precision first: a class that never reaches the target on the training data shows nothing by
        # default (a floor no probability reaches); ``--spans all`` still shows it, with probabilities.
        confident = min(reach, key=lambda r: r[0]) if reach else (OFF, 0.0, 0.0, 0.0, 0, 0.0)
        floors[cls] = {"confident": confident[0], "all": min(best[0], confident[0])}
        # Calibration of the span probability on the "all" spans.
        xs, ys = [], []
        for (e, p), g in zip(pool, gold, strict=True):
            for s, t, mean in _class_spans(e, p, cls, floors[cls]["all"]):
                m = min(max(mean, 1e-6), 1 - 1e-6)
                xs.append(np.log(m / (1 - m)))
                ys.append(float(bool(set(range(s, t)) & g)))
        calibration[cls] = _platt(np.array(xs), np.array(ys))
        log(f"  floor {cls:15s} confident {confident[0]:.3f} (P {confident[1]:.3f} R {confident[2]:.3f}) "
            f"all {floors[cls]['all']:.3f} (span P/R/F1 {best[1]:.3f}/{best[2]:.3f}/{best[3]:.3f}, "
            f"segment F1 {best[5]:.3f}); "
            f"calibration a={calibration[cls][0]:.2f} "
            f"b={calibration[cls][1]:.2f} on {len(xs)} spans")
    return floors, calibration


def _segment_f1(pool, gold, cls: str, floor: float) -> float:
    tp = fp = fn = 0
    for (e, p), g in zip(pool, gold, strict=True):
        flagged, marked = bool(_class_spans(e, p, cls, floor)), bool(g)
        tp, fp, fn = tp + (flagged and marked), fp + (flagged and not marked), fn + (marked and not flagged)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _platt(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """1-D logistic regression of y on x (Newton, ridged so that separable or tiny sets stay finite)."""
    if len(x) < 5 or y.min() == y.max():
        # Too little to fit: the overall hit rate, whatever the token probability.
        rate = min(max(float(y.mean()) if len(y) else 0.5, 0.01), 0.99)
        return (0.0, float(np.log(rate / (1 - rate))))
    # Newton on the ridged log-loss of standardised x, from the constant model, with step halving so that
    # every step lowers the loss (plain Newton oscillates on nearly separable span sets).
    mu, sd = float(x.mean()), float(x.std()) or 1.0
    z = (x - mu) / sd
    rate = min(max(float(y.mean()), 0.01), 0.99)
    theta = np.array([0.0, np.log(rate / (1 - rate))])

    def loss(t: np.ndarray) -> float:
        m = t[0] * z + t[1]
        return float(np.sum(np.logaddexp(0.0, m) - y * m) + 0.5 * t[0] ** 2)

    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(theta[0] * z + theta[1], -40, 40)))
        w = p * (1 - p) + 1e-9
        g = np.array([np.sum((p - y) * z) + theta[0], np.sum(p - y)])
        h = np.array([[np.sum(w * z * z) + 1.0, np.sum(w * z)], [np.sum(w * z), np.sum(w) + 1e-6]])
        step = np.linalg.solve(h, g)
        size, before = 1.0, loss(theta)
        while size > 1e-4 and loss(theta - size * step) > before:
            size /= 2
        theta = theta - size * step
        if np.abs(size * step).max() < 1e-7:
            break
    a, b = float(theta[0] / sd), float(theta[1] - theta[0] * mu / sd)
    if a <= 0.0:
        # A higher token probability must never mean a lower span probability: no slope, the hit rate.
        rate = min(max(float(y.mean()), 0.01), 0.99)
        return (0.0, float(np.log(rate / (1 - rate))))
    return (float(a), float(b))


def out_of_fold(examples: list[Example], folds: int = 3, seed: int = SEED) -> list[dict[str, np.ndarray]]:
    groups = sorted({e.group for e in examples})
    order = np.random.default_rng(seed).permutation(len(groups))
    fold_of = {groups[k]: i % folds for i, k in enumerate(order)}
    out: list[dict | None] = [None] * len(examples)
    for fold in range(folds):
        train = [e for e in examples if fold_of[e.group] != fold]
        heads = fit_heads(train, seed)
        for index, e in enumerate(examples):
            if fold_of[e.group] == fold:
                out[index] = token_probabilities(heads, e)
    return out  # type: ignore[return-value]


def train_tagger(examples: list[Example], extra: list[Example], meta: dict, log=print,
                 states: bool = False) -> SpanTagger:
    """Floors and calibration out of fold on ``examples`` (MQM only), then heads on examples + extra.
    ``states``: the heads also read the tokens' hidden states (``attach_states`` first); their projection is
    fitted on examples + extra (no labels), the same in every inner fold."""
    projection = None
    if states:
        projection = {side: fit_projection(examples + extra, side, SEED + offset)
                      for offset, side in ((10, "target"), (11, "source"))}
        examples, extra = with_states(examples, projection), with_states(extra, projection)
    oof = out_of_fold(examples + extra)[: len(examples)]
    floors, calibration = choose_floors(examples, oof, log)
    heads = fit_heads(examples + extra)
    version = STATES_VERSION if states else TRAIN_VERSION
    return SpanTagger(version, heads, floors, calibration, meta, projection)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--no-contrast", action="store_true", help="no contrast additions in training")
    parser.add_argument("--no-states", action="store_true",
                        help="the log-prob features only (span-tagger 1.1), no token hidden states")
    args = parser.parse_args()
    run(dry_run=args.dry_run, contrast=not args.no_contrast, states=not args.no_states)


def run(dry_run: bool = False, contrast: bool = True, states: bool = True) -> SpanTagger:
    started = time.perf_counter()
    examples = load_examples()
    extra = contrast_examples("train") if contrast else []
    if states:
        attach_states(examples + extra)
    print(f"span tagger: {len(examples)} MQM items, {len(extra)} contrast additions", flush=True)
    meta = {
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training_data": {
            "datasets": list(qe_data.DATASETS),
            "items": {d: sum(e.dataset == d for e in examples) for d in qe_data.DATASETS},
            "contrast_additions": len(extra),
            "signature": qe_data.data_signature([e.key for e in examples + extra]),
        },
        "script_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16],
        "seed": SEED,
        "model": "gemma3-270m",  # the extraction's model (tools/qe_states.py): the scorer checks the name
        "probability": "calibrated chance that a human marks an error of the span's class overlapping it",
    }
    if states:
        meta["token_states"] = {"layers": ["final norm", "middle"], "dims": STATE_DIMS,
                                "projection": "per-value standardised, seeded Gaussian"}
    tagger = train_tagger(examples, extra, meta, states=states)
    print(f"span tagger fit: {time.perf_counter() - started:.0f} s", flush=True)
    if not dry_run:
        save_span_tagger(tagger, OUTPUT)
        print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e3:.0f} kB)")
        print(json.dumps(meta["training_data"]))
    return tagger


if __name__ == "__main__":
    main()
