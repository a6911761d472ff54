"""Train the quality head (``mtqa/resources/quality_head.npz``): seeded, reproducible.

    python tools/qe_states.py mqm --segments 100       # once: features and pooled states (cached)
    python tools/contrast_sets.py && python tools/qe_states.py items \\
        benchmarks/.features/contrast_items.jsonl contrast     # once: contrast items
    python tools/train_quality.py                      # choose the design, fit on all three sets, write
    python tools/train_quality.py --dry-run            # the same, write nothing

Design candidates (``CANDIDATES``) differ in inputs (length-free log-prob features; pooled hidden states),
objective (pairwise logistic loss on translations of the same source; plus pairs across sources ranked by
per-rater z-normalised MQM, optionally only between translations of about the same length; plus "intact
above damaged" contrast pairs; or pointwise least squares on the z-normalised score) and size (linear or
one tanh layer). A design is chosen by **leave one dataset out among the training datasets only**, among
the candidates whose out-of-fold estimate does not rank by length (|Spearman with log target length| <= 0.3
on every held-out training set, no gold read; head 2.3, ``--no-length-rule`` for head 2.2's choice);
``benchmarks/judge.py`` runs the same choice inside each of its three folds (so no fold's test set ever
informs its own design), and this script runs it over all three datasets to pick the shipped design, then
fits it on all of them.

Heads: ``estimate`` (all inputs, all MQM errors), ``adequacy`` (source-aware features only), ``fluency``
(target-only features, ranked by fluency/style penalties where categories are known).
"""

from __future__ import annotations

import argparse
import os

# Small dense problems on a shared 2-core machine: threaded BLAS only spins (a 46 s SVD, measured).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import hashlib
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qe_data

from mtqa.score.quality import Head, QualityModel, derived_features, hidden_block, save_quality_model

TRAIN_VERSION = "quality-head 2.3"
OUTPUT = qe_data.ROOT / "mtqa" / "resources" / "quality_head.npz"
SEED = 20261201
CLIP = 4.0

# Length-free log-prob features: per-token means, percentiles and ratios. Raw token/character counts, and
# minima or sums over tokens (which grow more extreme with length), are left out on purpose.
FEATURES_ALL = (
    "tgt_lp_cond", "tgt_lp_uncond", "src_lp_cond", "src_lp_uncond", "pmi_fwd", "pmi_rev", "pmi_fwd_p10",
    "pmi_rev_p10", "tgt_lp_cond_p10", "pmi_fwd_neg_mean", "pmi_rev_neg_mean", "slor", "log_len_ratio",
    "log_token_ratio",
)
FEATURES_ADEQUACY = (
    "pmi_fwd", "pmi_rev", "pmi_fwd_p10", "pmi_rev_p10", "pmi_fwd_neg_mean", "pmi_rev_neg_mean",
    "tgt_lp_cond", "src_lp_cond", "tgt_lp_cond_p10", "log_len_ratio", "log_token_ratio",
)
FEATURES_FLUENCY = ("tgt_lp_uncond", "slor")
# Head 2.2: coverage features (``mtqa.score.neural.coverage_features``; computed from the cached per-token
# log-probs by ``qe_data.record_features``): shares and window means, length-free like the rest.
FEATURES_COVERAGE = ("src_unsupported_share", "tgt_unsupported_share", "pmi_rev_window_min",
                     "pmi_fwd_window_min")
# The raw lengths and length-bound features of the old calibration, for the "with length" comparison.
FEATURES_WITH_LENGTH = (*FEATURES_ALL, "tgt_tokens", "src_tokens", "pmi_fwd_min", "pmi_rev_min",
                        "pmi_fwd_neg_sum", "pmi_rev_neg_sum", "tgt_lp_cond_min")
LOG_FEATURES = {"tgt_tokens", "src_tokens"}
HIDDEN_BLOCKS = ("tgt_cond_last", "src_cond_last", "tgt_diff_last", "src_diff_last", "tgt_cond_middle",
                 "src_cond_middle")
