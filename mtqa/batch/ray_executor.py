"""The Ray executor: Ray Data reads the input, ``map_batches`` runs a pool of actors that each create the
scorer once (the model loads once per actor, not per batch) and process batches with the same
``RowProcessor`` as the local executor, and the rows stream back in input order to the driver's sharded
output (one ordered file, the same manifest as a local run).

``RAY_ADDRESS`` set: the run joins that cluster (``ray start --head`` on one node, ``ray start
--address=HEAD:6379`` on the others; see docs/batch.md). Not set: a local Ray runtime with ``workers``
CPUs and no dashboard is started for the run and shut down after it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable

from mtqa.batch.inputs import BatchInput
from mtqa.batch.rows import BatchSettings, RowProcessor
from mtqa.batch.shards import ShardedOutput
from mtqa.errors import MtqaError

# Rows travel from the actors to the driver as their JSON text: one string column keeps nested findings
# and ids of any JSON type exactly as the local executor writes them.
ROW_COLUMN = "row"


class ScoreActor:
    """One per Ray actor: the scorer is created in ``__init__`` (once per actor), rows per batch."""

    def __init__(self, scorer_factory: Callable | None, settings: BatchSettings, threads: int) -> None:
        # Each actor owns ``threads`` CPUs (``num_cpus`` of the pool); torch must not spread wider.
        os.environ.setdefault("MTQA_THREADS", str(threads))
        self.processor = RowProcessor(scorer_factory() if scorer_factory else None, settings)

    def __call__(self, batch: dict) -> dict:
        if "text" in batch:  # read_text: JSONL lines, parsed (or refused) per row by the processor
            records = list(batch["text"])
        else:
            columns = list(batch)
            count = len(batch[columns[0]]) if columns else 0
            records = [{name: _plain(batch[name][i]) for name in columns} for i in range(count)]
        rows = self.processor.process(records)
        return {ROW_COLUMN: [json.dumps(row, ensure_ascii=False) for row in rows]}


def _plain(value):
    # numpy scalars from Ray's numpy batches → Python values (a row's id may be a number in Parquet).
    return value.item() if hasattr(value, "item") else value


def _read(ray_data, batch_input: BatchInput):
    paths = [str(p) for p in batch_input.files]
    kind = batch_input.kind
    if kind == "jsonl":
        return ray_data.read_text(paths, drop_empty_lines=True)
    if kind == "parquet":
        return ray_data.read_parquet(paths)
    import pyarrow as pa
    from pyarrow import csv

    # Every column as text: an id column of digits must stay "007", as the local executor reads it.
    header = _header(batch_input.files[0], "\t" if kind == "tsv" else ",")
    return ray_data.read_csv(
        paths,
        parse_options=csv.ParseOptions(delimiter="\t" if kind == "tsv" else ",", newlines_in_values=True),
        convert_options=csv.ConvertOptions(column_types={name: pa.string() for name in header},
                                           strings_can_be_null=False),
    )


def _header(path, delimiter: str) -> list[str]:
    import csv as stdlib_csv

    with open(path, encoding="utf-8-sig", newline="") as handle:
        return next(stdlib_csv.reader(handle, delimiter=delimiter), [])


def run_ray(batch_input: BatchInput, scorer_factory: Callable | None, settings: BatchSettings,
            output: ShardedOutput, *, workers: int, batch_size: int, threads_per_worker: int,
            advance: Callable[[int], None]) -> None:
    try:
        import ray
        import ray.data
    except ImportError:
        raise MtqaError("--executor ray needs Ray: pip install 'mtqa[ray]'") from None
    if output.done_rows:
        raise MtqaError("--resume with --executor ray: Ray Data gives no row positions to skip a finished "
                        "shard's rows by; resume with --executor local, or delete "
                        f"{output.dir} and start over")
    started_here = not ray.is_initialized()
    if started_here:
        address = os.environ.get("RAY_ADDRESS") or None
        # One CPU more than the actors hold: Ray Data's read tasks need one, or the pipeline waits forever
        # for the actors to give theirs back.
        options = {} if address else {"num_cpus": workers * threads_per_worker + 1}
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING, **options)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        # Ray Data announces every execution on INFO; mtqa's own progress bar is the one to watch.
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        dataset = _read(ray.data, batch_input).map_batches(
            ScoreActor,
            fn_constructor_kwargs={"scorer_factory": scorer_factory, "settings": settings,
                                   "threads": threads_per_worker},
            batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=threads_per_worker,
            batch_format="numpy",
        )
        for batch in dataset.iter_batches(batch_size=batch_size, batch_format="numpy"):
            rows = [json.loads(text) for text in batch[ROW_COLUMN]]
            output.write(rows)
            advance(len(rows))
    finally:
        if started_here:
            ray.shutdown()
