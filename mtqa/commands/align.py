"""``mtqa align``: the alignment stage on its own, for building parallel corpora or checking an alignment.

Output formats:
- ``beads`` (default): one bead per line in the format of bertalign, vecalign and the MAC gold,
  ``[0,1]:[0]`` with 0-based segment ids, ``[]`` for an empty side (an addition or omission);
- ``tsv``: source text, tab, target text, one bead per line (segments of a bead joined by a space; tabs and
  line breaks inside a segment become spaces; an empty side is an empty column);
- ``json``: the beads with ids, texts and, from the encoder aligner, the similarity of each bead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

FORMATS = ("beads", "tsv", "json")


@click.command("align")
@click.argument("source_path", metavar="SOURCE", type=click.Path(path_type=Path))
@click.argument("target_path", metavar="TARGET", type=click.Path(path_type=Path))
@click.option("-f", "--format", "output_format", type=click.Choice(FORMATS), default="beads",
              show_default=True, help="beads: [0,1]:[0] lines (bertalign/vecalign); tsv: side by side; json.")
@click.option("--pre-segmented", is_flag=True,
              help="Inputs have one segment per line (empty lines too, so that ids are line numbers - 1).")
@click.option("--aligner", type=click.Choice(["auto", "encoder", "length"]), default="auto",
              show_default=True,
              help="encoder: multilingual sentence encoder; length: lengths and anchors only; auto: encoder "
                   "when installed.")
@click.option("--source-lang", help="Source language code (default: detected).")
@click.option("--target-lang", help="Target language code (default: detected).")
@click.option("--encoding", help="Encoding of the input files (default: detected).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE instead of standard output.")
def command(
    source_path: Path,
    target_path: Path,
    output_format: str,
    pre_segmented: bool,
    aligner: str,
    source_lang: str | None,
    target_lang: str | None,
    encoding: str | None,
    output: Path | None,
) -> None:
    """Align the sentences of SOURCE and TARGET (a translation) and print the beads."""
    from mtqa.align.encoder_aligner import create_aligner
    from mtqa.data import Document
    from mtqa.errors import InputError, MtqaError
    from mtqa.pipeline import resolve_language
    from mtqa.segment import segment_document
    from mtqa.textio import read_text

    source_text, _ = read_text(source_path, encoding)
    target_text, _ = read_text(target_path, encoding)
    source_language = resolve_language(source_lang, source_text, str(source_path), "source")
    target_language = resolve_language(target_lang, target_text, str(target_path), "target")
    if source_language.code == target_language.code:
        raise MtqaError(
            f"source and target are both {source_language.name} ({source_path}, {target_path}); "
            "give two languages"
        )
    if output is not None and output.resolve() in (source_path.resolve(), target_path.resolve()):
        raise InputError(str(output), "is an input file; refusing to overwrite it")
    source = Document(source_text, source_language.code, str(source_path))
    target = Document(target_text, target_language.code, str(target_path))
    source.segments = segment_document(source_text, source_language, pre_segmented=pre_segmented)
    target.segments = segment_document(target_text, target_language, pre_segmented=pre_segmented)
    chosen = create_aligner(aligner)
    pairs = chosen.align(source, target, source_language, target_language)

    if output_format == "beads":
        text = "".join(f"{_ids(p.source_segments)}:{_ids(p.target_segments)}\n" for p in pairs)
    elif output_format == "tsv":
        text = "".join(
            f"{_cell(source, p.source_segments)}\t{_cell(target, p.target_segments)}\n" for p in pairs
        )
    else:
        text = json.dumps(_as_json(chosen.name, source, target, pairs), ensure_ascii=False, indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _ids(ids: tuple[int, ...]) -> str:
    return "[" + ",".join(str(i) for i in ids) + "]"


def _cell(document, ids: tuple[int, ...]) -> str:
    return " ".join(" ".join(document.segments[i].text.split()) for i in ids)


def _as_json(aligner_name: str, source, target, pairs) -> dict:
    return {
        "version": 1,
        "aligner": aligner_name,
        "source": {"path": source.path, "lang": source.lang, "segments": len(source.segments)},
        "target": {"path": target.path, "lang": target.lang, "segments": len(target.segments)},
        "beads": [
            {
                "source": list(p.source_segments),
                "target": list(p.target_segments),
                "similarity": p.similarity,
                "source_text": _cell(source, p.source_segments),
                "target_text": _cell(target, p.target_segments),
            }
            for p in pairs
        ],
    }