# Without the blocks that carry length most in head 2.1 (Spearman of each block's contribution with the log
# target length over the 3,589 training inputs, no gold read: middle layers -0.90, diffs -0.69/-0.74, last
# layer -0.22/-0.23).
HIDDEN_LAST = ("tgt_cond_last", "src_cond_last", "tgt_diff_last", "src_diff_last")
HIDDEN_COND_LAST = ("tgt_cond_last", "src_cond_last")


@dataclass(frozen=True)
class Design:
    name: str
    features: tuple[str, ...] = FEATURES_ALL
    hidden: tuple[str, ...] = ()
    components: int = 32
    objective: str = "rank"  # "rank" (pairwise logistic) or "pointwise" (least squares on z-gold)
    within: float = 1.0  # weight of the pairs within a source
    across: float = 0.0  # weight of the pairs across sources (same dataset, per-rater z-gold)
    contrast: float = 0.0  # weight of the intact-above-damaged pairs
    # > 0: across-source pairs only between translations of about the same length (within this many places
    # in the dataset's order by target length), so that across pairs cannot teach "long = bad" either.
    match_length: int = 0
    width: int = 0  # 0: linear; else one tanh layer of this width
    l2: float = 1e-2
    epochs: int = 300
    target: str = "all"  # "all" MQM errors, or "fluency" penalties
    gold: str = "z"  # "z": per-rater z-normalised MQM where raters are known; "raw": the MQM score


CANDIDATES: tuple[Design, ...] = (
    Design("rank-within"),
    Design("rank-within+across", across=1.0),
    Design("rank-within+across-rawgold", across=1.0, gold="raw"),
    Design("rank-within+across+contrast", across=1.0, contrast=0.5),
    Design("rank-within+across+contrast2", across=1.0, contrast=2.0),
    Design("pointwise-z", objective="pointwise"),
    Design("hidden-rank", hidden=HIDDEN_BLOCKS, across=1.0, contrast=0.5, l2=3e-2),
    Design("hidden-rank+contrast2", hidden=HIDDEN_BLOCKS, across=1.0, contrast=2.0, l2=3e-2),
    Design("hidden-mlp-rank", hidden=HIDDEN_BLOCKS, across=1.0, contrast=0.5, width=16, l2=3e-2),
    # Head 2.2 (issue 9, added together before any figure with them was seen): coverage features; more
    # weight on contrast pairs or on pairs within a source; fewer length-carrying state blocks.
    Design("rank-within+across+contrast2+coverage", features=FEATURES_ALL + FEATURES_COVERAGE, across=1.0,
           contrast=2.0),
    Design("hidden-rank+coverage", features=FEATURES_ALL + FEATURES_COVERAGE, hidden=HIDDEN_BLOCKS,
           across=1.0, contrast=0.5, l2=3e-2),
    Design("hidden-rank+coverage+contrast2", features=FEATURES_ALL + FEATURES_COVERAGE, hidden=HIDDEN_BLOCKS,
           across=1.0, contrast=2.0, l2=3e-2),
    Design("hidden-rank+coverage+within3", features=FEATURES_ALL + FEATURES_COVERAGE, hidden=HIDDEN_BLOCKS,
           within=3.0, across=1.0, contrast=0.5, l2=3e-2),
    Design("hidden-last-rank+coverage", features=FEATURES_ALL + FEATURES_COVERAGE, hidden=HIDDEN_LAST,
           across=1.0, contrast=0.5, l2=3e-2),
    Design("hidden-condlast-rank+coverage", features=FEATURES_ALL + FEATURES_COVERAGE,
           hidden=HIDDEN_COND_LAST, across=1.0, contrast=0.5, l2=3e-2),
    # Added after the first judge run with the six above (its figures seen): pairs across sources only
    # between translations of about the same length. Omission accuracy is a length test in disguise (the
    # damaged copy is always shorter; -length gets 0.000), and the across pairs on length-bound MQM are
    # where a head learns "long = bad". 25 places either side of ~1,000-1,300 per dataset: fixed, not tuned.
    Design("rank-within+matched+contrast2+coverage", features=FEATURES_ALL + FEATURES_COVERAGE, across=1.0,
           match_length=25, contrast=2.0),
    Design("hidden-rank+coverage+matched", features=FEATURES_ALL + FEATURES_COVERAGE, hidden=HIDDEN_BLOCKS,
           across=1.0, match_length=25, contrast=0.5, l2=3e-2),
    Design("hidden-rank+coverage+matched+contrast2", features=FEATURES_ALL + FEATURES_COVERAGE,
           hidden=HIDDEN_BLOCKS, across=1.0, match_length=25, contrast=2.0, l2=3e-2),
)
# Issue 9 asks that no translation rank low for being long. Applied before the inner criterion (whose first
# term, Spearman with z-MQM, rewards length on these sets): |Spearman(out-of-fold estimate, log target
# length)| must stay within this on every held-out *training* set. 0.3 is the requirement as stated, not
# fitted; the rule was added (head 2.3) after the left-out figures of head 2.2's candidates had been seen.
LENGTH_RHO_MAX = 0.3
# Shown by the judge beside the candidates, never chosen: what the old calibration's inputs learn.
WITH_LENGTH = Design("pointwise-raw-with-length", features=FEATURES_WITH_LENGTH, objective="pointwise-raw")


