"""Deletion benchmark: target sentences deleted on purpose, and merged on purpose, in news and literary text.

    python benchmarks/deletions.py                    # model off and on (one run), both splits
    python benchmarks/deletions.py --model off        # model off only (no model loaded)
    python benchmarks/deletions.py --split test       # the reporting split only
    python benchmarks/deletions.py --dump parts.jsonl # also the per-sentence evidence of every n:1 bead

What is measured, per corpus and in total, with the alignment check only (the check that reports omissions
of whole sentences):

* **deleted sentences found**: a target sentence (or line) is deleted; it counts as found when omission
  findings cover at least half of its source's characters (the finding is at the right place);
* **false omissions per 1,000 words** on the intact texts (every omission finding there is false), and
  besides the deleted ones in the deletion trials;
* **merges**: two consecutive target sentences joined into one ("…; …"): a merge counts as a false alarm
  when an omission finding covers half of either of its two source sentences.

Corpora (``../shared/eval`` or ``$MTQA_EVAL``), split so that the omission rules are chosen on one set and
reported on another:

* dev: WMT21 news (``wmt21_news_mqm_zhen``: every document, source segments and the ``ref.A`` human
  translation, one segment per line) and MAC-Dev chapters 001–003;
* test: WMT23 news (``wmt23_mqm_zhen``: every document, paragraph segments, translated by the system with
  the best summed MQM score on that document), the bundled sample, and MAC-Dev chapters 004–006.

Which target sentence may be deleted or merged: where a gold correspondence exists, a one-to-one unit of
it (WMT21: a segment line and its reference line; MAC: a gold 1-1 bead); elsewhere (WMT23, sample) a 1-1
bead of the intact text's own alignment with a similarity of at least 0.5 (its translation is clear).
Per document and trial (seeded; one trial by default), about one unit in twelve (at least one) is
deleted, never two next to each other; merges are chosen the same way in separate trials. Model on: the
neural scorer scores the beads holding several source sentences (the only beads whose omission evidence
it adds), exactly as the full scorer would score them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalsets import reference_documents

from mtqa.data import Category
from mtqa.languages import get_language
from mtqa.pipeline import CheckOptions, check

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("MTQA_EVAL", ROOT.parent / "shared" / "eval"))
MAC = EVAL / "bertalign_mac_zhen" / "dev"
WMT21 = EVAL / "wmt21_news_mqm_zhen" / "wmt21_news_zhen_spans.jsonl"
WMT23 = EVAL / "wmt23_mqm_zhen" / "wmt23_zhen_news_mqm.jsonl"
SAMPLE = ROOT / "samples" / "liaoning-cecep"
SEED = 14
TRIALS = 1
# One deletion (or merge) per this many eligible units in a document, at least one.
EVERY = 12
# Findings must cover this share of a deleted sentence's source to be "at the right place".
COVER = 0.5
CLEAR_SIMILARITY = 0.5


@dataclass
class Unit:
    """A source range and the target range that translates it (character offsets)."""

    source: tuple[int, int]
    target: tuple[int, int]


@dataclass
class Doc:
    corpus: str
    name: str
    source: str
    target: str
    units: list[Unit] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Corpora.


def _line_ranges(text: str) -> list[tuple[int, int]]:
    ranges, offset = [], 0
    for line in text.split("\n"):
        ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def _parallel_lines(corpus: str, name: str, pairs: list[tuple[str, str]]) -> Doc:
    source = "\n".join(" ".join(s.split()) for s, _ in pairs) + "\n"
    target = "\n".join(" ".join(t.split()) for _, t in pairs) + "\n"
    src, tgt = _line_ranges(source), _line_ranges(target)
    units = [Unit(src[k], tgt[k]) for k in range(len(pairs)) if pairs[k][0].strip() and pairs[k][1].strip()]
    return Doc(corpus, name, source, target, units)


def wmt21_docs() -> list[Doc]:
    docs = reference_documents(WMT21)
    return [_parallel_lines("news-wmt21", name, pairs) for name, pairs in docs.items() if len(pairs) >= 3]


def wmt23_docs() -> list[Doc]:
    rows: dict[str, dict[str, list[dict]]] = {}
    with WMT23.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows.setdefault(row["doc"], {}).setdefault(row["system"], []).append(row)
    docs = []
    for name, systems in rows.items():
        best = max(sorted(systems), key=lambda s: sum(r["mqm_score"] for r in systems[s]))
        segments = sorted(systems[best], key=lambda r: int(r["seg_id"]))
        pairs = [(r["source"], r["target"]) for r in segments]
        doc = _parallel_lines("news-wmt23", name, pairs)
        doc.units = []  # paragraphs: units come from the intact alignment (see units_from_alignment)
        docs.append(doc)
    return docs


def sample_doc() -> Doc:
    return Doc("news-sample", "liaoning-cecep", (SAMPLE / "source.zh.txt").read_text(encoding="utf-8"),
               (SAMPLE / "translation.en.txt").read_text(encoding="utf-8"))


def mac_docs(ids: list[str]) -> list[Doc]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_helpers", EVAL / "scripts" / "eval_helpers.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    docs = []
    for doc_id in ids:
        source = (MAC / "zh" / doc_id).read_text(encoding="utf-8")
        target = (MAC / "en" / doc_id).read_text(encoding="utf-8")
        src, tgt = _line_ranges(source), _line_ranges(target)
        units = [Unit(src[s[0]], tgt[t[0]]) for s, t in helpers.read_align(MAC / "gold" / f"{doc_id}.align")
                 if len(s) == 1 and len(t) == 1]
        docs.append(Doc("literary-mac", doc_id, source, target, units))
    return docs


def corpora(split: str) -> list[Doc]:
    if split == "dev":
        return wmt21_docs() + mac_docs(["001", "002", "003"])
    return [*wmt23_docs(), sample_doc(), *mac_docs(["004", "005", "006"])]


# ---------------------------------------------------------------------------------------------------------
# Perturbations.


def choose(units: list[Unit], rng: random.Random, width: int) -> list[int]:
    """About one unit in EVERY (at least one), no two chosen within ``width`` units of each other."""
    wanted = max(1, len(units) // EVERY)
    order = list(range(len(units) - width + 1))
    rng.shuffle(order)
    chosen: list[int] = []
    for k in order:
        if len(chosen) == wanted:
            break
        if all(abs(k - c) > width for c in chosen):
            chosen.append(k)
    return sorted(chosen)


def delete(target: str, ranges: list[tuple[int, int]]) -> str:
    """Remove each target range with the line break or space after it (or the space before it)."""
    out, cursor = [], 0
    for start, end in sorted(ranges):
        if end < len(target) and target[end] in " \n":
            end += 1
        elif start > 0 and target[start - 1] == " ":
            start -= 1
        out.append(target[cursor:start])
        cursor = end
    out.append(target[cursor:])
    return "".join(out)


_LOWER_STARTS = frozenset((
    "the", "a", "an", "he", "she", "it", "they", "we", "you", "this", "that", "there", "these", "those",
    "his", "her", "its", "their", "but", "and", "so", "then", "when", "as", "in", "on", "at", "for", "after",
    "before",
))


def merge_text(first: str, second: str) -> str:
    """Two sentences as one, the way a translator joins them: '…; …', lowercasing a common first word."""
    first = re.sub(r"[.!?。！？]+([\"'”’)]*)\s*$", r"\1", first.rstrip())
    words = second.split(" ", 1)
    if words[0].lower() in _LOWER_STARTS:
        second = words[0].lower() + (" " + words[1] if len(words) > 1 else "")
    return f"{first}; {second}"


def merge(target: str, pairs: list[tuple[Unit, Unit]]) -> str:
    out, cursor = [], 0
    for first, second in sorted(pairs, key=lambda p: p[0].target):
        (a0, a1), (b0, b1) = first.target, second.target
        out.append(target[cursor:a0])
        out.append(merge_text(target[a0:a1], target[b0:b1]))
        cursor = b1
    out.append(target[cursor:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------
# Running.


class MultiSourceScorer:
    """The neural scorer on the beads with several source sentences only (the others' scores do not
    change which sentence-level omissions are reported, and scoring them would take most of the time)."""

    name = "neural-multi-source"

    def __init__(self, inner) -> None:
        self.inner = inner

    def score(self, source, target, pairs, source_language, target_language):
        chosen = [p for p in pairs if len(p.source_segments) > 1 and p.target_segments]
        return self.inner.score(source, target, chosen, source_language, target_language)


@dataclass
class Run:
    omissions: list[tuple[int, int]]  # source spans of omission findings, model on (or off without one)
    words: int
    parts: list[dict]  # evidence of each source sentence of a bead holding several (for --dump)
    skips: list[tuple[int, int]]  # source spans of 1-0 beads (for --dump)
    omissions_off: list[tuple[int, int]] = field(default_factory=list)  # the same alignment, model off


def _omission_spans(findings) -> list[tuple[int, int]]:
    return [(f.source_span.start, f.source_span.end) for f in findings
            if f.category == Category.OMISSION.value and f.source_span is not None]


def run_check(source: str, target: str, aligner, scorer) -> Run:
    """The alignment check on one text pair; with a scorer, also its findings without the scores (the
    alignment does not depend on the model, so this is exactly what a run with the model off reports)."""
    from mtqa.checks import CheckContext
    from mtqa.checks.alignment import check_alignment

    options = CheckOptions(enabled_checks={"alignment"}, fail_on=None)
    report = check(source, target, source_lang="zh", target_lang="en", aligner=aligner, scorer=scorer,
                   options=options)
    omissions = _omission_spans(report.findings)
    off = omissions
    if scorer is not None:
        context = CheckContext(report.source, report.target, get_language("zh"), get_language("en"),
                               report.pairs)
        off = _omission_spans(check_alignment(context))
    parts, skips = [], []
    for pair in report.pairs:
        if pair.source_segments and not pair.target_segments:
            skips.append((pair.source_start, pair.source_end))
        if len(pair.source_segments) < 2 or not pair.target_segments:
            continue
        pmi = report.scores[pair.id].source_segment_pmi if pair.id in report.scores else {}
        target_text = pair.target_text(report.target)
        for k, index in enumerate(pair.source_segments):
            segment = report.source.segments[index]
            parts.append({"kind": pair.kind, "start": segment.start, "end": segment.end,
                          "sims": list(pair.source_similarities or ()), "k": k,
                          "pmis": [pmi.get(i) for i in pair.source_segments],
                          "src_lens": [len("".join(report.source.segments[i].text.split()))
                                       for i in pair.source_segments],
                          "tgt_len": len("".join(target_text.split())), "bead_sim": pair.similarity,
                          "text": segment.text[:80], "target": target_text[:160]})
    return Run(omissions, report.summary.words, parts, skips, off)


def covered(span: tuple[int, int], findings: list[tuple[int, int]], text: str) -> bool:
    """Whether findings cover at least COVER of the non-space characters of ``span``."""
    start, end = span
    wanted = [i for i in range(start, end) if not text[i].isspace()]
    if not wanted:
        return False
    hit = sum(1 for i in wanted if any(a <= i < b for a, b in findings))
    return hit >= COVER * len(wanted)


def units_from_alignment(doc: Doc, aligner) -> list[Unit]:
    """Clear 1-1 beads of the intact text's alignment (for texts without a gold correspondence)."""
    from mtqa.data import Document
    from mtqa.segment import segment_document

    zh, en = get_language("zh"), get_language("en")
    source, target = Document(doc.source, "zh"), Document(doc.target, "en")
    source.segments, target.segments = segment_document(doc.source, zh), segment_document(doc.target, en)
    units = []
    for pair in aligner.align(source, target, zh, en):
        if pair.kind == "1-1" and (pair.similarity or 0.0) >= CLEAR_SIMILARITY:
            units.append(Unit((pair.source_start, pair.source_end), (pair.target_start, pair.target_end)))
    return units


