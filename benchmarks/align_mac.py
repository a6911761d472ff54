"""Sentence-alignment benchmark: MAC-Dev zh→en gold (bertalign), strict/lax P/R/F1, speed, peak memory.

    python benchmarks/align_mac.py                      # both aligners, each in its own process
    python benchmarks/align_mac.py --aligner encoder    # one aligner
    python benchmarks/align_mac.py --scaling 2000       # also time a 2,000-sentence document (linearity)
    python benchmarks/align_mac.py --drops              # also omission detection on the bundled sample
    python benchmarks/align_mac.py --perturb            # also omissions/additions on a perturbed MAC copy

Reads ``../shared/eval/bertalign_mac_zhen/dev/`` (or ``$MTQA_EVAL``/bertalign_mac_zhen/dev): one sentence per
line, aligned as pre-segmented input; scores with ``eval_helpers.align_prf`` (micro over all documents: beads
of all six documents pooled, null beads excluded from strict, as in the bertalign README).
Published anchors on the same data (strict / lax F1): Bertalign 0.911 / 0.998, Vecalign 0.863 / 0.997,
Hunalign 0.610 / 0.852, Gale–Church 0.485 / 0.737.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from mtqa.data import Document
from mtqa.languages import get_language
from mtqa.segment import segment_document

EVAL = Path(os.environ.get("MTQA_EVAL", Path(__file__).resolve().parents[2] / "shared" / "eval"))
MAC = EVAL / "bertalign_mac_zhen" / "dev"


def load_helpers():
    spec = importlib.util.spec_from_file_location("eval_helpers", EVAL / "scripts" / "eval_helpers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_aligner(name: str):
    if name == "length":
        from mtqa.align.length import LengthAligner

        return LengthAligner()
    from mtqa.align.encoder_aligner import EncoderAligner

    return EncoderAligner()


def document(text: str, lang: str) -> Document:
    doc = Document(text, lang)
    doc.segments = segment_document(text, get_language(lang), pre_segmented=True)
    return doc


def run(name: str, scaling: int, drops: bool, perturb: bool = False) -> None:
    helpers = load_helpers()
    zh, en = get_language("zh"), get_language("en")
    aligner = make_aligner(name)
    gold_all, test_all, sentences, elapsed = [], [], 0, 0.0
    rows = []
    for gold_path in sorted((MAC / "gold").glob("*.align")):
        doc_id = gold_path.stem
        source = document((MAC / "zh" / doc_id).read_text(encoding="utf-8"), "zh")
        target = document((MAC / "en" / doc_id).read_text(encoding="utf-8"), "en")
        start = time.perf_counter()
        pairs = aligner.align(source, target, zh, en)
        took = time.perf_counter() - start
        elapsed += took
        sentences += len(source.segments) + len(target.segments)
        test = [(p.source_segments, p.target_segments) for p in pairs]
        gold = helpers.read_align(gold_path)
        score = helpers.align_prf(gold, test)
        rows.append((doc_id, len(source.segments), len(target.segments), score, took))
        gold_all += _tag(doc_id, gold)
        test_all += _tag(doc_id, test)
    pooled = helpers.align_prf(gold_all, test_all)
    print(f"aligner: {getattr(aligner, 'name', name)}")
    for doc_id, n, m, score, took in rows:
        strict, lax = score["strict"][2], score["lax"][2]
        print(f"  {doc_id}  zh {n:4d}  en {m:4d}  strict F1 {strict:.3f}  lax F1 {lax:.3f}  {took:5.1f} s")
    for kind in ("strict", "lax"):
        p, r, f = pooled[kind]
        print(f"  {kind:6s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    print(f"  speed  {sentences / elapsed:.0f} sentences/s ({sentences} sentences in {elapsed:.1f} s, "
          "model load included in the first document)")
    if drops:
        _drops(name, zh, en)
    if perturb:
        _perturb(name, helpers, zh, en)
    if scaling:
        _scaling(name, scaling, zh, en)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {peak:.0f} MB")


def _drops(name: str, zh, en) -> None:
    """Omission detection on the bundled sample: drop each target sentence that a clean 1-1 bead aligns, in
    turn, and count whether the aligner then reports its source sentence (and only it) as an omission."""
    sample = Path(__file__).resolve().parents[1] / "samples" / "liaoning-cecep"
    source_text = (sample / "source.zh.txt").read_text(encoding="utf-8")
    target_text = (sample / "translation.en.txt").read_text(encoding="utf-8")
    aligner = make_aligner(name)
    source = Document(source_text, "zh")
    source.segments = segment_document(source_text, zh)
    clean = Document(target_text, "en")
    clean.segments = segment_document(target_text, en)
    pairs = aligner.align(source, clean, zh, en)
    singles = [(p.source_segments[0], p.target_segments[0]) for p in pairs if p.kind == "1-1"]
    found = wrong = 0
    for source_id, target_id in singles:
        segment = clean.segments[target_id]
        text = target_text[: segment.start] + target_text[segment.end :]
        target = Document(text, "en")
        target.segments = segment_document(text, en)
        omitted = [p.source_segments[0] for p in aligner.align(source, target, zh, en)
                   if p.source_segments and not p.target_segments]
        found += source_id in omitted
        wrong += len([i for i in omitted if i != source_id])
    print(f"  sample drops  {found}/{len(singles)} dropped sentences reported as the right omission, "
          f"{wrong} other omissions reported")


def _perturb(name: str, helpers, zh, en) -> None:
    """Omissions and additions on a perturbed MAC copy: in every document, every 20th target sentence of a
    gold 1-1 bead (from the 11th) is removed, so its source sentence should be an omission, and after every
    25th kept target line a line of the next document is inserted, which should be an addition."""
    paths = sorted((MAC / "gold").glob("*.align"))
    texts = [((MAC / "zh" / p.stem).read_text(encoding="utf-8"),
              (MAC / "en" / p.stem).read_text(encoding="utf-8").splitlines(), helpers.read_align(p))
             for p in paths]
    keys = [f"{kind}_{x}" for kind in ("om", "ad") for x in ("found", "reported", "expected")]
    counts = dict.fromkeys(keys, 0)
    for k, (zh_text, en_lines, gold) in enumerate(texts):
        other = [line for line in texts[(k + 1) % len(texts)][1] if line.strip()]
        ones = [(s[0], t[0]) for s, t in gold if len(s) == 1 and len(t) == 1]
        dropped = {t: s for s, t in ones[10::20]}
        lines, inserted = [], set()
        for index, line in enumerate(en_lines):
            if index in dropped:
                continue
            lines.append(line)
            if len(lines) % 25 == 0:
                inserted.add(len(lines))
                lines.append(other[(len(inserted) - 1) % len(other)])
        target = document("\n".join(lines) + "\n", "en")
        pairs = make_aligner(name).align(document(zh_text, "zh"), target, zh, en)
        omitted = {p.source_segments[0] for p in pairs if p.source_segments and not p.target_segments}
        added = {p.target_segments[0] for p in pairs if p.target_segments and not p.source_segments}
        counts["om_found"] += len(omitted & set(dropped.values()))
        counts["om_reported"] += len(omitted)
        counts["om_expected"] += len(dropped)
        counts["ad_found"] += len(added & inserted)
        counts["ad_reported"] += len(added)
        counts["ad_expected"] += len(inserted)
    for kind, label in (("om", "omissions"), ("ad", "additions")):
        found, reported, expected = (counts[f"{kind}_{x}"] for x in ("found", "reported", "expected"))
        print(f"  perturbed MAC  {label}: recall {found}/{expected} = {found / max(expected, 1):.2f}, "
              f"precision {found}/{reported} = {found / max(reported, 1):.2f}")


def _tag(doc_id: str, beads) -> list:
    """Segment ids as (document, id) so that the six documents pool without their beads colliding."""
    return [(tuple((doc_id, k) for k in s), tuple((doc_id, k) for k in t)) for s, t in beads]


def _scaling(name: str, size: int, zh, en) -> None:
    """Time documents of about size/4, size/2 and size source sentences, each with a fresh aligner (so no
    embedding is reused across sizes), made by concatenating whole MAC documents (both sides stay parallel);
    repeated copies get a copy number on every line so that no sentence is a cached repeat."""
    documents = []
    for gold_path in sorted((MAC / "gold").glob("*.align")):
        documents.append(((MAC / "zh" / gold_path.stem).read_text(encoding="utf-8").splitlines(),
                          (MAC / "en" / gold_path.stem).read_text(encoding="utf-8").splitlines()))
    for fraction in (4, 2, 1):
        zh_lines, en_lines, copy = [], [], 0
        while len(zh_lines) < size // fraction:
            for zh_doc, en_doc in documents:
                if len(zh_lines) >= size // fraction:
                    break
                mark = f" [{copy}]" if copy else ""
                zh_lines += [line + mark for line in zh_doc]
                en_lines += [line + mark for line in en_doc]
            copy += 1
        source = document("\n".join(zh_lines) + "\n", "zh")
        target = document("\n".join(en_lines) + "\n", "en")
        aligner = make_aligner(name)
        start = time.perf_counter()
        aligner.align(source, target, zh, en)
        took = time.perf_counter() - start
        sentences = len(source.segments) + len(target.segments)
        parts = getattr(aligner, "last_timings", {})
        split = "".join(f", {name} {seconds:.1f} s" for name, seconds in parts.items())
        print(f"  scaling  zh {len(source.segments):5d}  en {len(target.segments):5d}  {took:6.1f} s"
              f"  ({sentences / took:.0f} sentences/s{split})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--aligner", choices=["encoder", "length"])
    parser.add_argument("--scaling", type=int, default=0, help="also time a document of this many sentences")
    parser.add_argument("--drops", action="store_true",
                        help="also measure omission detection on the bundled sample")
    parser.add_argument("--perturb", action="store_true",
                        help="also measure omissions/additions on a perturbed copy of MAC")
    args = parser.parse_args()
    if not MAC.is_dir():
        sys.exit(f"{MAC}: not found (set MTQA_EVAL to the eval folder)")
    if args.aligner:
        run(args.aligner, args.scaling, args.drops, args.perturb)
        return
    for name in ("encoder", "length"):  # separate processes so that peak RSS is per aligner
        command = [sys.executable, __file__, "--aligner", name, "--scaling", str(args.scaling)]
        command += ["--drops"] if args.drops else []
        command += ["--perturb"] if args.perturb else []
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