def gold(item, kind: str = "z") -> float:
    return item.mqm_z if kind == "z" and item.mqm_z is not None else item.mqm


# --------------------------------------------------------------------------------------------------------
# Inputs.


@dataclass
class Standardiser:
    features: tuple[str, ...]
    center: np.ndarray
    scale: np.ndarray
    hidden: tuple[str, ...] = ()
    hidden_mean: np.ndarray | None = None
    hidden_scale: np.ndarray | None = None
    projection: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    def head(self, layers, quantiles) -> Head:
        return Head(self.features, self.center, self.scale, CLIP, self.hidden, self.hidden_mean,
                    self.hidden_scale, self.projection, layers, quantiles)


def _feature_matrix(features_list, names) -> np.ndarray:
    rows = [derived_features(f) for f in features_list]
    x = np.array([[r.get(n, math.nan) for n in names] for r in rows], dtype=np.float64)
    for j, name in enumerate(names):
        if name in LOG_FEATURES:
            x[:, j] = np.log(np.maximum(x[:, j], 1.0))
    return x


def fit_standardiser(items, design: Design) -> Standardiser:
    x = _feature_matrix([i.features for i in items], design.features)
    center = np.nanmedian(x, 0)
    q75, q25 = np.nanpercentile(x, 75, 0), np.nanpercentile(x, 25, 0)
    scale = np.where((q75 - q25) > 1e-9, (q75 - q25) / 1.349, 1.0)
    std = Standardiser(design.features, center, scale)
    if design.hidden:
        pooled = np.stack([i.pooled for i in items])
        h = np.concatenate([hidden_block(pooled, b) for b in design.hidden], axis=-1)
        mean, spread = h.mean(0), h.std(0) + 1e-3
        hz = np.clip((h - mean) / spread, -CLIP, CLIP)
        centred = hz - hz.mean(0)
        import torch

        # torch on one thread: numpy's threaded LAPACK took 46 s for this on the shared, saturated cores.
        torch.set_num_threads(1)
        _, s, vt = (a.numpy() for a in torch.linalg.svd(torch.from_numpy(centred), full_matrices=False))
        k = design.components
        # Unit-variance principal components: the head's weights on them are comparable to the features'.
        projection = vt[:k].T / (s[:k] / math.sqrt(len(items)))
        # The projection is applied to hz without centring: fold the centring into the mean.
        std.hidden, std.hidden_mean, std.hidden_scale = design.hidden, mean, spread
        std.projection = projection
        std.extra["pc_offset"] = hz.mean(0) @ projection
    return std


