"""The trained span tagger: per-token log-prob features of a scored pair → error spans with a probability.

Trained offline by ``tools/train_spans.py`` (seeded; ``tools/train_quality.py --with-spans`` trains it
with the quality head) on the human-marked MQM spans of ``../shared/eval`` and shipped as
``mtqa/resources/span_tagger.npz``; ``docs/neural.md`` ("Spans") gives the method and the
leave-one-dataset-out figures. When the file is absent the scorer falls back to the PMI-threshold spans of
``mtqa.score.neural.find_spans``.

Per token (features in ``token_features``): its log-prob given the other side and alone, their difference
(PMI), the neighbours' values in a ±2 window, its rank within the segment, the pair's features, its
position, and function-word / punctuation / digit flags of its text. Four small heads (one tanh layer):

* ``error``: target token inside any human-marked error (trained on all training sets, wmt21 news too);
* ``category``: which class, given an error: mistranslation, addition, fluency, other (sets with classes);
* ``major``: major rather than minor, given an error;
* ``omission``: source token inside a human-marked omission.

A target token's class probability is ``P(error) · P(class | error)``; tokens at or above a class's floor
are tagged, runs of tagged tokens become spans widened to whole words, and a span's ``probability`` is the
calibrated chance (a logistic fit on held-out training spans) that a human marked an error of that class
overlapping it. Two floors per class, both chosen on the training sets only: ``confident`` (the lowest
with character-level span precision ≥ 0.5; above 1, i.e. off, for a class that never reaches it) and
``all`` (best span F1). numpy only: this runs per pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mtqa.data import ModelSpan, Severity
from mtqa.errors import MtqaError
from mtqa.languages import Language
from mtqa.score.weights import read_weights, weights_bytes, write_weights

RESOURCE = "span_tagger.npz"
FORMAT_VERSION = 1
TARGET_CLASSES = ("mistranslation", "addition", "fluency", "other")  # "other": terminology, untranslated …
EMITTED = ("mistranslation", "addition", "fluency")
CATEGORY = {
    "mistranslation": "accuracy/mistranslation",
    "addition": "accuracy/addition",
    "fluency": "fluency/grammar",
    "omission": "accuracy/omission",
}
MESSAGES = {
    "mistranslation": "the span tagger, trained on human-marked errors, reads this as a mistranslation",
    "addition": "the span tagger reads this as words the source does not contain",
    "fluency": "the span tagger reads this as a grammar or fluency error",
    "omission": "the translation does not seem to account for this (span tagger)",
}
PAIR_FEATURES = ("pmi_fwd", "pmi_rev", "tgt_lp_cond", "tgt_lp_uncond", "src_lp_cond", "src_lp_uncond", "slor")
WINDOW = (-2, -1, 1, 2)
CLIP = 5.0


# --------------------------------------------------------------------------------------------------------
# Features.


def _window(values: np.ndarray, shift: int) -> np.ndarray:
    out = np.zeros_like(values)
    if shift < 0:
        out[-shift:] = values[:shift]
    elif shift > 0:
        out[:-shift] = values[shift:]
    return out


def _rank(values: np.ndarray) -> np.ndarray:
    if len(values) < 2:
        return np.full(len(values), 0.5)
    return np.argsort(np.argsort(values, kind="stable"), kind="stable") / (len(values) - 1)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def token_features(
    cond: Sequence[float],
    uncond: Sequence[float],
    offsets: Sequence[Sequence[int]],
    text: str,
    other_text: str,
    pair: dict[str, float],
    language: Language,
) -> np.ndarray:
    """[tokens × features] of one side of a pair (the same function for both sides; heads differ)."""
    n = len(cond)
    if n == 0:
        return np.zeros((0, feature_count()))
    c = np.asarray(cond, np.float64)
    u = np.asarray(uncond, np.float64)
    p = c - u
    columns = [c, u, p, np.maximum(0.0, -p), np.minimum(0.0, p)]
    for k in WINDOW:
        columns += [_window(p, k), _window(c, k)]
    padded = np.pad(p, 2, constant_values=np.nan)
    window = np.stack([padded[i : i + n] for i in range(5)])
    columns += [np.nanmin(window, 0), np.nanmean(window, 0)]
    columns += [_rank(p), _rank(c), (p - p.mean()) / (p.std() + 1e-6), (c - c.mean()) / (c.std() + 1e-6)]
    pos = np.arange(n) / max(1, n - 1)
    columns += [pos, (np.arange(n) == 0).astype(float), (np.arange(n) == n - 1).astype(float)]
    for name in PAIR_FEATURES:
        columns.append(np.full(n, float(pair.get(name, 0.0))))
    columns.append(np.full(n, math.log(max(1.0, float(n)))))
    words = language.function_words or frozenset()
    other_digits = _digits(other_text)
    flags = []
    for start, end in offsets:
        piece = text[start:end]
        bare = piece.strip().lower().replace("’", "'")
        digits = _digits(piece)
        flags.append(
            (
                float(bare in words),
                float(not any(ch.isalnum() for ch in piece)),
                float(bool(digits)),
                float(bool(digits) and digits not in other_digits),
                float(piece[:1].isspace()),
                float(bare[:1].isupper() if bare else 0.0) or float(piece.strip()[:1].isupper()),
                math.log1p(len(piece.strip())),
            )
        )
    columns_array = np.column_stack(columns)
    return np.hstack([columns_array, np.asarray(flags, np.float64)])


def feature_count() -> int:
    return 5 + 2 * len(WINDOW) + 2 + 4 + 3 + len(PAIR_FEATURES) + 1 + 7


Shaper = Callable[[str, int, int, Language], "tuple[int, int] | None"]


def _bare_bounds(text: str, start: int, end: int, language: Language) -> tuple[int, int] | None:
    """The run's characters less surrounding spaces (callers that want whole words pass a better shaper)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


