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

from mtqa.commands.common import (
    aligner_option,
    encoding_option,
    language_options,
    make_aligner,
    side_encoding_options,
)

FORMATS = ("beads", "tsv", "json")


@click.command("align")
@click.argument("source_path", metavar="SOURCE", type=click.Path(path_type=Path))
@click.argument("target_path", metavar="TARGET", type=click.Path(path_type=Path))
@click.option("-f", "--format", "output_format", type=click.Choice(FORMATS), default="beads",
              show_default=True, help="beads: [0,1]:[0] lines (bertalign/vecalign); tsv: side by side; json.")
@click.option("--pre-segmented", is_flag=True,
              help="Inputs have one segment per line (empty lines too, so that ids are line numbers - 1).")
@aligner_option("encoder: multilingual sentence encoder; length: lengths and anchors only; auto: encoder "
                "when installed.")
@language_options()
@encoding_option()
@side_encoding_options(glossary=False)
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
    source_encoding: str | None,
    target_encoding: str | None,
    output: Path | None,
) -> None:
    """Align the sentences of SOURCE and TARGET (a translation) and print the beads."""
    from mtqa.errors import InputError
    from mtqa.pipeline import align, prepare
    from mtqa.report.outputs import check_writable, write_report
    from mtqa.textio import MAX_DOCUMENT_BYTES, read_text

    if output is not None:
        check_writable(output, output_format)  # before the encoder loads, not after the alignment
    source_text, _ = read_text(source_path, source_encoding or encoding, "--source-encoding",
                               MAX_DOCUMENT_BYTES)
    target_text, _ = read_text(target_path, target_encoding or encoding, "--target-encoding",
                               MAX_DOCUMENT_BYTES)
    prepared = prepare(source_text, target_text, source_lang=source_lang, target_lang=target_lang,
                       source_path=str(source_path), target_path=str(target_path),
                       pre_segmented=pre_segmented)
    if output is not None and output.resolve() in (source_path.resolve(), target_path.resolve()):
        raise InputError(str(output), "is an input file; refusing to overwrite it")
    chosen = make_aligner(aligner)
    pairs = align(prepared, chosen)
    source, target = prepared.source, prepared.target

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
        write_report(output, text)


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