def inputs(std: Standardiser, features_list, pooled) -> np.ndarray:
    x = _feature_matrix(features_list, std.features)
    x = np.where(np.isfinite(x), x, std.center)
    z = np.clip((x - std.center) / std.scale, -CLIP, CLIP)
    if not std.hidden:
        return z
    h = np.concatenate([hidden_block(pooled, b) for b in std.hidden], axis=-1)
    hz = np.clip((h - std.hidden_mean) / std.hidden_scale, -CLIP, CLIP)
    return np.concatenate([z, hz @ std.projection], axis=-1)


# --------------------------------------------------------------------------------------------------------
# Pairs and the fit.


def within_pairs(items, target) -> list[tuple[int, int, float]]:
    """(better, worse, weight) for translations of the same source; each source weighs the same."""
    groups = defaultdict(list)
    for index, item in enumerate(items):
        groups[item.segment].append(index)
    pairs = []
    for members in groups.values():
        local = [(a, b) for a in members for b in members if target[a] > target[b] + 1e-9]
        for a, b in local:
            pairs.append((a, b, 1.0 / len(local)))
    total = sum(w for _, _, w in pairs) or 1.0
    return [(a, b, w / total) for a, b, w in pairs]


def across_pairs(
    items, target, rng, per_item: int = 20, match_length: int = 0
) -> list[tuple[int, int, float]]:
    """Random pairs of translations of different sources in the same dataset, ordered by the target; with
    ``match_length``, the second of each pair is drawn among the ``match_length`` translations on either
    side of the first in the dataset's order by target length."""
    by_dataset = defaultdict(list)
    for index, item in enumerate(items):
        by_dataset[item.dataset].append(index)
    pairs = []
    for members in by_dataset.values():
        if match_length:
            members = np.array(sorted(members, key=lambda i: (len(items[i].target), i)))
            a_pos = rng.integers(0, len(members), size=per_item * len(members))
            offset = rng.integers(-match_length, match_length + 1, size=len(a_pos))
            a, b = members[a_pos], members[np.clip(a_pos + offset, 0, len(members) - 1)]
        else:
            members = np.array(members)
            a = rng.choice(members, size=per_item * len(members))
            b = rng.choice(members, size=per_item * len(members))
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            if items[i].segment != items[j].segment and abs(target[i] - target[j]) > 1e-9:
                pairs.append((i, j) if target[i] > target[j] else (j, i))
    # Each dataset weighs the same, whatever its size.
    counts = defaultdict(int)
    for i, _ in pairs:
        counts[items[i].dataset] += 1
    return [(i, j, 1.0 / (len(counts) * counts[items[i].dataset])) for i, j in pairs]


def train_network(x, pairs, design: Design, seed: int, pointwise_y=None):
    """Weights of a linear or one-hidden-layer network trained on weighted pairwise logistic loss (or
    least squares), full batch, Adam, fixed epochs, seeded."""
    import torch

    torch.manual_seed(seed)
    # Small full-batch problems: one thread is as fast, and leaves the other core to the machine.
    torch.set_num_threads(1)
    xt = torch.tensor(x, dtype=torch.float32)
    if design.width:
        net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], design.width), torch.nn.Tanh(),
                                  torch.nn.Linear(design.width, 1))
    else:
        net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 1))
        torch.nn.init.zeros_(net[0].weight)
    optimiser = torch.optim.Adam(net.parameters(), lr=0.02)
    if pointwise_y is not None:
        yt = torch.tensor(pointwise_y, dtype=torch.float32)
    else:
        a_index = torch.tensor([p[0] for p in pairs], dtype=torch.long)
        b_index = torch.tensor([p[1] for p in pairs], dtype=torch.long)
        pair_weight = torch.tensor([p[2] for p in pairs], dtype=torch.float32)
    for _ in range(design.epochs):
        optimiser.zero_grad()
        out = net(xt)[:, 0]
        if pointwise_y is not None:
            loss = ((out - yt) ** 2).mean()
        else:
            loss = (torch.nn.functional.softplus(out[b_index] - out[a_index]) * pair_weight).sum()
        weights = [p for n, p in net.named_parameters() if n.endswith("weight")]
        loss = loss + design.l2 * sum((w**2).sum() for w in weights)
        loss.backward()
        optimiser.step()
    layers = []
    modules = [m for m in net if isinstance(m, torch.nn.Linear)]
    for m in modules:
        layers.append((m.weight.detach().double().numpy().T.copy(), m.bias.detach().double().numpy().copy()))
    return tuple(layers)


