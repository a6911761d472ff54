"""``mtqa batch``: score and check many pre-segmented pairs (JSONL, TSV/CSV, Parquet, or a directory of
shards) into one JSONL or Parquet row each, streamed, resumable, locally or on Ray. See docs/batch.md."""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from pathlib import Path

import click

from mtqa.commands.common import glossary_option, language_options, model_option

# The model packs a batch's requests into fixed 2,048-token rows and 1,024-position projection blocks
# (mtqa/score/lm/gemma.py); only the last of each is padded. On 2,000 WMT21 news pairs that padding is
# 11.4 % of the tokens at 64 rows a batch and 1.9 % at 256 (counted, docs/performance.md).
DEFAULT_BATCH_SIZE = 256
DEFAULT_SHARD_ROWS = 2000


def default_scorer_factory(model: bool) -> Callable | None:
    """The neural scorer on the bundled model, created where it runs (once per Ray actor)."""
    if not model:
        return None
    from mtqa.score import create_scorer

    return functools.partial(create_scorer, "neural", quiet=True, required=True)


def _imported_factory(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise click.BadParameter(f"cannot import {spec!r} ({error})", param_hint="--scorer-factory") from None


@click.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Output file: .jsonl or .parquet, one row per input row.")
@glossary_option("Glossary (TSV/CSV/TBX) for the terminology check. Repeatable.")
@click.option("--glossary-encoding", metavar="NAME",
              help="Encoding of the glossary files (default: detected).")
@language_options("Source language of rows without source_lang (default: detected per row).",
                  "Target language of rows without target_lang (default: detected per row).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process; ray: Ray Data actors (a local runtime, or RAY_ADDRESS's cluster).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Ray actors (each loads the model once).")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Model threads per worker (default: local picks from the free cores; ray: 1).")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Rows per model batch: memory is bounded by this, not by the corpus.")
@click.option("--shard-size", type=click.IntRange(min=1), default=DEFAULT_SHARD_ROWS, show_default=True,
              help="Rows per output shard: a killed run loses at most one shard's work.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its last complete shard.")
@click.option("--documents", is_flag=True,
              help="Group rows by their doc (contiguous) and align and check each as a document: "
                   "merged, split, dropped and added lines show up (local executor).")
@model_option(True, "Model scores (estimate, adequacy, fluency, model spans); --no-model: checks only.")
@click.option("--scorer-factory", metavar="MODULE:FUNCTION", hidden=True,
              help="A function returning the scorer, called once per worker (a plugin point; tests use it).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
def command(input_path: Path, output: Path, glossaries: tuple[Path, ...], glossary_encoding: str | None,
            source_lang: str | None, target_lang: str | None, executor: str, workers: int,
            threads: int | None, batch_size: int, shard_size: int, resume: bool, documents: bool,
            model: bool, scorer_factory: str | None, quiet: bool) -> None:
    """Score and check every pair of INPUT (JSONL rows {"id","source","target","source_lang"?,
    "target_lang"?}, TSV/CSV with a header, Parquet, or a directory of them) into --output."""
    import os

    from mtqa.batch.inputs import open_input
    from mtqa.batch.local import run_local
    from mtqa.batch.progress import BatchProgress
    from mtqa.batch.rows import BatchSettings, RowProcessor
    from mtqa.batch.shards import ShardedOutput, output_kind
    from mtqa.errors import MtqaError

    if documents and executor == "ray":
        raise MtqaError("--documents runs on the local executor only (a document must be aligned whole, "
                        "and Ray Data's batches cut across documents)")
    batch_input = open_input(input_path)
    output_kind(output)
    if output.resolve() in {path.resolve() for path in batch_input.files}:
        raise MtqaError(f"{output}: the output would overwrite the input")
    for path in glossaries:
        if not path.is_file():
            raise MtqaError(f"{path}: no such glossary file")
    factory = _imported_factory(scorer_factory) if scorer_factory else default_scorer_factory(model)
    settings = BatchSettings(source_lang=source_lang, target_lang=target_lang,
                             glossaries=tuple(str(p) for p in glossaries),
                             glossary_encoding=glossary_encoding)
    if executor == "local" and threads:
        os.environ["MTQA_THREADS"] = str(threads)
    # The driver's scorer gives the signature (its model loads lazily: only the local executor uses it).
    scorer = factory() if factory else None
    processor = RowProcessor(scorer, settings)
    if source_lang and target_lang:
        processor.glossary(*_languages(source_lang, target_lang))  # a broken glossary fails before the run
    document_processor = None
    if documents:
        from mtqa.batch.documents import DocumentProcessor
        from mtqa.pipeline import default_aligner

        document_processor = DocumentProcessor(processor, default_aligner())
    signature = document_processor.signature if document_processor else processor.signature
    sharded = ShardedOutput(output, fingerprint=batch_input.fingerprint(), signature=signature,
                            shard_rows=shard_size, resume=resume)
    # Silent unless a person watches: logs of a batch job get no progress redraws and no summary.
    show = not quiet and _tty()
    started = time.perf_counter()
    total = batch_input.count() if show else None
    with BatchProgress(total, sharded.done_rows, show) as progress:
        if document_processor is not None:
            from mtqa.batch.documents import group_documents, run_documents

            run_documents(group_documents(batch_input.records()), document_processor, sharded.write,
                          sharded.done_rows, progress.advance)
        elif executor == "ray":
            from mtqa.batch.ray_executor import run_ray

            run_ray(batch_input, factory, settings, sharded, workers=workers, batch_size=batch_size,
                    threads_per_worker=threads or 1, advance=progress.advance)
        else:
            run_local(batch_input, processor, sharded, batch_size, progress.advance)
    resumed = sharded.resumed_rows
    rows = sharded.finish()
    if show:
        elapsed = time.perf_counter() - started
        done = rows - resumed
        click.echo(f"mtqa batch: {rows} rows → {output} ({done} scored in {elapsed:.1f} s, "
                   f"{done / elapsed if elapsed else 0:.1f} pairs/s"
                   + (f"; {resumed} from the interrupted run" if resumed else "") + ")", err=True)


def _languages(source: str, target: str):
    from mtqa.languages import get_language

    return get_language(source), get_language(target)


def _tty() -> bool:
    import sys

    return sys.stderr.isatty()