@dataclass
class Tally:
    deleted: int = 0
    found: int = 0
    deletion_words: int = 0
    deletion_other: int = 0
    intact_words: int = 0
    intact_false: int = 0
    merges: int = 0
    merge_false: int = 0
    merge_words: int = 0
    merge_other: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def evaluate(doc: Doc, aligner, scorer, dump, trials: int = TRIALS) -> dict[str, Tally]:
    """Tallies by model setting: "on" (with a scorer) and "off" (the same runs without the scores)."""
    tallies = {"off": Tally()} if scorer is None else {"off": Tally(), "on": Tally()}

    def spans(result: Run, setting: str) -> list[tuple[int, int]]:
        return result.omissions_off if setting == "off" else result.omissions

    intact = run_check(doc.source, doc.target, aligner, scorer)
    for setting, tally in tallies.items():
        tally.intact_words += intact.words
        tally.intact_false += len(spans(intact, setting))
    _dump(dump, doc, "intact", intact, [], [])
    if not doc.units:
        doc.units = units_from_alignment(doc, aligner)
    if not doc.units:
        return tallies
    for trial in range(trials):
        rng = random.Random(f"{SEED}-{doc.corpus}-{doc.name}-{trial}")
        chosen = [doc.units[k] for k in choose(doc.units, rng, 1)]
        result = run_check(doc.source, delete(doc.target, [u.target for u in chosen]), aligner, scorer)
        for setting, tally in tallies.items():
            found = spans(result, setting)
            tally.deleted += len(chosen)
            tally.found += sum(covered(u.source, found, doc.source) for u in chosen)
            tally.deletion_words += result.words
            tally.deletion_other += sum(1 for f in found if not any(_overlaps(f, u.source) for u in chosen))
        _dump(dump, doc, f"deletion-{trial}", result, [u.source for u in chosen], [])
        # Merges: two consecutive units whose targets are separated by white space only.
        adjacent = [k for k in range(len(doc.units) - 1)
                    if doc.units[k + 1].target[0] > doc.units[k].target[1]
                    and not doc.target[doc.units[k].target[1]:doc.units[k + 1].target[0]].strip()]
        if adjacent:
            rng = random.Random(f"{SEED}-merge-{doc.corpus}-{doc.name}-{trial}")
            picks = [adjacent[k] for k in choose([doc.units[k] for k in adjacent], rng, 2)]
            pairs = [(doc.units[k], doc.units[k + 1]) for k in picks]
            result = run_check(doc.source, merge(doc.target, pairs), aligner, scorer)
            for setting, tally in tallies.items():
                found = spans(result, setting)
                tally.merges += len(pairs)
                tally.merge_false += sum(
                    any(covered(u.source, found, doc.source) for u in pair) for pair in pairs
                )
                tally.merge_words += result.words
                tally.merge_other += len(found)
            _dump(dump, doc, f"merge-{trial}", result, [], [(a.source, b.source) for a, b in pairs])
    return tallies


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _dump(dump, doc: Doc, trial: str, result: Run, deleted: list, merged: list) -> None:
    """One JSON line per run: what was perturbed, the 1-0 beads, and every n:1 bead's per-sentence evidence,
    so that omission rules can be compared offline on the dev split."""
    if dump is None:
        return
    for part in result.parts:
        span = (part["start"], part["end"])
        part["deleted"] = any(_overlaps(span, d) for d in deleted)
    record = {"corpus": doc.corpus, "doc": doc.name, "trial": trial, "words": result.words,
              "deleted": deleted, "merged": merged, "skips": result.skips, "parts": result.parts,
              "omissions": result.omissions}
    dump.write(json.dumps(record, ensure_ascii=False) + "\n")
    dump.flush()