def _forward(layers, x):
    for index, (w, b) in enumerate(layers):
        x = x @ w + b
        if index < len(layers) - 1:
            x = np.tanh(x)
    return x[:, 0]


def fit_head(items, contrast, design: Design, seed: int = SEED) -> Head:
    """One head fitted on ``items`` (plus the contrast pairs whose intact translation is among them)."""
    rng = np.random.default_rng(seed)
    if design.target == "fluency":
        items = [i for i in items if i.fluency is not None]
        target = [i.fluency for i in items]
    else:
        target = [gold(i, design.gold) for i in items]
    std = fit_standardiser(items, design)
    pooled = np.stack([i.pooled for i in items]) if design.hidden else None
    x_items = inputs(std, [i.features for i in items], pooled)
    if std.hidden:
        x_items[:, len(std.features):] -= std.extra["pc_offset"]
    x_all = [x_items]
    pairs = []
    pointwise_y = None
    if design.objective == "pointwise":
        pointwise_y = _rank_normal_per_dataset(items, target)
    elif design.objective == "pointwise-raw":
        pointwise_y = _rank_normal_per_dataset(items, [i.mqm for i in items])
    else:
        pairs += [(a, b, w * design.within, "within") for a, b, w in within_pairs(items, target)]
        if design.across:
            pairs += [(a, b, w * design.across, "across")
                      for a, b, w in across_pairs(items, target, rng, match_length=design.match_length)]
        if design.contrast and contrast:
            by_key = {i.key: n for n, i in enumerate(items)}
            damaged = [c for c in contrast if c.which == "train"
                       and f"{c.dataset}\t{c.group}" in by_key]
            if damaged:
                pc = np.stack([c.pooled for c in damaged]) if design.hidden else None
                xc = inputs(std, [c.features for c in damaged], pc)
                if std.hidden:
                    xc[:, len(std.features):] -= std.extra["pc_offset"]
                offset = len(x_items)
                x_all.append(xc)
                w = design.contrast / len(damaged)
                pairs += [(by_key[f"{c.dataset}\t{c.group}"], offset + k, w, "contrast")
                          for k, c in enumerate(damaged)]
    x = np.concatenate(x_all)
    layers = train_network(x, pairs, design, seed, pointwise_y)
    if std.hidden:
        # Fold the principal-component centring into the first layer's bias.
        w0, b0 = layers[0]
        cols = slice(len(std.features), None)
        b0 = b0 - std.extra["pc_offset"] @ w0[cols]
        layers = ((w0, b0), *layers[1:])
    raw = _forward(layers, inputs(std, [i.features for i in items], pooled))
    quantiles = np.quantile(raw, np.linspace(0, 1, 101))
    return std.head(layers, quantiles)


def _rank_normal_per_dataset(items, values) -> np.ndarray:
    from statistics import NormalDist

    out = np.zeros(len(items))
    by_dataset = defaultdict(list)
    for index, item in enumerate(items):
        by_dataset[item.dataset].append(index)
    dist = NormalDist()
    for members in by_dataset.values():
        v = np.array([values[i] for i in members])
        order = v.argsort(kind="mergesort")
        ranks = np.empty(len(v))
        ranks[order] = np.arange(len(v))
        # Ties share their mean rank.
        for value in np.unique(v):
            mask = v == value
            ranks[mask] = ranks[mask].mean()
        out[members] = [dist.inv_cdf((r + 0.5) / len(v)) for r in ranks]
    return out


