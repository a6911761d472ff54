"""Streaming readers of ``mtqa batch`` inputs and the fingerprint a resumed run must match.

JSONL (``.jsonl``/``.ndjson``: lines handed on as text, parsed per row so that a malformed line is an error
row), TSV/CSV with a header (``.tsv``/``.csv``/``.tab``), Parquet (``.parquet``/``.pq``, pyarrow: read
a record batch at a time), or a directory of such files (read in name order). Memory is bounded by what
the caller takes at a time, never by the corpus.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mtqa.errors import InputError, MtqaError

Reader = Callable[[Path], Iterator[object]]


def _jsonl(path: Path) -> Iterator[object]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue  # a blank line is no row (an editor's trailing newline)
            try:
                yield raw.decode("utf-8").removeprefix("\ufeff") if number == 1 else raw.decode("utf-8")
            except UnicodeDecodeError:
                yield f"line {number} is not UTF-8"  # an error row: not JSON, so parsed as malformed


def _table(delimiter: str) -> Reader:
    def read(path: Path) -> Iterator[object]:
        # Quoted fields may hold newlines (newline="" lets csv see them); huge fields are a malformed row.
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            if not reader.fieldnames or not {"source", "target"} <= set(reader.fieldnames):
                raise InputError(str(path), f"needs a header with id, source and target columns "
                                            f"(found: {', '.join(reader.fieldnames or []) or 'nothing'})")
            for row in reader:
                yield {key: value for key, value in row.items() if key is not None}

    return read


def _parquet(path: Path) -> Iterator[object]:
    pq = _pyarrow_parquet()
    try:
        source = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several unrelated types for a damaged file
        raise InputError(str(path), f"not a readable Parquet file ({error})") from None
    for batch in source.iter_batches(batch_size=1024):
        yield from batch.to_pylist()


READERS: dict[str, Reader] = {
    ".jsonl": _jsonl,
    ".ndjson": _jsonl,
    ".tsv": _table("\t"),
    ".tab": _table("\t"),
    ".csv": _table(","),
    ".parquet": _parquet,
    ".pq": _parquet,
}


@dataclass(frozen=True)
class BatchInput:
    """The input files (one, or a directory's) and their common kind (``jsonl``, ``tsv``, ``csv``,
    ``parquet``)."""

    path: Path
    files: tuple[Path, ...]

    @property
    def kind(self) -> str:
        suffix = self.files[0].suffix.lower()
        return {".ndjson": "jsonl", ".tab": "tsv", ".pq": "parquet"}.get(suffix, suffix.lstrip("."))

    def records(self) -> Iterator[object]:
        for path in self.files:
            yield from READERS[path.suffix.lower()](path)

    def fingerprint(self) -> str:
        """SHA-256 over every file's name, size and bytes: a resumed run must read the very same rows."""
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(f"{path.name}\x1f{path.stat().st_size}\x1f".encode())
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        return digest.hexdigest()

    def count(self) -> int | None:
        """Rows, for a progress bar's total (lines for text files: a CSV field with a newline overcounts)."""
        total = 0
        for path in self.files:
            if self.kind == "parquet":
                total += _pyarrow_parquet().ParquetFile(path).metadata.num_rows
                continue
            with path.open("rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda h=handle: h.read(1 << 20), b""))
            total += lines - (1 if self.kind in ("tsv", "csv") else 0)
        return total


def open_input(path: Path) -> BatchInput:
    if not path.exists():
        raise InputError(str(path), "no such file or directory")
    if path.is_dir():
        files = tuple(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in READERS))
        if not files:
            raise InputError(str(path), f"no input shards ({', '.join(sorted(READERS))}) in this directory")
        kinds = {BatchInput(path, (f,)).kind for f in files}
        if len(kinds) > 1:
            raise InputError(str(path), f"shards of several kinds ({', '.join(sorted(kinds))}); use one")
    else:
        if path.suffix.lower() not in READERS:
            raise InputError(str(path), f"unknown input kind {path.suffix or '(no extension)'!r} "
                                        f"(use {', '.join(sorted(READERS))})")
        files = (path,)
    batch_input = BatchInput(path, files)
    if batch_input.kind == "parquet":
        _pyarrow_parquet()
    return batch_input


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MtqaError("Parquet needs pyarrow: pip install 'mtqa[parquet]'") from None
    return pq

