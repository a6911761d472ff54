"""The trained quality head: the scorer's features (and pooled hidden states) of one pair → adequacy,
fluency, estimate (0–100) and a predicted MQM-style score.

Trained offline by ``tools/train_quality.py`` (seeded, reproducible) and shipped as
``mtqa/resources/quality_head.npz``; ``docs/neural.md`` gives the method and the leave-one-dataset-out
figures. Each head is a small network (a linear layer, or one hidden layer) on

* log-prob features of the pair, all per token or ratios (never a raw length: MQM sums penalties over a
  segment, and a head that sees length learns "long = bad", which does not carry over to new data),
  standardised with the training median and IQR and clipped;
* optionally, the mean-pooled hidden states of scored pieces (``GemmaModel.score_pooled``, from the
  scoring pass itself), standardised and projected onto the training data's principal components.

A head's raw value becomes 0–100 through its values on the training translations: **70 means "ranked
above 70 % of the machine translations the head was trained on"**. ``mqm`` maps the same percentile to the
training MQM scores (a typical MQM score for a translation ranked there), ≤ 0.

numpy only: this runs for every pair of every check.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtqa.errors import MtqaError
from mtqa.score.weights import read_weights, weights_bytes, write_weights

RESOURCE = "quality_head.npz"
FORMAT_VERSION = 2  # 1 was the linear calibration.json
SCORE_HEADS = ("adequacy", "fluency", "estimate")
PIECES = ("tgt_cond", "src_cond", "tgt_uncond", "src_uncond")
LAYERS = ("last", "middle")


def derived_features(features: Mapping[str, float]) -> dict[str, float]:
    """The scorer's features plus per-token forms of its sums (a sum over tokens grows with length)."""
    out = dict(features)
    tgt = max(1.0, float(features.get("tgt_tokens", 1.0)))
    src = max(1.0, float(features.get("src_tokens", 1.0)))
    if "pmi_fwd_neg_sum" in features:
        out["pmi_fwd_neg_mean"] = features["pmi_fwd_neg_sum"] / tgt
    if "pmi_rev_neg_sum" in features:
        out["pmi_rev_neg_mean"] = features["pmi_rev_neg_sum"] / src
    if features.get("len_ratio", 0.0) > 0:
        out["log_len_ratio"] = math.log(features["len_ratio"])
    if "src_tokens" in features and "tgt_tokens" in features:
        out["log_token_ratio"] = math.log(tgt / src)
    return out


def hidden_block(pooled: np.ndarray, name: str) -> np.ndarray:
    """One named block of pooled states ``[..., 4 pieces, 2 layers, hidden]``: ``<piece>_<layer>`` or
    ``<side>_diff_<layer>`` (the side given the other side minus the side alone)."""
    kind, layer = name.rsplit("_", 1)
    li = LAYERS.index(layer)
    if kind.endswith("_diff"):
        side = kind.removesuffix("_diff")
        given = pooled[..., PIECES.index(f"{side}_cond"), li, :]
        return given - pooled[..., PIECES.index(f"{side}_uncond"), li, :]
    return pooled[..., PIECES.index(kind), li, :]


@dataclass(frozen=True)
class Head:
    features: tuple[str, ...]
    center: np.ndarray
    scale: np.ndarray
    clip: float
    hidden: tuple[str, ...]  # pooled-state blocks, empty for a features-only head
    hidden_mean: np.ndarray | None
    hidden_scale: np.ndarray | None
    projection: np.ndarray | None  # [blocks × hidden, components]
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]  # (weight [in, out], bias [out]); tanh between
    quantiles: np.ndarray  # raw values on the training data at probabilities 0, 1/100, …, 1

    @property
    def needs_states(self) -> bool:
        return bool(self.hidden)

    def inputs(self, features: Sequence[Mapping[str, float]], pooled: np.ndarray | None) -> np.ndarray:
        rows = [derived_features(f) for f in features]
        x = np.array([[r.get(name, math.nan) for name in self.features] for r in rows], dtype=np.float64)
        # A missing or non-finite feature counts as the training median (standardised 0).
        x = np.where(np.isfinite(x), x, self.center)
        z = np.clip((x - self.center) / self.scale, -self.clip, self.clip)
        if not self.hidden:
            return z
        if pooled is None:
            raise MtqaError("this quality head needs pooled hidden states")
        h = np.concatenate([hidden_block(pooled, name) for name in self.hidden], axis=-1)
        h = np.clip((h - self.hidden_mean) / self.hidden_scale, -self.clip, self.clip)
        return np.concatenate([z, h @ self.projection], axis=-1)

    def raw(self, features: Sequence[Mapping[str, float]], pooled: np.ndarray | None = None) -> np.ndarray:
        x = self.inputs(features, pooled)
        for index, (weight, bias) in enumerate(self.layers):
            x = x @ weight + bias
            if index < len(self.layers) - 1:
                x = np.tanh(x)
        return x[:, 0]

    def percentile(self, raw: float) -> float:
        """0–100: the share of training values below ``raw`` (interpolated between quantiles)."""
        q = self.quantiles
        position = bisect.bisect_left(q.tolist(), raw)
        if position == 0:
            return 0.0
        if position >= len(q):
            return 100.0
        lo, hi = q[position - 1], q[position]
        fraction = 0.0 if hi == lo else (raw - lo) / (hi - lo)
        return 100.0 * (position - 1 + fraction) / (len(q) - 1)


