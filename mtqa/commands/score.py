"""``mtqa score``: reference metrics only (BLEU, chrF, TER with sacrebleu), for one or many systems at once,
with paired bootstrap resampling against the first system when several are given — what
``sacrebleu REF -i SYS1 SYS2 -m bleu chrf ter --paired-bs`` prints, on the same segments.

Segments: when every file has as many lines as the reference, one line is one segment, exactly as sacrebleu
reads them. Otherwise (documents whose lines do not correspond), ``--align`` segments each system and aligns
it to the reference; the reference's segments are then the common units that paired resampling needs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DEFAULT_METRICS = ("bleu", "chrf", "ter")


@click.command("score")
@click.argument("systems", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-r", "--reference", "references", multiple=True, required=True,
              type=click.Path(path_type=Path),
              help="Reference translation. Repeatable (several references, line mode only).")
@click.option("-m", "--metrics", "metric_args", multiple=True,
              help="Metrics: bleu, chrf, ter (default: all three). Like sacrebleu: -m bleu chrf ter, "
                   "or -m bleu,chrf.")
@click.option("-l", "--target-lang", help="Language of the translations (picks sacrebleu's tokenizer; "
                                          "default: detected).")
@click.option("--align", is_flag=True,
              help="Segment and align documents to the reference instead of reading one segment per line.")
@click.option("--paired-bs-n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Bootstrap resamples for the paired test (several systems).")
@click.option("--encoding", help="Encoding of the input files (default: detected).")
@click.option("-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def command(
    systems: tuple[Path, ...],
    references: tuple[Path, ...],
    metric_args: tuple[str, ...],
    target_lang: str | None,
    align: bool,
    paired_bs_n: int,
    encoding: str | None,
    output_format: str,
) -> None:
    """Score SYSTEM translations against -r REFERENCE: corpus BLEU, chrF and TER (sacrebleu signatures)."""
    from mtqa.errors import MtqaError
    from mtqa.metrics import METRICS

    systems, metric_names = _split_metrics(systems, metric_args, METRICS)
    if not systems:
        raise click.UsageError("give at least one system translation to score")
    for name in metric_names:
        if name not in METRICS:
            raise MtqaError(f"unknown metric {name!r} (known: {', '.join(METRICS)})")

    reference_texts = [_read(path, encoding) for path in references]
    system_texts = [_read(path, encoding) for path in systems]
    lang = target_lang or _detect(reference_texts[0])
    if align:
        if len(references) > 1:
            raise MtqaError("--align takes one reference")
        refs, hyps = _aligned_units(reference_texts[0], system_texts, lang)
        ref_streams = [refs]
    else:
        ref_streams = [_lines(text) for text in reference_texts]
        hyps = [_lines(text) for text in system_texts]
        counts = {len(stream) for stream in ref_streams} | {len(h) for h in hyps}
        if len(counts) > 1:
            detail = ", ".join(f"{p}: {len(lines)}" for p, lines in
                               [*zip(references, ref_streams, strict=True), *zip(systems, hyps, strict=True)])
            raise MtqaError(f"files have different numbers of lines ({detail}); use --align for documents")

    results = score_systems([str(p) for p in systems], hyps, ref_streams, metric_names, lang, paired_bs_n)
    if output_format == "json":
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(_text(results))


def score_systems(names: list[str], hypotheses: list[list[str]], references: list[list[str]],
                  metric_names, lang: str | None, paired_bs_n: int = 1000) -> dict:
    """Corpus scores for every system; with several, sacrebleu's paired bootstrap against the first."""
    from mtqa.metrics import make_metrics

    metrics = make_metrics(metric_names, lang)
    out: dict = {"systems": [], "metrics": list(metrics), "paired_bootstrap": len(names) > 1}
    if len(names) == 1:
        entry: dict = {"name": names[0], "scores": []}
        for metric in metrics.values():
            result = metric.corpus_score(hypotheses[0], references)
            entry["scores"].append({"name": result.name, "score": result.score,
                                    "signature": str(metric.get_signature()), "text": str(result)})
        out["systems"].append(entry)
        return out

    from sacrebleu.significance import PairedTest

    test = PairedTest(list(zip(names, hypotheses, strict=True)), metrics, references, test_type="bs",
                      n_samples=paired_bs_n, n_jobs=1)
    signatures, table = test()
    for row, name in enumerate(table["System"]):
        entry = {"name": name, "baseline": row == 0, "scores": []}
        for metric_name, results in table.items():
            if metric_name == "System":
                continue
            result = results[row]
            entry["scores"].append({
                "name": metric_name, "score": _number(result.score), "mean": _number(result.mean),
                "ci": _number(result.ci), "p_value": _number(result.p_value),
                "signature": str(signatures[metric_name]),
            })
        out["systems"].append(entry)
    return out


