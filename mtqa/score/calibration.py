"""The calibrated quality estimate: neural features of one pair → adequacy, fluency, estimate (0–100) and a
predicted MQM-style score.

The mapping is fitted offline by ``tools/fit_calibration.py`` on public human MQM judgments and ships
as ``mtqa/resources/calibration.json``. Each *head* is a linear combination of robustly standardised
features (``(transform(x) − median) / IQR-scale``, clipped to ±``clip``), whose weights were fitted with sign
constraints where the direction is known (more PMI never lowers adequacy), so the mapping stays monotone in
those features. A head's raw value becomes 0–100 through the empirical distribution of its values on the
training data: **a score of 70 means "better than 70 % of the machine translations the calibration was
fitted on"**, the only scale that transfers between datasets whose MQM scales differ.

* ``adequacy``: fitted to accuracy-category MQM penalties (mistranslation, omission, addition, terminology),
  from source-aware features; length-free, so a long pair is not marked down for being long.
* ``fluency``: fitted to fluency/style penalties from target-only features (no source information).
* ``estimate``: fitted to the whole MQM score from all features including length (MQM sums penalties, so a
  longer segment collects more).
* ``mqm``: a predicted MQM score of the pair (≤ 0, WMT weights: major 5, minor 1), from the same features.

A missing feature counts as the training median (standardised 0), so the estimate degrades gracefully when
the scorer skips one; a pair with none of a head's features gets ``None`` for that head.

Only the standard library: this runs for every pair of every check.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from mtqa.errors import MtqaError

RESOURCE = "calibration.json"
FORMAT_VERSION = 1
SCORE_HEADS = ("adequacy", "fluency", "estimate")

_TRANSFORMS = {
    "identity": lambda x: x,
    "log1p": lambda x: math.log1p(max(x, 0.0)),
    "log": lambda x: math.log(max(x, 1e-6)),
}


@dataclass(frozen=True)
class FeatureScale:
    """How one raw feature becomes a standardised input: transform, then (x − center) / scale, clipped."""

    transform: str
    center: float
    scale: float

    def standardise(self, value: float, clip: float) -> float:
        z = (_TRANSFORMS[self.transform](value) - self.center) / self.scale
        return max(-clip, min(clip, z))


@dataclass(frozen=True)
class Head:
    """One linear head: ``intercept + Σ weight·z``; ``quantiles`` are the head's values on the training data
    at evenly spaced probabilities 0 … 1 (for the 0–100 mapping)."""

    intercept: float
    weights: Mapping[str, float]
    quantiles: tuple[float, ...] = ()

    def raw(self, z: Mapping[str, float]) -> float | None:
        present = [name for name in self.weights if name in z]
        if not present:
            return None
        return self.intercept + sum(self.weights[name] * z[name] for name in present)

    def percentile(self, raw: float) -> float:
        """0–100: the share of training values below ``raw``, linearly interpolated between quantiles."""
        q = self.quantiles
        if len(q) < 2:
            return 50.0
        first, last = bisect.bisect_left(q, raw), bisect.bisect_right(q, raw)
        if first < last:
            # ``raw`` equals some quantiles (many perfect translations share one value): middle of the tie.
            return 100.0 * ((first + last - 1) / 2) / (len(q) - 1)
        if first == 0:
            return 0.0
        if first == len(q):
            return 100.0
        lo, hi = q[first - 1], q[first]
        return 100.0 * (first - 1 + (raw - lo) / (hi - lo)) / (len(q) - 1)


@dataclass(frozen=True)
class QualityScores:
    adequacy: float | None
    fluency: float | None
    estimate: float | None
    mqm: float | None  # predicted MQM score of the pair, ≤ 0


@dataclass(frozen=True)
class Calibration:
    version: str
    clip: float
    scales: Mapping[str, FeatureScale]
    heads: Mapping[str, Head]
    meta: Mapping[str, object]

    def standardise(self, features: Mapping[str, float]) -> dict[str, float]:
        z = {}
        for name, scale in self.scales.items():
            value = features.get(name)
            if value is None or not math.isfinite(value):
                continue
            z[name] = scale.standardise(float(value), self.clip)
        return z

    def scores(self, features: Mapping[str, float]) -> QualityScores:
        z = self.standardise(features)
        values: dict[str, float | None] = {}
        for name in SCORE_HEADS:
            head = self.heads.get(name)
            raw = head.raw(z) if head else None
            values[name] = None if raw is None else round(head.percentile(raw), 1)
        mqm_head = self.heads.get("mqm")
        mqm_raw = mqm_head.raw(z) if mqm_head else None
        mqm = None if mqm_raw is None else round(min(0.0, mqm_raw), 2)
        return QualityScores(values["adequacy"], values["fluency"], values["estimate"], mqm)


def aggregate(scores: Iterable[tuple[QualityScores, float]]) -> QualityScores:
    """Document-level scores from (pair scores, weight) with weight e.g. the pair's target word count:
    the weighted mean of each 0–100 score, and the sum of the predicted MQM (MQM adds up over segments)."""
    scores = list(scores)

    def mean(attr: str) -> float | None:
        pairs = [(getattr(s, attr), w) for s, w in scores if getattr(s, attr) is not None and w > 0]
        total = sum(w for _, w in pairs)
        return round(sum(v * w for v, w in pairs) / total, 1) if total else None

    mqm_values = [s.mqm for s, _ in scores if s.mqm is not None]
    return QualityScores(
        mean("adequacy"), mean("fluency"), mean("estimate"), round(sum(mqm_values), 2) if mqm_values else None
    )


def parse_calibration(data: Mapping[str, object], origin: str = RESOURCE) -> Calibration:
    """A ``Calibration`` from the JSON structure; a wrong format is a one-line ``MtqaError``."""
    try:
        if data["format"] != FORMAT_VERSION:
            found = data["format"]
            raise MtqaError(f"{origin}: calibration format {found}, this mtqa reads {FORMAT_VERSION}")
        scales = {
            name: FeatureScale(str(s["transform"]), float(s["center"]), float(s["scale"]) or 1.0)
            for name, s in data["features"].items()
        }
        for name, scale in scales.items():
            if scale.transform not in _TRANSFORMS:
                raise MtqaError(f"{origin}: feature {name}: unknown transform {scale.transform!r}")
        heads = {
            name: Head(
                float(h["intercept"]),
                {k: float(v) for k, v in h["weights"].items() if k in scales and float(v) != 0.0},
                tuple(float(q) for q in h.get("quantiles", ())),
            )
            for name, h in data["heads"].items()
        }
        meta = dict(data.get("meta", {}))
        return Calibration(str(data["version"]), float(data["clip"]), scales, heads, meta)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MtqaError(f"{origin}: not a valid mtqa calibration file ({exc!r})") from exc


def load_calibration(path: str | Path | None = None) -> Calibration:
    """The shipped calibration, or the one at ``path``."""
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise MtqaError(f"{path}: cannot read the calibration file ({exc.strerror})") from exc
        return _parse_text(text, str(path))
    return _shipped()


@cache
def _shipped() -> Calibration:
    # Read-only package data, parsed once per process.
    text = resources.files("mtqa").joinpath("resources", RESOURCE).read_text(encoding="utf-8")
    return _parse_text(text, f"mtqa/resources/{RESOURCE}")


def _parse_text(text: str, origin: str) -> Calibration:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MtqaError(f"{origin}: not valid JSON (line {exc.lineno})") from exc
    return parse_calibration(data, origin)
