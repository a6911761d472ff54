"""The in-process executor: read ``batch_size`` records, process them, hand the rows to the sharded output.

Memory holds one batch of records and rows (plus the model); a resumed run skips the rows its finished
shards hold without processing them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from mtqa.batch.inputs import BatchInput
from mtqa.batch.rows import RowProcessor
from mtqa.batch.shards import ShardedOutput


def batches(records: Iterator[object], size: int) -> Iterator[list[object]]:
    while chunk := list(itertools.islice(records, size)):
        yield chunk


def run_local(batch_input: BatchInput, processor: RowProcessor, output: ShardedOutput, batch_size: int,
              advance: Callable[[int], None]) -> None:
    records = itertools.islice(batch_input.records(), output.done_rows, None)
    for chunk in batches(records, batch_size):
        rows = processor.process(chunk)
        output.write(rows)
        advance(len(rows))