def predict(head: Head, items) -> np.ndarray:
    pooled = np.stack([i.pooled for i in items]) if head.hidden else None
    return head.raw([i.features for i in items], pooled)


# --------------------------------------------------------------------------------------------------------
# Choosing a design on training data only.


def selection_score(items, predictions, contrast=(), head=None) -> dict[str, float]:
    """The criterion a design is chosen by, on a held-out *training* dataset: the mean of Spearman with the
    z-gold, partial Spearman with target length held fixed, within-source Kendall τ, and (when ``head``
    and contrast pairs of that dataset are given) the share of its contrast pairs ranked intact first."""
    import metrics  # benchmarks/metrics.py (on sys.path through qe_data)

    g = [gold(i) for i in items]
    length = [len(i.target) for i in items]
    spearman = metrics.spearman(predictions, g)
    partial = metrics.partial_spearman(predictions, g, length)
    within = within_source_tau(items, predictions, [i.mqm for i in items])
    parts = {"spearman_z": spearman, "partial": partial, "within_tau": within}
    by_key = {i.key: p for i, p in zip(items, predictions, strict=True)}
    damaged = [c for c in contrast if c.which == "train" and f"{c.dataset}\t{c.group}" in by_key]
    if head is not None and damaged:
        scores = predict(head, damaged)
        intact = np.array([by_key[f"{c.dataset}\t{c.group}"] for c in damaged])
        parts["contrast"] = float(np.mean((intact > scores) + 0.5 * (intact == scores)))
    parts["score"] = float(np.nanmean(list(parts.values())))
    return parts


def within_source_tau(items, predictions, golds) -> float:
    helpers = qe_data.evalsets.eval_helpers()
    rows = [{"doc": i.doc, "seg_id": i.seg_id, "p": float(p), "g": float(g)}
            for i, p, g in zip(items, predictions, golds, strict=True)]
    return helpers.grouped_corr(rows, "p", gold_key="g", group_key=("doc", "seg_id"))


def length_rho(items, predictions) -> float:
    """Spearman of the predictions with the log target length in characters (no gold read)."""
    import metrics  # benchmarks/metrics.py (on sys.path through qe_data)

    return metrics.spearman(predictions, [math.log(max(len(i.target), 1)) for i in items])


def choose_design(
    items, contrast, datasets, candidates=CANDIDATES, log=print, max_length_rho: float | None = LENGTH_RHO_MAX
) -> tuple[Design, dict]:
    """The candidate with the best mean selection score over leave-one-dataset-out folds of ``datasets``,
    among the candidates that do not rank by length there: with ``max_length_rho``, a candidate is eligible
    only if |Spearman(its out-of-fold estimate, log target length)| is at most that on **every** held-out
    training set (no gold read; the issue's requirement, not a fitted value). If none is, the criterion
    chooses among all and the log says so. ``max_length_rho=None``: no rule (head 2.2's choice)."""
    scores, lengths = {}, {}
    for design in candidates:
        fold_scores, fold_lengths = [], []
        for held in datasets:
            train = [i for i in items if i.dataset in datasets and i.dataset != held]
            test = [i for i in items if i.dataset == held]
            head = fit_head(train, contrast, design)
            predictions = predict(head, test)
            fold_scores.append(selection_score(test, predictions, contrast, head)["score"])
            fold_lengths.append(length_rho(test, predictions))
        scores[design.name] = round(float(np.mean(fold_scores)), 4)
        # The fold furthest from 0 decides: a design that ranks by length on one set is not length-free.
        lengths[design.name] = round(max(fold_lengths, key=abs), 4)
        eligible = max_length_rho is None or abs(lengths[design.name]) <= max_length_rho
        folds = ", ".join(f"{s:.3f}" for s in fold_scores)
        len_folds = ", ".join(f"{r:+.3f}" for r in fold_lengths)
        mark = "" if max_length_rho is None else ("  eligible" if eligible else "  excluded")
        log(f"    inner {design.name:30s} {scores[design.name]:.4f}  ({folds})  "
            f"len {lengths[design.name]:+.3f} ({len_folds}){mark}")
    pool = [d for d in candidates if max_length_rho is None or abs(lengths[d.name]) <= max_length_rho]
    fallback = max_length_rho is not None and not pool
    if fallback:
        log(f"  no candidate has |Spearman(estimate, log target length)| <= {max_length_rho} on every "
            "held-out training set: the criterion chooses among all (length rule not met)")
        pool = list(candidates)
    best = max(pool, key=lambda d: scores[d.name])
    choice = {
        "scores": scores,
        "length_rule": None if max_length_rho is None else {
            "rule": f"eligible only if |Spearman(out-of-fold estimate, log target characters)| <= "
                    f"{max_length_rho} on every held-out training set (no gold read), applied before the "
                    "criterion; added after the left-out figures of head 2.2's candidates had been seen",
            "length_rho": lengths,
            "eligible": [d.name for d in candidates if abs(lengths[d.name]) <= max_length_rho],
            "fallback_to_all": fallback,
        },
    }
    return best, choice