# --------------------------------------------------------------------------------------------------------
# Heads.


@dataclass
class Head:
    """Standardise (training median / IQR, clipped), one tanh layer, then sigmoid (1 output) or softmax."""

    center: np.ndarray
    scale: np.ndarray
    w0: np.ndarray
    b0: np.ndarray
    w1: np.ndarray
    b1: np.ndarray

    def logits(self, x: np.ndarray) -> np.ndarray:
        z = np.clip((x - self.center) / self.scale, -CLIP, CLIP)
        return np.tanh(z @ self.w0 + self.b0) @ self.w1 + self.b1

    def predict(self, x: np.ndarray) -> np.ndarray:
        out = self.logits(x)
        if out.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-np.clip(out[:, 0], -40, 40)))
        out = out - out.max(1, keepdims=True)
        e = np.exp(out)
        return e / e.sum(1, keepdims=True)


@dataclass
class StateProjection:
    """Token hidden states [tokens × layers × hidden] → a few inputs per token: each value standardised
    (mean and spread of the training tokens), then a fixed seeded Gaussian projection (data-independent)."""

    mean: np.ndarray  # [layers · hidden]
    scale: np.ndarray  # [layers · hidden]
    matrix: np.ndarray  # [layers · hidden × dims]

    @property
    def dims(self) -> int:
        return int(self.matrix.shape[1])

    def __call__(self, states: np.ndarray) -> np.ndarray:
        flat = np.asarray(states, np.float32).reshape(len(states), -1)
        return ((flat - self.mean) / self.scale) @ self.matrix


