"""Gemma 3 270M through transformers + torch: the ``LanguageModel`` the neural scorer uses by default.

Speed and memory decide the design of ``GemmaModel``: Gemma's vocabulary has 262,144 entries, so the
output projection costs more than the transformer body and a [batch × length × vocab] logits tensor
would take gigabytes. Only the transformer body runs on the whole batch; the projection runs at the
scored positions only, in chunks, and each chunk keeps just the gathered log-probs.

A request's log-probs do not depend on which other requests share its call (``mtqa batch`` forms
different batches with different executors and batch sizes, and must give the same scores). bfloat16
matrix products round differently with the number of rows (oneDNN picks its kernel by shape), and the
attention kernel's result depends on the padded length. So every product runs at one fixed shape: the
requests are packed end to end into rows of exactly ``PACK_TOKENS`` tokens (no padding between them,
positions restarting per request), attention runs per request on its own tokens
(``_segment_attention``), and the projection runs on blocks of exactly ``ROW_BLOCK`` positions. At a
fixed shape a row's result does not depend on the other rows nor on the thread count (measured;
``tests/test_lm_real.py`` checks a pair scored in two different batches).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mtqa.errors import ModelUnavailableError
from mtqa.score.lm import register_model
from mtqa.score.lm.prepare import cache_problems, package, prepare, prepare_once, quiet_transformers
from mtqa.score.lm.protocol import PieceScores, Request
from mtqa.score.lm.threads import cpu_snapshot, default_threads, threads_from_environment

# The output projection runs in blocks of exactly ROW_BLOCK scored positions (the last block of a call
# padded with zero rows) × VOCAB_TILE vocabulary entries: a 4096-wide tile stays in cache (1.3× faster
# than whole-vocabulary rows of log_softmax, measured) and the buffer is 8 MB instead of the 134 MB of
# 256 full-vocabulary rows in bfloat16.
ROW_BLOCK = 1024
VOCAB_TILE = 4096
# Rows of full logits at once where a whole distribution is needed (the unigram estimate, once).
PROJECTION_CHUNK = 256
# Tokens per forward call of the transformer body: requests packed end to end into one row of exactly
# this many tokens (the last row of a call padded). A request longer than this gets a row of its own,
# rounded up to a multiple of it.
BATCH_TOKENS = 2048
# Text used once per cache to estimate the model's own unigram distribution (for SLOR): the mean of its
# next-token distributions over running text in the languages mtqa reads first.
_UNIGRAM_TEXTS = (
    "The government said on Tuesday that it would invest more in roads, schools and hospitals next year, "
    "and officials expect the economy to grow by about five percent. Prices of food and energy rose in "
    "March, while exports fell for the second month in a row.",
    "Scientists at the university have found a new way to store energy from the sun. The team, led by a "
    "professor of chemistry, published its results in a journal last week. They hope the technology will "
    "be used in homes and factories within ten years.",
    "He thanked the company for its support over the years and hoped that both sides would deepen their "
    "cooperation in environmental protection, clean energy and the efficient use of resources.",
    "政府周二表示，明年将加大对道路、学校和医院的投资，官员预计经济增长约百分之五。三月份食品和能源价格上涨，"
    "出口连续第二个月下降。",
    "该大学的科学家发现了一种储存太阳能的新方法。研究团队由一位化学教授带领，上周在期刊上发表了研究结果。",
    "他感谢公司多年来的支持，希望双方在环境保护、清洁能源和资源高效利用等方面深化合作。",
)


_Encoded = tuple[list[int], list[tuple[int, int, int]]]


@register_model("gemma3-270m")
def create_gemma(**options) -> GemmaModel:
    """The bundled Gemma 3 270M (``ModelUnavailableError`` at once when its package is not installed, so that
    a run without it can say so before any work)."""
    package()
    return GemmaModel(**options)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no detail"


class GemmaModel:
    """Gemma 3 270M through transformers + torch, loaded lazily once per instance (hold one per process).

    ``dtype`` ``"bfloat16"`` is the default: on CPUs with AMX/AVX-512 BF16 it ran several times faster than
    float32, and the features agree to a few hundredths of a nat.
    """

    name = "gemma3-270m"

    def __init__(
        self,
        cache: Path | None = None,
        *,
        dtype: str = "bfloat16",
        threads: int | None = None,
        batch_tokens: int = BATCH_TOKENS,
        quiet: bool = False,
    ) -> None:
        self.cache = cache
        self.dtype = dtype
        self.threads = threads
        self.batch_tokens = batch_tokens
        self.quiet = quiet
        self._lm = None
        self._tokenizer = None
        self._unigram = None
        self._bos: int | None = None
        self._pad = 0
        self.load_seconds: float | None = None
        # Seconds spent per stage since creation (``benchmarks/batch.py`` reads them): tokenising, the
        # transformer body, the output projection with its normaliser.
        self.timings: dict[str, float] = {"tokenise": 0.0, "forward": 0.0, "normaliser": 0.0}

    # -- loading ------------------------------------------------------------------------------------------

    def load(self) -> None:
        if self._lm is not None:
            return
        started = time.perf_counter()
        # A cache whose files have the wrong size is rebuilt here (once); damage that keeps the sizes only
        # shows when the load fails, and the checksums then say whether the files changed.
        path, rebuilt = prepare_once(self.cache, quiet=self.quiet)
        try:
            import torch
        except ImportError as error:
            raise ModelUnavailableError(f"the neural model needs torch and transformers: {error}") from error
        quiet_transformers()
        # The load itself (a few seconds, mostly one thread) is the window in which the other processes'
        # CPU use is sampled to pick the thread count.
        before = cpu_snapshot()
        dtype = getattr(torch, self.dtype)
        try:
            lm = self._load_files(path, dtype)
        except ModelUnavailableError:
            if rebuilt or not cache_problems(path, full=True):
                raise
            if not self.quiet:
                print(f"mtqa: note: the prepared model in {path} is damaged; preparing it again",
                      file=sys.stderr)
            path = prepare(self.cache, force=True, quiet=self.quiet)
            lm = self._load_files(path, dtype)
        self._lm = lm.eval()
        _use_exact_gelu(lm)
        _use_segment_attention(lm)
        self._bos = lm.config.bos_token_id
        self._pad = lm.config.pad_token_id or 0
        # torch has one intra-op thread pool per process, not per model: the count is set here, when the
        # one model of the process is created and loaded, because only the load window tells how busy the
        # other processes keep the cores (see ``threads.default_threads``).
        self.threads = self.threads or threads_from_environment() or default_threads(before)
        torch.set_num_threads(self.threads)
        self._unigram = self._load_unigram(path)
        self.load_seconds = time.perf_counter() - started

    def _load_files(self, path: Path, dtype):
        """Tokenizer and checkpoint from the prepared directory (``ModelUnavailableError`` naming the
        command that rebuilds it when they cannot be read)."""
        from safetensors import SafetensorError
        from tokenizers import Tokenizer
        from transformers import AutoModelForCausalLM
        try:
            # The tokenizers library directly: AutoTokenizer took 4.3 s to build the same fast tokenizer
            # that this reads in 1.7 s (measured), and only ids and offsets are needed.
            self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            lm = _load_checkpoint(path, dtype)
            if lm is None:
                lm = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)
        except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as error:
            raise ModelUnavailableError(
                f"cannot load the prepared model in {path} ({type(error).__name__}: {_first_line(error)}); "
                "run: mtqa model prepare --force"
            ) from error
        return lm

    @property
    def hidden_size(self) -> int:
        self.load()
        return self._lm.config.hidden_size

    def hidden_states(self, sequences: Sequence[Sequence[int]]) -> tuple:
        """Hidden states of every layer (the embeddings first) for a batch of token-id sequences padded on
        the right: a tuple of [batch × longest × hidden_size] tensors. For experiments that read the
        transformer body (``benchmarks/hidden_head.py``); the scorer itself needs only log-probs."""
        import torch

        self.load()
        longest = max(len(ids) for ids in sequences)
        input_ids = torch.full((len(sequences), longest), self._pad, dtype=torch.long)
        mask = torch.zeros((len(sequences), longest), dtype=torch.long)
        for row, ids in enumerate(sequences):
            input_ids[row, : len(ids)] = torch.tensor(list(ids))
            mask[row, : len(ids)] = 1
        with torch.inference_mode():
            output = self._lm.model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True)
        return output.hidden_states

    def token_ids(self, text: str) -> list[int]:
        """Token ids of a text, without special tokens."""
        self.load()
        return self._tokenizer.encode(text, add_special_tokens=False).ids

    @property
    def bos_token_id(self) -> int:
        self.load()
        return self._bos

    def _load_unigram(self, path: Path):
        import torch

        file = path / "unigram-logprobs.pt"
        if file.exists():
            # Derived from the model on the first load, not recorded in the manifest: an unreadable copy is
            # estimated again rather than trusted.
            with contextlib.suppress(Exception):
                unigram = torch.load(file)
                if isinstance(unigram, torch.Tensor) and unigram.shape == self._lm.lm_head.weight.shape[:1]:
                    return unigram
        unigram = self._estimate_unigram()
        partial = file.with_suffix(f".partial-{os.getpid()}")
        torch.save(unigram, partial)
        partial.replace(file)
        return unigram

    def _estimate_unigram(self):
        """Log of the mean next-token distribution over ``_UNIGRAM_TEXTS`` (a smoothed unigram model)."""
        import torch

        total = None
        count = 0
        with torch.inference_mode():
            for text in _UNIGRAM_TEXTS:
                ids = [self._bos, *self.token_ids(text)]
                hidden = self._lm.model(input_ids=torch.tensor([ids])).last_hidden_state[0]
                for chunk in hidden.split(PROJECTION_CHUNK):
                    probs = self._logits(chunk).float().softmax(-1).sum(0)
                    total = probs if total is None else total + probs
                    count += chunk.shape[0]
        return (total / count).clamp_min(1e-12).log().to(torch.float32)

    # -- scoring ------------------------------------------------------------------------------------------

    def _softcap(self, logits):
        import torch

        cap = getattr(self._lm.config, "final_logit_softcapping", None)
        return torch.tanh(logits / cap) * cap if cap else logits

    def _logits(self, hidden):
        """Full-vocabulary logits (tied output projection, soft-capping) of a few positions."""
        return self._softcap(self._lm.lm_head(hidden))

    def _gather_logprobs(self, hidden, targets):
        """log p(target | position) for rows of hidden states, without a [rows × vocabulary] tensor.

        The output projection is computed one vocabulary tile at a time into small reused buffers, and each
        row's normaliser is accumulated as Σ exp(logit − target logit): shifting by the row's own target
        logit (one float32 dot product per row) keeps every term that matters in range without a running
        maximum, so a tile costs one exp pass and one sum instead of a log-sum-exp (max, subtract, exp, sum,
        log). The weight matrix streams through the cache once per row block and memory stays at a few
        megabytes. A row whose target lies more than ~88 nats below some other token would overflow
        float32; such rows are recomputed exactly from full logits. Every block has exactly ``ROW_BLOCK``
        rows (the last one padded with zeros), so a row's value does not depend on the other rows.
        """
        import torch

        weight = self._lm.lm_head.weight  # [vocabulary, hidden], tied to the input embeddings
        vocabulary = weight.shape[0]
        results = []
        # Every buffer is allocated once per call: freshly allocated temporaries interleaved with the small
        # per-tile results fragmented the heap (RSS grew by 20 MB per tile, measured).
        buffer = torch.empty((ROW_BLOCK, VOCAB_TILE), dtype=weight.dtype)
        widened = torch.empty(buffer.shape, dtype=torch.float32)
        padded = torch.zeros((ROW_BLOCK, hidden.shape[1]), dtype=weight.dtype)
        for block, block_targets in zip(hidden.split(ROW_BLOCK), targets.split(ROW_BLOCK), strict=True):
            rows = block.shape[0]
            if rows < ROW_BLOCK:
                padded[:rows] = block
                padded[rows:] = 0
                block = padded
            target_logit = self._softcap((block[:rows].float() * weight[block_targets].float()).sum(-1))
            shift = target_logit[:, None]
            total = torch.zeros(rows, dtype=torch.float32)
            target_tile = block_targets // VOCAB_TILE
            for index, start in enumerate(range(0, vocabulary, VOCAB_TILE)):
                tile = weight[start : start + VOCAB_TILE]
                out = buffer[:, : tile.shape[0]]
                torch.matmul(block, tile.T, out=out)
                terms = self._softcap(widened[:rows, : tile.shape[0]].copy_(out[:rows])).sub_(shift).exp_()
                total += terms.sum(-1)
                # The target's own term counts exactly (1): its rounded bfloat16 logit would otherwise make
                # a confident prediction's probability exceed 1 by the rounding error.
                here = (target_tile == index).nonzero()[:, 0]
                if len(here):
                    total[here] += 1.0 - terms[here, block_targets[here] - start]
            logprobs = -total.log()
            overflow = (~torch.isfinite(logprobs)).nonzero()[:, 0]
            for row in overflow.tolist():
                logits = self._logits(block[row : row + 1]).float()
                logprobs[row] = logits.log_softmax(-1)[0, block_targets[row]]
            results.append(logprobs)
        return torch.cat(results) if results else torch.zeros(0)

    def unigram_logprobs(self, token_ids: Sequence[int]) -> list[float]:
        self.load()
        return self._unigram[list(token_ids)].tolist()

    def encode(self, requests: Sequence[Request]) -> tuple[list[_Encoded], dict[str, tuple[list, list]]]:
        """Token ids of each request (BOS first) with, per scored piece, (first token, end token, piece
        index); and the tokenisation (ids, offsets) of every distinct piece."""
        self.load()
        pieces = sorted({piece for request in requests for piece in request.pieces})
        encoded = self._tokenizer.encode_batch(pieces, add_special_tokens=False)
        lookup = {piece: (e.ids, e.offsets) for piece, e in zip(pieces, encoded, strict=True)}
        result = []
        for request in requests:
            ids = [self._bos]
            ranges = []
            for index, piece in enumerate(request.pieces):
                start = len(ids)
                ids.extend(lookup[piece][0])
                if index in request.scored:
                    ranges.append((start, len(ids), index))
            result.append((ids, ranges))
        return result, lookup

    def score(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> list[list[PieceScores]]:
        return [scored for scored, _ in self._score(requests, progress, pool=False)]

    def score_pooled(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> list[tuple[list[PieceScores], object]]:
        """As ``score``, and per request the mean-pooled hidden states of each scored piece from the same
        forward pass (for the trained quality head): a float32 array ``[len(request.scored) ×
        len(POOLED_LAYERS) × hidden_size]``. Costs a few vector means per request, no extra pass."""
        return self._score(requests, progress, pool=True)

    def score_token_states(
        self,
        requests: Sequence[Request],
        progress: Callable[[int], None] | None = None,
        reduce: Callable[[int, int, object], object] | None = None,
    ) -> list[tuple[list[PieceScores], object, list]]:
        """As ``score_pooled``, and per request, per scored piece, the hidden state of each of its tokens
        at ``POOLED_LAYERS`` from the same forward pass (the state at the token's own position): a
        float32 array ``[tokens × len(POOLED_LAYERS) × hidden_size]`` (for the span tagger of issue 10).
        Copies of the states, no extra pass; the log-probs and pooled states are those of ``score_pooled``.
        ``reduce(request index, scored piece number, states)``, when given, replaces each piece's states as
        soon as its pass is done (a long document then never holds every token's full states)."""
        return self._score(requests, progress, pool=True, tokens=reduce or True)

    def token_states(self, requests: Sequence[Request]) -> list[list]:
        """The token states of ``score_token_states`` alone: the same packed passes of the transformer body
        (so the same values), without the output projection (about two thirds of the scoring time), for
        extracting states whose log-probs are already known."""
        import torch

        self.load()
        encoded, _ = self.encode(requests)
        out: list = [None] * len(requests)
        with torch.inference_mode():
            for packed in _pack([len(ids) for ids, _ in encoded], self.batch_tokens):
                _, states = self._forward_packed([encoded[i][0] for i in packed], pool=True)
                offset = 0
                for i in packed:
                    ids, ranges = encoded[i]
                    out[i] = _token_states(states, offset, ranges)
                    offset += len(ids)
        return out

    def _score(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None, *, pool: bool,
        tokens: bool | Callable[[int, int, object], object] = False,
    ) -> list[tuple]:
        import torch

        self.load()
        clock = time.perf_counter()
        encoded, lookup = self.encode(requests)
        clock = self._tick("tokenise", clock)
        lengths = [len(ids) for ids, _ in encoded]
        pending = _PendingRows()
        # Per request: per scored piece, the positions of its log-probs in ``values`` (filled block by block).
        places: list[list[tuple[int, int]]] = [[] for _ in requests]
        pooled: list = [None] * len(requests)
        token_states: list = [None] * len(requests)
        values: list[float] = []
        with torch.inference_mode():
            for packed in _pack(lengths, self.batch_tokens):
                clock = time.perf_counter()
                hidden, states = self._forward_packed([encoded[i][0] for i in packed], pool=pool)
                self._tick("forward", clock)
                offset = 0
                for i in packed:
                    ids, ranges = encoded[i]
                    for first, end, _ in ranges:
                        # The log-prob of token t comes from the hidden state at t − 1.
                        places[i].append(pending.add(hidden[offset + first - 1 : offset + end - 1],
                                                     ids[first:end]))
                    if states is not None:
                        pooled[i] = _pool(states, offset, ranges)
                        if tokens:
                            token_states[i] = _token_states(states, offset, ranges)
                            if callable(tokens):
                                token_states[i] = [tokens(i, k, piece)
                                                   for k, piece in enumerate(token_states[i])]
                    offset += len(ids)
                clock = time.perf_counter()
                for block, targets in pending.full_blocks(ROW_BLOCK):
                    values.extend(self._gather_logprobs(block, targets).tolist())
                self._tick("normaliser", clock)
                if progress is not None:
                    progress(len(packed))
            clock = time.perf_counter()
            for block, targets in pending.rest():
                values.extend(self._gather_logprobs(block, targets).tolist())
            self._tick("normaliser", clock)
        results: list = []
        for i, request in enumerate(requests):
            scored = []
            for (first, end, piece_index), (start, count) in zip(encoded[i][1], places[i], strict=True):
                ids, offsets = lookup[request.pieces[piece_index]]
                assert len(ids) == end - first == count
                scored.append(PieceScores(list(ids), values[start : start + count],
                                          [tuple(o) for o in offsets]))
            results.append((scored, pooled[i], token_states[i]) if tokens else (scored, pooled[i]))
        return results

    def _tick(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[stage] += now - since
        return now

    def _forward_packed(self, sequences: list[list[int]], *, pool: bool):
        """The transformer body on ``sequences`` packed end to end into one row of a fixed length: the final
        hidden states [tokens × hidden] and, with ``pool``, the states of ``POOLED_LAYERS`` (each [tokens ×
        hidden]). Each sequence attends to its own tokens only, at positions from 0."""
        import torch

        total = sum(len(ids) for ids in sequences)
        width = -(-total // self.batch_tokens) * self.batch_tokens
        input_ids = torch.full((1, width), self._pad, dtype=torch.long)
        positions = torch.zeros((1, width), dtype=torch.long)
        spans = []
        offset = 0
        for ids in sequences:
            input_ids[0, offset : offset + len(ids)] = torch.tensor(ids)
            positions[0, offset : offset + len(ids)] = torch.arange(len(ids))
            spans.append((offset, offset + len(ids)))
            offset += len(ids)
        segments = Segments(tuple(spans))
        # A prepared mask mapping makes transformers skip building [width × width] masks.
        output = self._lm.model(input_ids=input_ids, position_ids=positions, output_hidden_states=pool,
                                attention_mask={"full_attention": segments, "sliding_attention": segments})
        hidden = output.last_hidden_state[0]
        states = None
        if pool:
            layers = output.hidden_states
            states = (hidden, layers[(len(layers) - 1) // 2][0])
        return hidden, states


# Hidden states the quality head reads: the final-norm output the log-probs are projected from, and the
# output of the middle decoder layer (more lexical, less specific to the next token).
POOLED_LAYERS = ("last", "middle")


def _pool(states, offset: int, ranges: list[tuple[int, int, int]]):
    """Mean hidden state over each scored piece's tokens at each of ``POOLED_LAYERS`` (float32 numpy
    [pieces × layers × hidden]) of the request packed at ``offset``."""
    import torch

    pieces = [torch.stack([layer[offset + first : offset + end].float().mean(0) for layer in states])
              for first, end, _ in ranges]
    return torch.stack(pieces).numpy() if pieces else None


def _token_states(states, offset: int, ranges: list[tuple[int, int, int]]) -> list:
    """Per scored piece of the request packed at ``offset``, its tokens' states at each of ``POOLED_LAYERS``
    (float32 numpy [tokens × layers × hidden])."""
    import torch

    return [torch.stack([layer[offset + first : offset + end].float() for layer in states], 1).numpy()
            for first, end, _ in ranges]


class _PendingRows:
    """Hidden states of scored positions waiting for the output projection, released in full blocks so
    that every projection call but a request batch's last has exactly ``ROW_BLOCK`` rows."""

    def __init__(self) -> None:
        self._rows: list = []
        self._targets: list[int] = []
        self._count = 0  # rows handed out so far, including released ones

    def add(self, rows, targets: Sequence[int]) -> tuple[int, int]:
        """Queue ``rows``; returns (index of their first log-prob in the output order, count)."""
        place = (self._count, len(targets))
        self._rows.append(rows)
        self._targets.extend(targets)
        self._count += len(targets)
        return place

    def full_blocks(self, size: int):
        import torch

        ready = len(self._targets) // size * size
        if not ready:
            return []
        rows = torch.cat(self._rows)
        targets = torch.tensor(self._targets)
        self._rows, self._targets = [rows[ready:]], self._targets[ready:]
        return [(rows[:ready], targets[:ready])]

    def rest(self):
        import torch

        if not self._targets:
            return []
        rows, targets = torch.cat(self._rows), torch.tensor(self._targets)
        self._rows, self._targets = [], []
        return [(rows, targets)]


def _pack(lengths: Sequence[int], capacity: int) -> list[list[int]]:
    """Request indices in rows of at most ``capacity`` tokens (first fit, longest first); a request longer
    than ``capacity`` gets a row of its own. Which requests share a row changes no result (see the module
    docstring); packing only saves the padding a batch of unequal lengths would compute."""
    rows: list[list[int]] = []
    free: list[int] = []
    for index in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        for row, room in enumerate(free):
            if lengths[index] <= room:
                rows[row].append(index)
                free[row] -= lengths[index]
                break
        else:
            rows.append([index])
            free.append(max(0, capacity - lengths[index]))
    return rows


@dataclass(frozen=True)
class Segments:
    """Where each packed sequence lies in the row (start, end): the attention "mask" of a packed call."""

    spans: tuple[tuple[int, int], ...]


SEGMENT_ATTENTION = "mtqa_segments"


def _segment_attention(module, query, key, value, attention_mask, dropout=0.0, scaling=None,
                       sliding_window=None, **kwargs):
    """transformers attention function: causal attention within each packed sequence of a ``Segments``
    call, computed per sequence on its own tokens (one kernel call each), so its result depends on the
    sequence alone and not on its neighbours or the row's length; any other mask goes to transformers'
    SDPA attention unchanged."""
    import torch
    import torch.nn.functional as F
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    if not isinstance(attention_mask, Segments):
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout,
                                      scaling=scaling, sliding_window=sliding_window, **kwargs)
    # query [1, heads, tokens, head_dim]; key and value [1, kv_heads, tokens, head_dim]
    groups = query.shape[1] // key.shape[1]
    out = query.new_zeros(query.shape)
    for start, end in attention_mask.spans:
        q = query[:, :, start:end]
        k = key[:, :, start:end].repeat_interleave(groups, dim=1)
        v = value[:, :, start:end].repeat_interleave(groups, dim=1)
        length = end - start
        if sliding_window is not None and length > sliding_window:
            i = torch.arange(length)
            # transformers' sliding window: key j is visible from query i when 0 ≤ i − j < window.
            mask = (i[None, :] <= i[:, None]) & (i[:, None] - i[None, :] < sliding_window)
            out[:, :, start:end] = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scaling)
        else:
            out[:, :, start:end] = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scaling)
    return out.transpose(1, 2).contiguous(), None


def _use_segment_attention(lm) -> None:
    """Register ``_segment_attention`` with transformers (with SDPA's mask builder for ordinary masks) and
    switch the model to it."""
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import sdpa_mask

    AttentionInterface.register(SEGMENT_ATTENTION, _segment_attention)
    AttentionMaskInterface.register(SEGMENT_ATTENTION, sdpa_mask)
    lm.config._attn_implementation = SEGMENT_ATTENTION


def _load_checkpoint(path: Path, dtype):
    """The prepared checkpoint built directly: empty parameters, then the safetensors tensors assigned.

    ``from_pretrained`` took 2.2 s on a quiet machine (7.7 s on a busy one) for what this does in about
    0.1 s (measured), most of it in weight-initialisation and key-renaming machinery a checkpoint we wrote
    ourselves does not need. Returns None (the caller then uses ``from_pretrained``) if the checkpoint does
    not match the model class exactly.
    """
    try:
        from accelerate import init_empty_weights
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModelForCausalLM
    except ImportError:
        return None
    config = AutoConfig.from_pretrained(path, local_files_only=True)
    # Buffers (rotary frequencies, the embedding scale) are computed in the constructors, not saved.
    with init_empty_weights(include_buffers=False):
        lm = AutoModelForCausalLM.from_config(config, dtype=dtype)
    state = {name: tensor.to(dtype) for name, tensor in load_file(path / "model.safetensors").items()}
    try:
        result = lm.load_state_dict(state, strict=False, assign=True)
    except RuntimeError:  # a shape mismatch: let from_pretrained explain it
        return None
    tied = getattr(config, "tie_word_embeddings", False)
    if result.unexpected_keys or set(result.missing_keys) - ({"lm_head.weight"} if tied else set()):
        return None
    if tied:
        lm.lm_head.weight = lm.get_input_embeddings().weight
    if any(tensor.is_meta for tensor in [*lm.parameters(), *lm.buffers()]):
        return None
    return lm


def _use_exact_gelu(lm) -> None:
    """Swap Gemma's tanh-approximated GELU for the exact (erf) one.

    The two differ by at most 5e-4 on any input, far below bfloat16's resolution (8e-3 at 1.0), but
    PyTorch's CPU kernel for the tanh form ran 5× slower than erf in bfloat16 (257 vs 48 ms for the 18 MLP
    activations of a 2,000-token batch, measured): 16 % of the transformer body's time on one thread.
    """
    import torch

    if getattr(lm.config, "hidden_activation", None) not in ("gelu_pytorch_tanh", "gelu_tanh"):
        return
    for module in lm.modules():
        if hasattr(module, "act_fn") and hasattr(module, "gate_proj"):
            module.act_fn = torch.nn.GELU()
