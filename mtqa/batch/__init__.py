"""``mtqa batch``: many pre-segmented pairs scored and checked, streamed, resumable, on one machine or Ray.

- ``rows.py``: the per-batch work both executors share (parse a row, ``score_batch``, the per-pair checks
  through ``pipeline.run_checks`` on a one-pair context, one output row per input row);
- ``inputs.py``: streaming readers (JSONL, TSV/CSV, Parquet, a directory of shards) and the input's
  fingerprint;
- ``shards.py``: output written shard by shard (temp file + rename) under a manifest, merged at the end;
- ``local.py``: the in-process executor; ``ray_executor.py``: Ray Data with one scorer per actor.
"""