@dataclass
class SpanTagger:
    version: str
    heads: dict[str, Head]  # error, category, major, omission
    floors: dict[str, dict[str, float]]  # class → {"confident": token floor, "all": token floor}
    calibration: dict[str, tuple[float, float]]  # class → (a, b): P = σ(a·logit(mean token p) + b)
    meta: dict = field(default_factory=dict)
    # side ("target", "source") → projection of that side's token states, appended to the token features;
    # None: a tagger on the log-prob features alone (span-tagger ≤ 1.1).
    projection: dict[str, StateProjection] | None = None

    @property
    def model(self) -> str | None:
        """The language model whose log-probs the tagger was trained on (``LanguageModel.name``)."""
        return self.meta.get("model")

    @property
    def needs_states(self) -> bool:
        """Whether the heads read per-token hidden states (``PairAnalysis.token_states``)."""
        return self.projection is not None

    def project_states(self, side: str, states) -> np.ndarray:
        """A side's token states [tokens × layers × hidden] → the few inputs per token the heads read."""
        return self.projection[side](states)

    def inputs(self, features: np.ndarray, states, side: str) -> np.ndarray:
        """The heads' input rows of one side: its token features, then its projected states if read.
        ``states``: the side's token states [tokens × layers × hidden], or already ``project_states``'d
        [tokens × dims] (what the scorer keeps)."""
        if self.projection is None:
            return features
        if states is None or len(states) != len(features):
            raise MtqaError("the span tagger reads token hidden states, and this analysis has none")
        states = np.asarray(states)
        return np.hstack([features, states if states.ndim == 2 else self.project_states(side, states)])

    def target_probabilities(self, x: np.ndarray) -> dict[str, np.ndarray]:
        if len(x) == 0:
            return {c: np.zeros(0) for c in EMITTED}
        error = self.heads["error"].predict(x)
        category = self.heads["category"].predict(x)
        return {c: error * category[:, TARGET_CLASSES.index(c)] for c in EMITTED}

    def source_probabilities(self, x: np.ndarray) -> np.ndarray:
        return self.heads["omission"].predict(x) if len(x) else np.zeros(0)

    def span_probability(self, cls: str, token_mean: float) -> float:
        a, b = self.calibration[cls]
        t = min(max(token_mean, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-min(40.0, max(-40.0, a * math.log(t / (1 - t)) + b))))

    def find_spans(
        self,
        analysis,
        source_text: str,
        target_text: str,
        source_language: Language,
        target_language: Language,
        mode: str = "confident",
        shape: Shaper = _bare_bounds,
    ) -> list[ModelSpan]:
        """Spans of one analysed pair (``mtqa.score.neural.PairAnalysis``), offsets into its texts.

        ``shape(text, start, end, language)`` turns a run's character range into the span's final bounds, or
        None to drop it: the scorer passes ``mtqa.score.neural.span_bounds`` (whole words, content words
        only, function words trimmed at the edges); this module cannot import the scorer that imports it."""
        if mode == "off":
            return []
        predictions = self.token_predictions(analysis, source_text, target_text, source_language,
                                             target_language)
        return self.decode(predictions, analysis, source_text, target_text, source_language, target_language,
                           mode, shape)

    def token_predictions(self, analysis, source_text: str, target_text: str, source_language: Language,
                          target_language: Language) -> dict[str, tuple[dict[str, np.ndarray], np.ndarray]]:
        """Per side with tokens: (class → token probabilities, P(major) per token); what ``decode`` reads
        (a benchmark sweeping floors computes this once)."""
        out = {}
        tgt, src = analysis.target, analysis.source
        # (target states, source states) of the scoring passes, for a tagger that reads them.
        states = getattr(analysis, "token_states", None) or (None, None)
        if len(tgt):
            x = self.inputs(token_features(tgt.cond, tgt.uncond, tgt.offsets, target_text, source_text,
                                           analysis.features, target_language), states[0], "target")
            out["target"] = (self.target_probabilities(x), self.heads["major"].predict(x))
        if len(src):
            x = self.inputs(token_features(src.cond, src.uncond, src.offsets, source_text, target_text,
                                           analysis.features, source_language), states[1], "source")
            out["source"] = ({"omission": self.source_probabilities(x)}, np.full(len(src), 0.5))
        return out

    def decode(self, predictions, analysis, source_text: str, target_text: str, source_language: Language,
               target_language: Language, mode: str = "confident", shape: Shaper = _bare_bounds
               ) -> list[ModelSpan]:
        """The spans of ``token_predictions`` at ``mode``'s floors."""
        spans: list[ModelSpan] = []
        if "target" in predictions:
            probs, major = predictions["target"]
            spans += self._decode(probs, major, analysis.target.offsets, target_text, target_language,
                                  "target", mode, shape)
        if "source" in predictions:
            probs, major = predictions["source"]
            spans += self._decode(probs, major, analysis.source.offsets, source_text, source_language,
                                  "source", mode, shape)
        return spans

    def _decode(self, probs, major, offsets, text, language, side, mode, shape: Shaper) -> list[ModelSpan]:
        classes = list(probs)
        stacked = np.stack([probs[c] for c in classes])
        floors = np.array([self.floors[c][mode] for c in classes])
        # A token belongs to its most probable class, tagged when that class's probability reaches its floor
        # (the rule the floors were chosen with in ``tools/train_spans.py``).
        best = stacked.argmax(0)
        tagged = stacked.max(0) >= floors[best]
        out = []
        i = 0
        while i < len(best):
            if not tagged[i]:
                i += 1
                continue
            cls_index = best[i]
            j = i
            while j + 1 < len(best) and tagged[j + 1] and best[j + 1] == cls_index:
                j += 1
            cls = classes[cls_index]
            bounds = shape(text, offsets[i][0], offsets[j][1], language)
            mean = float(stacked[cls_index, i : j + 1].mean())
            severity = Severity.MAJOR if float(np.mean(major[i : j + 1])) >= 0.5 else Severity.MINOR
            i = j + 1
            if bounds is None:
                continue
            start, stop = bounds
            probability = round(self.span_probability(cls, mean), 3)
            # The probability is a field of its own (JSON ``probability``, HTML on hover), not part of the
            # message: a finding's id hashes its message, and must survive a retrained tagger.
            message = MESSAGES[cls]
            out.append(ModelSpan(side, start, stop, text[start:stop], CATEGORY[cls], severity,
                                 round(mean, 3), message, probability=probability))
        return out


