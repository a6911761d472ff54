"""The output of ``mtqa batch``, written shard by shard so that a killed run loses at most one shard.

Beside ``OUT`` a work directory ``OUT.parts/`` holds the finished shards (``shard-00000.jsonl`` …, each
written to a temporary name and renamed when complete) and ``manifest.json`` (rewritten the same way after
every shard): the input's fingerprint, the run's signature, the shard size and the shards done. A resumed
run checks the fingerprint and signature, skips the rows of the finished shards and goes on; at the end
the shards are merged in order into ``OUT`` (temporary name, then rename) and the work directory goes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mtqa.batch.rows import OUTPUT_FIELDS
from mtqa.errors import MtqaError

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
OUTPUT_KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


def output_kind(path: Path) -> str:
    kind = OUTPUT_KINDS.get(path.suffix.lower())
    if kind is None:
        raise MtqaError(f"{path}: unknown output kind {path.suffix or '(no extension)'!r} "
                        f"(use .jsonl or .parquet)")
    return kind


def work_dir(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


@dataclass
class Manifest:
    input: str  # the input's fingerprint
    signature: str
    shard_rows: int
    output: str  # jsonl | parquet
    shards: list[dict] = field(default_factory=list)  # {"file", "first", "rows"} in order
    version: int = MANIFEST_VERSION

    @property
    def done_rows(self) -> int:
        return sum(shard["rows"] for shard in self.shards)


def _parquet_schema():
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("estimate", pa.float64()), ("adequacy", pa.float64()),
                      ("fluency", pa.float64()), ("findings", pa.string()), ("signature", pa.string()),
                      ("error", pa.string())])


def _parquet_columns(rows: list[dict]) -> dict[str, list]:
    # Parquet has no place for free-form objects: findings are their JSON text; ids are text.
    columns: dict[str, list] = {name: [] for name in OUTPUT_FIELDS}
    for row in rows:
        for name in OUTPUT_FIELDS:
            value = row[name]
            if name == "findings":
                value = json.dumps(value, ensure_ascii=False)
            elif name == "id" and value is not None:
                value = str(value)
            columns[name].append(value)
    return columns


class _ShardFile:
    """One shard being written (to ``path`` + ``.tmp``), rows appended a batch at a time."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.temp = path.with_name(path.name + ".tmp")
        self.kind = kind
        self.rows = 0
        if kind == "jsonl":
            self._handle = self.temp.open("w", encoding="utf-8")
        else:
            import pyarrow.parquet as pq

            self._writer = pq.ParquetWriter(self.temp, _parquet_schema())

    def write(self, rows: list[dict]) -> None:
        if self.kind == "jsonl":
            self._handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            import pyarrow as pa

            self._writer.write_table(pa.Table.from_pydict(_parquet_columns(rows), schema=_parquet_schema()))
        self.rows += len(rows)

    def commit(self) -> None:
        if self.kind == "jsonl":
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        else:
            self._writer.close()
        os.replace(self.temp, self.path)


class ShardedOutput:
    """Where rows go: ``write`` in input order; a shard is committed every ``shard_rows`` rows; ``finish``
    merges. ``write_seconds`` accumulates the time spent writing (for the benchmark's stage split)."""

    def __init__(self, output: Path, *, fingerprint: str, signature: str, shard_rows: int,
                 resume: bool) -> None:
        self.output = output
        self.kind = output_kind(output)
        if self.kind == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise MtqaError("Parquet output needs pyarrow: pip install 'mtqa[parquet]'") from None
        self.dir = work_dir(output)
        self.write_seconds = 0.0
        self.resumed_rows = 0
        fresh = Manifest(fingerprint, signature, shard_rows, self.kind)
        path = self.dir / MANIFEST
        if self.dir.exists() and not resume:
            raise MtqaError(f"{self.dir} holds an unfinished run's shards: give --resume to continue it, or "
                            f"delete the directory to start over")
        if resume and path.exists():
            self.manifest = _read_manifest(path)
            for name, mine, theirs in (("input", fingerprint, self.manifest.input),
                                       ("signature", signature, self.manifest.signature),
                                       ("output kind", self.kind, self.manifest.output)):
                if mine != theirs:
                    raise MtqaError(f"cannot resume: the {name} differs from the interrupted run's "
                                    f"({theirs[:40]} in {path}, now {mine[:40]})")
            # The shards a manifest lists are complete (renamed before the manifest names them); a shard
            # file it does not list is a torn write from the kill, rewritten below.
            self.resumed_rows = self.manifest.done_rows
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.manifest = fresh
            self._save()
        self._current: _ShardFile | None = None

    @property
    def done_rows(self) -> int:
        return self.manifest.done_rows

    def write(self, rows: list[dict]) -> None:
        started = time.perf_counter()
        while rows:
            if self._current is None:
                index = len(self.manifest.shards)
                self._current = _ShardFile(self.dir / f"shard-{index:05d}.{self.kind}", self.kind)
            room = self.manifest.shard_rows - self._current.rows
            self._current.write(rows[:room])
            rows = rows[room:]
            if self._current.rows >= self.manifest.shard_rows:
                self._commit()
        self.write_seconds += time.perf_counter() - started

    def finish(self) -> int:
        """Commit the last shard, merge every shard into the output, remove the work directory; the number
        of rows written."""
        started = time.perf_counter()
        if self._current is not None and self._current.rows:
            self._commit()
        temp = self.output.with_name(self.output.name + ".tmp")
        files = [self.dir / shard["file"] for shard in self.manifest.shards]
        if self.kind == "jsonl":
            with temp.open("wb") as out:
                for path in files:
                    with path.open("rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 20)
        else:
            import pyarrow.parquet as pq

            with pq.ParquetWriter(temp, _parquet_schema()) as writer:
                for path in files:
                    shard = pq.ParquetFile(path)
                    for group in range(shard.num_row_groups):
                        writer.write_table(shard.read_row_group(group))
        os.replace(temp, self.output)
        shutil.rmtree(self.dir)
        self.write_seconds += time.perf_counter() - started
        return self.manifest.done_rows

    def _commit(self) -> None:
        assert self._current is not None
        self._current.commit()
        self.manifest.shards.append({"file": self._current.path.name, "first": self.manifest.done_rows,
                                     "rows": self._current.rows})
        self._current = None
        self._save()

    def _save(self) -> None:
        path = self.dir / MANIFEST
        temp = path.with_name(MANIFEST + ".tmp")
        temp.write_text(json.dumps(asdict(self.manifest), indent=1) + "\n", encoding="utf-8")
        os.replace(temp, path)


def _read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as error:
        raise MtqaError(f"cannot resume: {path} is not a readable manifest ({error})") from None
    if manifest.version != MANIFEST_VERSION:
        raise MtqaError(f"cannot resume: {path} is from another mtqa version (manifest {manifest.version})")
    return manifest
