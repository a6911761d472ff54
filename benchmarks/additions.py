"""Addition benchmark: sentences inserted on purpose into a translation, next to the deletion benchmark.

    python benchmarks/additions.py                        # both splits
    python benchmarks/additions.py --split test --corpus news
    python benchmarks/additions.py --dump evidence.jsonl  # every unaligned target sentence with its evidence

With the alignment check only (the check that reports added sentences; it does not read the model's
scores for additions, so no model is loaded):

* **inserted sentences found**: a sentence of another document of the same corpus is inserted after a
  translated unit (a line of its own in line-per-segment texts, else after the sentence in its
  paragraph); it counts as found when addition findings cover at least half of it, and as *found major*
  when a major one does (the gate fails on it);
* **additions on the intact texts** per 1,000 words, major and all (on published translations and human
  references nearly all are false: the translator's splits and connectives).

The corpora and the split are those of ``benchmarks/deletions.py`` (dev: WMT21 news ``ref.A`` and MAC-Dev
001–003; test: WMT23 news, the bundled sample, MAC-Dev 004–006). A sentence from another document is easier
to tell apart than a translator's real addition (an explanatory clause about the same story): the "found"
rates are an upper bound for those.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass

from deletions import COVER, EVAL, MAC, SEED, WMT21, WMT23, Doc, choose, corpora, units_from_alignment

from mtqa.data import Category, Severity
from mtqa.languages import get_language
from mtqa.pipeline import CheckOptions, check
from mtqa.segment import segment_document

MIN_WORDS, MAX_WORDS = 6, 40


@dataclass
class Run:
    words: int
    additions: list[tuple[int, int, str]]  # target spans and severities of addition findings
    orphans: list[dict]  # every unaligned target sentence with its evidence (for --dump)


def _addition_spans(findings) -> list[tuple[int, int, str]]:
    return [(f.target_span.start, f.target_span.end, f.severity.value) for f in findings
            if f.category == Category.ADDITION.value and f.target_span is not None]


def run_check(source: str, target: str, aligner) -> Run:
    options = CheckOptions(enabled_checks={"alignment"}, fail_on=None)
    report = check(source, target, source_lang="zh", target_lang="en", aligner=aligner, scorer=None,
                   options=options)
    orphans = []
    for pair in report.pairs:
        if pair.source_segments or not pair.target_segments:
            continue
        for index in pair.target_segments:
            segment = report.target.segments[index]
            orphans.append({"start": segment.start, "end": segment.end, "similarity": pair.similarity,
                            "text": segment.text[:100]})
    return Run(report.summary.words, _addition_spans(report.findings), orphans)


def donor_sentences(doc: Doc) -> list[str]:
    english = get_language("en")
    out = []
    for segment in segment_document(doc.target, english):
        text = " ".join(segment.text.split())
        if MIN_WORDS <= len(text.split()) <= MAX_WORDS:
            out.append(text)
    return out


def insert(target: str, places: list[int], sentences: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Insert each sentence after offset ``place`` (a line of its own at a line end, else after a space);
    returns the new text and the inserted ranges in it."""
    out, cursor, shift, spans = [], 0, 0, []
    for place, sentence in sorted(zip(places, sentences, strict=True)):
        out.append(target[cursor:place])
        glue = "\n" if place >= len(target) or target[place] == "\n" else " "
        start = place + shift + len(glue)
        out.append(glue + sentence)
        spans.append((start, start + len(sentence)))
        shift += len(glue) + len(sentence)
        cursor = place
    out.append(target[cursor:])
    return "".join(out), spans


def _covered(span: tuple[int, int], findings: list[tuple[int, int, str]], text: str,
             severities: tuple[str, ...]) -> bool:
    start, end = span
    wanted = [i for i in range(start, end) if not text[i].isspace()]
    hit = sum(1 for i in wanted if any(a <= i < b for a, b, s in findings if s in severities))
    return bool(wanted) and hit >= COVER * len(wanted)