# --------------------------------------------------------------------------------------------------------
# The file: one npz; "meta" holds JSON (version, floors, calibration, training data), the rest arrays.

_HEAD_ARRAYS = ("center", "scale", "w0", "b0", "w1", "b1")
_PROJECTION_ARRAYS = ("mean", "scale", "matrix")
_SIDE_OF_HEAD = {"error": "target", "category": "target", "major": "target", "omission": "source"}


def save_span_tagger(tagger: SpanTagger, path: str | Path) -> None:
    arrays = {f"{name}.{a}": getattr(head, a).astype(np.float32)
              for name, head in tagger.heads.items() for a in _HEAD_ARRAYS}
    meta = {"format": FORMAT_VERSION, "version": tagger.version, "heads": list(tagger.heads),
            "floors": tagger.floors, "calibration": {k: list(v) for k, v in tagger.calibration.items()},
            "features": feature_count(), "meta": tagger.meta}
    if tagger.projection is not None:
        for side, projection in tagger.projection.items():
            for a in _PROJECTION_ARRAYS:
                arrays[f"states.{side}.{a}"] = getattr(projection, a).astype(np.float32)
        meta["states"] = {side: p.dims for side, p in tagger.projection.items()}
    write_weights(path, arrays, meta)


def parse_span_tagger(data: bytes, origin: str = RESOURCE) -> SpanTagger:
    try:
        arrays, meta = read_weights(data, origin, "span tagger", FORMAT_VERSION)
        if meta.get("features") != feature_count():
            raise MtqaError(f"{origin}: span tagger built for {meta.get('features')} token features, "
                            f"this mtqa computes {feature_count()}")
        heads = {name: Head(*(arrays[f"{name}.{a}"].astype(np.float64) for a in _HEAD_ARRAYS))
                 for name in meta["heads"]}
        for required in ("error", "category", "major", "omission"):
            if required not in heads:
                raise MtqaError(f"{origin}: span tagger has no '{required}' head")
        projection = None
        if meta.get("states"):
            # A tagger that reads token states (span-tagger ≥ 1.2); files without them load as before.
            projection = {side: StateProjection(*(arrays[f"states.{side}.{a}"] for a in _PROJECTION_ARRAYS))
                          for side in ("target", "source")}
        for name, head in heads.items():
            side = _SIDE_OF_HEAD.get(name, "target")
            width = feature_count() + (projection[side].dims if projection else 0)
            if head.w0.shape[0] != width:
                raise MtqaError(f"{origin}: span tagger head '{name}' reads {head.w0.shape[0]} inputs, "
                                f"expected {width}")
        floors = {c: {m: float(v) for m, v in f.items()} for c, f in meta["floors"].items()}
        calibration = {c: (float(a), float(b)) for c, (a, b) in meta["calibration"].items()}
        return SpanTagger(str(meta["version"]), heads, floors, calibration, meta.get("meta", {}), projection)
    except MtqaError:
        raise
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise MtqaError(f"{origin}: not a valid mtqa span tagger ({exc!r})") from exc


def load_span_tagger(path: str | Path | None = None) -> SpanTagger | None:
    """The tagger at ``path``, or the shipped one; None when none is shipped (threshold spans are used)."""
    found = weights_bytes(path, RESOURCE, "span tagger")
    return None if found is None else parse_span_tagger(*found)