def _number(value) -> float | None:
    # sacrebleu's bootstrap hands back numpy scalars, which json cannot write
    return None if value is None else float(value)


def _text(results: dict) -> str:
    lines = []
    if not results["paired_bootstrap"]:
        for score in results["systems"][0]["scores"]:
            lines.append(f"{score['text']}\n  {score['name']}|{score['signature']}")
        return "\n".join(lines) + "\n"
    names = [s["name"] for s in results["systems"][0]["scores"]]
    rows = []
    for system in results["systems"]:
        cells = []
        for score in system["scores"]:
            cell = f"{score['score']:.2f}"
            if score["mean"] is not None:
                cell += f" ({score['mean']:.2f} ± {score['ci']:.2f})"
            if score["p_value"] is not None:
                cell += f" p={score['p_value']:.4f}{'*' if score['p_value'] < 0.05 else ''}"
            cells.append(cell)
        rows.append([system["name"] + (" (baseline)" if system.get("baseline") else ""), *cells])
    header = ["System", *names]
    widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(widths[k]) for k, cell in enumerate(row)).rstrip())
    lines.append("")
    lines.append("Paired bootstrap resampling against the baseline (first system); * p < 0.05.")
    for score in results["systems"][0]["scores"]:
        lines.append(f"  {score['name']}|{score['signature']}")
    return "\n".join(lines) + "\n"


def _split_metrics(systems: tuple[Path, ...], metric_args: tuple[str, ...], known) -> tuple[list[Path], list]:
    """Accept sacrebleu's ``-m bleu chrf ter``: click hands the names after the first to the positional
    systems, so a positional that is a metric name and not an existing file is taken as a metric.
    """
    metrics = [name.strip().lower() for arg in metric_args for name in arg.split(",") if name.strip()]
    kept: list[Path] = []
    for path in systems:
        if metric_args and str(path).lower() in known and not path.exists():
            metrics.append(str(path).lower())
        else:
            kept.append(path)
    return kept, list(dict.fromkeys(metrics or DEFAULT_METRICS))


def _read(path: Path, encoding: str | None) -> str:
    from mtqa.textio import read_text

    text, _ = read_text(path, encoding)
    return text


def _lines(text: str) -> list[str]:
    # sacrebleu reads a file line by line, without the trailing newline of the last line
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _detect(text: str) -> str | None:
    from mtqa.languages import detect_language

    return detect_language(text)


def _aligned_units(reference_text: str, system_texts: list[str], lang: str | None) -> tuple[list, list]:
    """Reference segments as the common units; each system's text is aligned to them."""
    from mtqa.errors import MtqaError
    from mtqa.languages import get_language
    from mtqa.metrics import ReferenceAligner, join_segments
    from mtqa.pipeline import Prepared, align, segment

    if lang is None:
        raise MtqaError("cannot detect the language of the reference; give --target-lang")
    language = get_language(lang)
    reference = segment(reference_text, language)
    refs = [s.text.strip() for s in reference.segments]
    hyps = []
    for text in system_texts:
        system = segment(text, language)
        units: list[list[str]] = [[] for _ in refs]
        pending: list[str] = []  # system text before the first aligned reference segment
        last = None
        for bead in align(Prepared(system, reference, language, language), ReferenceAligner()):
            texts = [system.segments[i].text for i in bead.source_segments]
            if bead.target_segments:
                last = bead.target_segments[0]
                units[last].extend(pending + texts)
                pending = []
            elif last is None:
                pending.extend(texts)
            else:
                units[last].extend(texts)  # an addition costs where it stands
        if pending and units:
            units[0].extend(pending)
        hyps.append([join_segments(unit) for unit in units])
    return refs, hyps