def train_model(items, contrast, design: Design, meta: dict) -> QualityModel:
    estimate = fit_head(items, contrast, design)
    # Source-aware features only; the coverage features are source-aware too, when the design has them.
    coverage = tuple(f for f in design.features if f in FEATURES_COVERAGE)
    adequacy = fit_head(items, contrast, replace(design, features=FEATURES_ADEQUACY + coverage, hidden=(),
                                                 width=0))
    fluency = fit_head(items, contrast, replace(design, features=FEATURES_FLUENCY, hidden=(), width=0,
                                                target="fluency", across=1.0, contrast=0.0,
                                                objective="rank"))
    heads = {"estimate": estimate, "adequacy": adequacy, "fluency": fluency}
    if design.hidden:
        # For a model that cannot give pooled states (a test fake, another LM): the same design without.
        heads["estimate/features"] = fit_head(items, contrast, replace(design, hidden=(), width=0))
    mqm = np.quantile([i.mqm for i in items], np.linspace(0, 1, 101))
    return QualityModel(TRAIN_VERSION, heads, mqm, meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--design", help="skip the choice: train this candidate")
    parser.add_argument("--no-length-rule", action="store_true",
                        help="choose among all candidates (head 2.2's choice), not only those that do not "
                             "rank by length on the held-out training sets")
    args = parser.parse_args()
    started = time.perf_counter()
    items = qe_data.load_mqm()
    contrast = qe_data.load_contrast()
    datasets = qe_data.DATASETS
    print(f"{len(items)} items, {len(contrast)} contrast items", flush=True)
    if args.design:
        design = next(d for d in CANDIDATES if d.name == args.design)
        choice = {}
    else:
        design, choice = choose_design(items, contrast, datasets,
                                       max_length_rho=None if args.no_length_rule else LENGTH_RHO_MAX)
    print(f"design: {design.name}", flush=True)
    fit_started = time.perf_counter()
    script = Path(__file__).read_bytes()
    meta = {
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "design": design.name,
        "design_choice": {"by": "mean selection score over leave-one-dataset-out folds of the three sets",
                          **choice},
        "training_data": {
            "datasets": list(datasets),
            "items": {d: sum(i.dataset == d for i in items) for d in datasets},
            "signature": qe_data.data_signature([i.key for i in items]
                                                + [c.key for c in contrast if c.which == "train"]),
            "contrast_pairs": sum(c.which == "train" for c in contrast),
        },
        "script_sha256": hashlib.sha256(script).hexdigest()[:16],
        "seed": SEED,
        "score_scale": "0-100 = percentile of the head's value among the training MT outputs",
    }
    model = train_model(items, contrast, design, meta)
    print(f"fit: {time.perf_counter() - fit_started:.1f} s (all: {time.perf_counter() - started:.0f} s)")
    if args.dry_run:
        return
    save_quality_model(model, OUTPUT)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.2f} MB)")
    print(json.dumps(meta["training_data"]))


if __name__ == "__main__":
    main()