def report(label: str, tally: Tally) -> None:
    def per_k(count: int, words: int) -> str:
        return f"{1000 * count / max(words, 1):.2f}"

    print(f"  {label:14s} deleted found {tally.found:4d}/{tally.deleted:<4d} = "
          f"{tally.found / max(tally.deleted, 1):6.1%}   false omissions/1k words: intact "
          f"{per_k(tally.intact_false, tally.intact_words)} "
          f"({tally.intact_false} in {tally.intact_words} words),"
          f" beside deletions {per_k(tally.deletion_other, tally.deletion_words)}   merges with a false "
          f"omission {tally.merge_false}/{tally.merges}, all omissions on merged texts "
          f"{per_k(tally.merge_other, tally.merge_words)}/1k", flush=True)


def run(split: str, model: bool, dump_path: str | None, trials: int = TRIALS,
        only: str | None = None, limit: int | None = None) -> None:
    """With the model, every text is aligned and scored once and the alignment check reports twice: with
    the scores (model on) and without them (model off: the same alignment, as a run without the model)."""
    from mtqa.align import create_aligner

    aligner = create_aligner("encoder")
    scorer = None
    if model:
        from mtqa.score import create_scorer

        scorer = MultiSourceScorer(create_scorer("neural", quiet=True))
    dump = open(dump_path, "a", encoding="utf-8") if dump_path else None  # noqa: SIM115
    started = time.perf_counter()
    totals: dict[str, dict[str, Tally]] = {}
    seen: dict[str, int] = {}
    for doc in corpora(split):
        if only and not doc.corpus.startswith(only):
            continue
        seen[doc.corpus] = seen.get(doc.corpus, 0) + 1
        if limit is not None and seen[doc.corpus] > limit:
            continue
        for setting, tally in evaluate(doc, aligner, scorer, dump, trials).items():
            totals.setdefault(setting, {}).setdefault(doc.corpus, Tally()).add(tally)
        print(f"  … {doc.corpus} {doc.name} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr,
              flush=True)
    for setting, by_corpus in totals.items():
        print(f"split {split}, model {setting} ({time.perf_counter() - started:.0f} s for the split)")
        everything = Tally()
        for corpus, tally in by_corpus.items():
            report(corpus, tally)
            everything.add(tally)
        report("all", everything)
    if dump:
        dump.close()


def _splits(value: str) -> Iterator[str]:
    yield from (["dev", "test"] if value == "both" else [value])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--model", choices=["off", "on", "both"], default="both")
    parser.add_argument("--dump", help="append per-sentence evidence of every n:1 bead to this JSONL file")
    parser.add_argument("--corpus", help="only corpora whose name starts with this (news, literary)")
    parser.add_argument("--limit", type=int, help="at most this many documents per corpus")
    parser.add_argument("--trials", type=int, default=TRIALS, help="deletion and merge trials per document")
    args = parser.parse_args()
    if not (MAC.is_dir() and WMT21.is_file() and WMT23.is_file()):
        sys.exit(f"{EVAL}: the eval folder is incomplete (set MTQA_EVAL)")
    for split in _splits(args.split):
        # "both" runs with the model once and reports model off from the same alignments.
        run(split, args.model != "off", args.dump, args.trials, args.corpus, args.limit)


if __name__ == "__main__":
    main()