@dataclass
class Tally:
    inserted: int = 0
    found: int = 0
    found_major: int = 0
    intact_words: int = 0
    intact_all: int = 0
    intact_major: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def evaluate(doc: Doc, donor: Doc, aligner, dump, trials: int) -> Tally:
    tally = Tally()
    intact = run_check(doc.source, doc.target, aligner)
    tally.intact_words += intact.words
    tally.intact_all += len(intact.additions)
    tally.intact_major += sum(1 for *_, severity in intact.additions if severity != Severity.MINOR.value)
    _dump(dump, doc, "intact", intact, [])
    if not doc.units:
        doc.units = units_from_alignment(doc, aligner)
    pool = donor_sentences(donor)
    if not doc.units or not pool:
        return tally
    for trial in range(trials):
        rng = random.Random(f"{SEED}-insert-{doc.corpus}-{doc.name}-{trial}")
        chosen = [doc.units[k] for k in choose(doc.units, rng, 1)]
        sentences = [rng.choice(pool) for _ in chosen]
        text, inserted = insert(doc.target, [u.target[1] for u in chosen], sentences)
        result = run_check(doc.source, text, aligner)
        found = result.additions
        tally.inserted += len(inserted)
        tally.found += sum(_covered(s, found, text, ("minor", "major", "critical")) for s in inserted)
        tally.found_major += sum(_covered(s, found, text, ("major", "critical")) for s in inserted)
        _dump(dump, doc, f"insertion-{trial}", result, inserted)
    return tally


def _dump(dump, doc: Doc, trial: str, result: Run, inserted: list[tuple[int, int]]) -> None:
    if dump is None:
        return
    for orphan in result.orphans:
        orphan["inserted"] = any(orphan["start"] < b and a < orphan["end"] for a, b in inserted)
    dump.write(json.dumps({"corpus": doc.corpus, "doc": doc.name, "trial": trial, "words": result.words,
                           "orphans": result.orphans}, ensure_ascii=False) + "\n")
    dump.flush()


def report(label: str, tally: Tally) -> None:
    def per_k(count: int) -> str:
        return f"{1000 * count / max(tally.intact_words, 1):.2f}"

    print(f"  {label:14s} inserted found {tally.found:3d}/{tally.inserted:<3d} = "
          f"{tally.found / max(tally.inserted, 1):6.1%}, as major {tally.found_major:3d} = "
          f"{tally.found_major / max(tally.inserted, 1):6.1%}   additions on intact text per 1k words: major "
          f"{per_k(tally.intact_major)} ({tally.intact_major}), all {per_k(tally.intact_all)} "
          f"({tally.intact_all} in {tally.intact_words} words)", flush=True)


def run(split: str, dump_path: str | None, trials: int, only: str | None, limit: int | None) -> None:
    from mtqa.align import create_aligner

    aligner = create_aligner("encoder")
    docs = [d for d in corpora(split) if not only or d.corpus.startswith(only)]
    if limit is not None:
        kept, seen = [], {}
        for doc in docs:
            seen[doc.corpus] = seen.get(doc.corpus, 0) + 1
            if seen[doc.corpus] <= limit:
                kept.append(doc)
        docs = kept
    dump = open(dump_path, "a", encoding="utf-8") if dump_path else None  # noqa: SIM115
    started = time.perf_counter()
    totals: dict[str, Tally] = {}
    for k, doc in enumerate(docs):
        # The donor: the next document of the same corpus (the previous one for the last).
        same = [d for d in docs if d.corpus == doc.corpus and d is not doc]
        if not same:
            continue
        later = [d for d in docs[k + 1:] if d.corpus == doc.corpus]
        donor = later[0] if later else same[0]
        totals.setdefault(doc.corpus, Tally()).add(evaluate(doc, donor, aligner, dump, trials))
        print(f"  … {doc.corpus} {doc.name} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr,
              flush=True)
    print(f"split {split} ({time.perf_counter() - started:.0f} s for the split)")
    everything = Tally()
    for corpus, tally in totals.items():
        report(corpus, tally)
        everything.add(tally)
    report("all", everything)
    if dump:
        dump.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--dump", help="append every unaligned target sentence with its evidence (JSONL)")
    parser.add_argument("--corpus", help="only corpora whose name starts with this (news, literary)")
    parser.add_argument("--limit", type=int, help="at most this many documents per corpus")
    parser.add_argument("--trials", type=int, default=1, help="insertion trials per document")
    args = parser.parse_args()
    if not (MAC.is_dir() and WMT21.is_file() and WMT23.is_file()):
        sys.exit(f"{EVAL}: the eval folder is incomplete (set MTQA_EVAL)")
    for split in (["dev", "test"] if args.split == "both" else [args.split]):
        run(split, args.dump, args.trials, args.corpus, args.limit)


if __name__ == "__main__":
    main()