@dataclass(frozen=True)
class QualityScores:
    adequacy: float | None
    fluency: float | None
    estimate: float | None
    mqm: float | None  # predicted MQM score of the pair, ≤ 0


@dataclass(frozen=True)
class QualityModel:
    version: str
    heads: Mapping[str, Head]
    mqm_quantiles: np.ndarray  # training MQM scores at probabilities 0 … 1
    meta: Mapping[str, object]

    @property
    def needs_states(self) -> bool:
        return any(self.heads[name].needs_states for name in SCORE_HEADS if name in self.heads)

    def head_for(self, name: str, with_states: bool) -> Head | None:
        """The head that scores ``name``: a head on pooled states when they are at hand, else its
        features-only twin ``<name>/features`` (a model that cannot give states, e.g. a test fake)."""
        head = self.heads.get(name)
        if head is not None and head.needs_states and not with_states:
            head = self.heads.get(f"{name}/features")
        return head

    def scores_batch(
        self, features: Sequence[Mapping[str, float]], pooled: np.ndarray | None = None
    ) -> list[QualityScores]:
        if not features:
            return []
        heads = {name: self.head_for(name, pooled is not None) for name in SCORE_HEADS}
        raw = {name: head.raw(features, pooled) for name, head in heads.items() if head is not None}
        out = []
        for i in range(len(features)):
            values = {
                n: round(heads[n].percentile(float(raw[n][i])), 1) if n in raw else None
                for n in SCORE_HEADS
            }
            mqm = None
            if values["estimate"] is not None and len(self.mqm_quantiles) > 1:
                q = self.mqm_quantiles
                at = float(np.interp(values["estimate"] / 100.0, np.linspace(0, 1, len(q)), q))
                mqm = round(min(0.0, at), 2)
            out.append(QualityScores(values["adequacy"], values["fluency"], values["estimate"], mqm))
        return out

    def scores(self, features: Mapping[str, float], pooled: np.ndarray | None = None) -> QualityScores:
        return self.scores_batch([features], None if pooled is None else pooled[None])[0]


# --------------------------------------------------------------------------------------------------------
# The file: one npz; "meta" holds JSON (version, heads' structure, training data), the rest are arrays.


def save_quality_model(model: QualityModel, path: str | Path) -> None:
    arrays: dict[str, np.ndarray] = {"mqm_quantiles": np.asarray(model.mqm_quantiles, np.float32)}
    heads = {}
    for name, head in model.heads.items():
        heads[name] = {"features": list(head.features), "clip": head.clip, "hidden": list(head.hidden),
                       "layers": len(head.layers)}
        arrays[f"{name}.center"] = head.center
        arrays[f"{name}.scale"] = head.scale
        arrays[f"{name}.quantiles"] = head.quantiles
        if head.hidden:
            arrays[f"{name}.hidden_mean"] = head.hidden_mean.astype(np.float32)
            arrays[f"{name}.hidden_scale"] = head.hidden_scale.astype(np.float32)
            arrays[f"{name}.projection"] = head.projection.astype(np.float32)
        for i, (weight, bias) in enumerate(head.layers):
            arrays[f"{name}.w{i}"] = weight.astype(np.float32)
            arrays[f"{name}.b{i}"] = bias.astype(np.float32)
    meta = {"format": FORMAT_VERSION, "version": model.version, "heads": heads, "meta": dict(model.meta)}
    write_weights(path, arrays, meta)


def parse_quality_model(data: bytes, origin: str = RESOURCE) -> QualityModel:
    try:
        arrays, meta = read_weights(data, origin, "quality head", FORMAT_VERSION)
        heads = {}
        for name, spec in meta["heads"].items():
            hidden = tuple(spec["hidden"])
            heads[name] = Head(
                features=tuple(spec["features"]),
                center=arrays[f"{name}.center"].astype(np.float64),
                scale=arrays[f"{name}.scale"].astype(np.float64),
                clip=float(spec["clip"]),
                hidden=hidden,
                hidden_mean=arrays[f"{name}.hidden_mean"] if hidden else None,
                hidden_scale=arrays[f"{name}.hidden_scale"] if hidden else None,
                projection=arrays[f"{name}.projection"] if hidden else None,
                layers=tuple(
                    (arrays[f"{name}.w{i}"].astype(np.float64), arrays[f"{name}.b{i}"].astype(np.float64))
                    for i in range(int(spec["layers"]))
                ),
                quantiles=arrays[f"{name}.quantiles"].astype(np.float64),
            )
        mqm = arrays["mqm_quantiles"].astype(np.float64)
        return QualityModel(str(meta["version"]), heads, mqm, meta["meta"])
    except MtqaError:
        raise
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise MtqaError(f"{origin}: not a valid mtqa quality head ({exc!r})") from exc


def load_quality_model(path: str | Path | None = None) -> QualityModel:
    """The shipped head, or the one at ``path``."""
    found = weights_bytes(path, RESOURCE, "quality head")
    if found is None:
        raise MtqaError(f"mtqa/resources/{RESOURCE}: the package ships no quality head")
    return parse_quality_model(*found)
