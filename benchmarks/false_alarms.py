"""False alarms on good translations: what mtqa reports on human and error-free translations.

    python benchmarks/false_alarms.py                 # model on and off, every set (≈ 10–15 min cold)
    python benchmarks/false_alarms.py --no-model      # deterministic checks only (about a minute)
    python benchmarks/false_alarms.py --show 30       # also print 30 findings (seeded pick) to read
    python benchmarks/false_alarms.py --skip-off --spans all --gold   # one spans setting; MAC-Dev
                                                      # alignment findings judged by the gold alignment

Sets (all zh→en, from ``../shared/eval``, never copied into the project):

- ``ted-ref``: the two human reference translations (``ref``, ``refB``) of WMT21 TED segments, each item
  checked as one (source, target) pair with ``mtqa.check`` at default settings, the way a user would;
- ``ted-mt-clean``: per sampled segment, one MT output with no human-marked error (MQM 0, the best score);
- ``ted-mt-errors``: per sampled segment, one MT output with a human-marked error — not a "good" set: it is
  the yardstick for the neural check's rate (the issue asks for ≥ 5× fewer neural findings on good text);
- ``mac-dev``: the six MAC-Dev chapters (published literary translations), each checked as a document
  (``mtqa check zh/NNN en/NNN``: one sentence per line, segmented and aligned by mtqa itself).

The TED sample is ``--segments`` source segments (default 100) chosen by a seeded hash, the same four
kinds of item from each segment, so the sets share their sources; the MT picks are seeded too. Default
settings throughout: encoder aligner ("auto"), no glossary, no config file, gate fails on a major finding.

The model's log-probs are cached per request in ``benchmarks/.features/false_alarms.lm.jsonl``
(gitignored): a re-run computes only the pairs whose text changed (segmentation or alignment changes), and
every rule downstream of the model (spans, severities, findings) runs live, so rule changes are measured in
minutes. The pooled hidden states are not cached: the quality head then uses its features-only variant,
which moves the pair scores (and so a pair-level finding), not the spans. Token hidden states are not
cached either, so ``--spans confident|all`` is refused when the shipped tagger reads them (span-tagger 1.2):
it would silently fall back to the threshold spans; ``benchmarks/spans_false_alarms.py`` measures it with
the real model. ``--cache PATH`` puts the cache elsewhere (a worktree of an older commit can share it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evalsets

SEED = "mtqa-false-alarms-1"
TED = "wmt21_ted_mqm_zhen/wmt21_ted_zhen_mqm.jsonl"
MAC = "bertalign_mac_zhen/dev"
DEFAULT_CACHE = evalsets.FEATURE_DIR / "false_alarms.lm.jsonl"
GOOD_SETS = ("ted-ref", "ted-mt-clean", "mac-dev")
# Targets of issue 14, on human translations.
MAX_MAJOR_PER_1000 = 1.0
MAX_MINOR_PER_100 = 1.0
MIN_NEURAL_RATIO = 5.0


@dataclass
class Item:
    set: str
    key: str
    source: str
    target: str


def _rank(*parts: str) -> str:
    return hashlib.sha256("\t".join((SEED, *parts)).encode()).hexdigest()


def ted_items(segments: int) -> list[Item]:
    """ref, refB, one clean and one erroneous MT output of each of ``segments`` seeded TED segments."""
    by_segment: dict[tuple[str, str], list[dict]] = defaultdict(list)
    with open(evalsets.EVAL_DIR / TED, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                by_segment[(row["doc"], str(row["seg_id"]))].append(row)
    usable = []
    for key, rows in by_segment.items():
        systems = {r["system"]: r for r in rows}
        clean = [r for r in rows if not evalsets.is_human_system(r["system"]) and r["mqm_score"] == 0
                 and not r["errors"]]
        wrong = [r for r in rows if not evalsets.is_human_system(r["system"]) and r["errors"]]
        if "ref" in systems and "refB" in systems and clean and wrong and rows[0]["source"].strip():
            usable.append((key, systems, clean, wrong))
    usable.sort(key=lambda u: _rank(*u[0]))
    items = []
    for (doc, seg), systems, clean, wrong in usable[:segments]:
        def pick(rows: list[dict]) -> dict:
            return min(rows, key=lambda r: _rank(doc, seg, r["system"]))  # noqa: B023 (called at once)

        tag = f"{doc}\t{seg}"
        for name in ("ref", "refB"):
            row = systems[name]
            items.append(Item("ted-ref", f"{tag}\t{name}", row["source"], row["target"]))
        row = pick(clean)
        items.append(Item("ted-mt-clean", f"{tag}\t{row['system']}", row["source"], row["target"]))
        row = pick(wrong)
        items.append(Item("ted-mt-errors", f"{tag}\t{row['system']}", row["source"], row["target"]))
    return items


def mac_items(chapters: int | None) -> list[Item]:
    folder = evalsets.EVAL_DIR / MAC
    names = sorted(p.name for p in (folder / "zh").iterdir())[:chapters]
    return [Item("mac-dev", name, (folder / "zh" / name).read_text(encoding="utf-8"),
                 (folder / "en" / name).read_text(encoding="utf-8")) for name in names]


# --------------------------------------------------------------------------------------------------------
# The model, cached per request.


class CachedModel:
    """A ``LanguageModel`` that answers from a JSONL cache of earlier answers and loads the real model only
    for requests it has not seen (the cache key is the request's pieces and scored indexes)."""

    def __init__(self, path: Path, factory: Callable[[], object], name: str) -> None:
        self.path = path
        self.factory = factory
        self._model = None
        # The real model's name: the scorer picks the span tagger trained on that model's log-probs by it.
        self.name = name
        self.requests = self.computed = 0
        self._answers: dict[str, list] = {}
        self._unigram: dict[str, list[float]] = {}
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        record = json.loads(line)
                        target = self._unigram if record["kind"] == "unigram" else self._answers
                        target[record["key"]] = record["value"]

    def model(self):
        if self._model is None:
            self._model = self.factory()
        return self._model

    @staticmethod
    def _key(*parts) -> str:
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]

    def _store(self, kind: str, key: str, value) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"kind": kind, "key": key, "value": value}) + "\n")

    def score(self, requests: Sequence, progress=None) -> list:
        from mtqa.score.lm import PieceScores

        keys = [self._key(r.pieces, r.scored) for r in requests]
        missing = list(dict.fromkeys(k for k in keys if k not in self._answers))
        self.requests += len(keys)
        if missing:
            index = {k: r for k, r in zip(keys, requests, strict=True)}
            results = self.model().score([index[k] for k in missing])
            self.computed += len(missing)
            for key, pieces in zip(missing, results, strict=True):
                value = [[p.token_ids, p.logprobs, p.offsets] for p in pieces]
                self._answers[key] = value
                self._store("request", key, value)
        if progress is not None:
            progress(len(requests))
        return [[PieceScores(ids, lps, [tuple(o) for o in offs]) for ids, lps, offs in self._answers[k]]
                for k in keys]

    def unigram_logprobs(self, token_ids: Sequence[int]) -> list[float]:
        key = self._key(list(token_ids))
        if key not in self._unigram:
            self._unigram[key] = list(self.model().unigram_logprobs(token_ids))
            self._store("unigram", key, self._unigram[key])
        return self._unigram[key]


class RecordingScorer:
    """Scores nothing (the run is the model-off run) but records the text of every pair the neural scorer
    would score, so that the model can then score them all in one batched call (one call per TED item would
    run the model on batches of two requests)."""

    name = "recording"

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def score(self, source, target, pairs, source_language, target_language) -> dict:
        self.texts.extend((p.source_text(source), p.target_text(target)) for p in pairs
                          if p.source_segments and p.target_segments)
        return {}


def prefetch(model: CachedModel, texts: list[tuple[str, str]]) -> None:
    """Fill the cache for every pair in batches of ``PREFETCH_BATCH`` pairs (a cache flush each)."""
    from mtqa.score.neural import analyse_pairs

    texts = list(dict.fromkeys(texts))
    for start in range(0, len(texts), PREFETCH_BATCH):
        analyse_pairs(model, texts[start : start + PREFETCH_BATCH], "Chinese", "English")
        print(f"  model: {min(start + PREFETCH_BATCH, len(texts))}/{len(texts)} pairs "
              f"({model.computed} requests computed)", flush=True)


PREFETCH_BATCH = 200


# --------------------------------------------------------------------------------------------------------
# Running and counting.


@dataclass
class Tally:
    items: int = 0
    words: int = 0
    beads: int = 0
    beads_with_finding: int = 0
    items_with_finding: int = 0
    passed: int = 0
    by_check: Counter = field(default_factory=Counter)  # (check, severity) → count
    findings: list[dict] = field(default_factory=list)
    pairs: list[dict] = field(default_factory=list)  # scored pairs with the model's spans (--dump-pairs)

    def rate(self, check: str | None = None, severity: str | None = None, per: float = 100.0) -> float:
        n = sum(c for (ch, sev), c in self.by_check.items()
                if (check is None or ch == check) and (severity is None or sev == severity))
        return per * n / max(self.words, 1)


def run(items: list[Item], aligner, scorer, spans: str | None = None) -> dict[str, Tally]:
    import mtqa

    settings = {"neural": {"spans": spans}} if spans else {}
    tallies: dict[str, Tally] = defaultdict(Tally)
    for item in items:
        report = mtqa.check(item.source, item.target, source_lang="zh", target_lang="en",
                            source_path=f"{item.set}:{item.key}", aligner=aligner, scorer=scorer,
                            options=mtqa.CheckOptions(check_settings=settings))
        tally = tallies[item.set]
        tally.items += 1
        tally.words += report.summary.words
        tally.passed += report.summary.passed
        tally.items_with_finding += bool(report.findings)
        tally.beads += len(report.pairs)
        tally.beads_with_finding += len({f.pair for f in report.findings if f.pair is not None})
        pairs = {p.id: p for p in report.pairs}
        for pair_id, score in report.scores.items():
            pair = pairs[pair_id]
            tally.pairs.append({
                "set": item.set, "item": item.key, "pair": pair_id, "similarity": pair.similarity,
                "adequacy": score.adequacy, "tgt_tokens": score.features.get("tgt_tokens"),
                "source": pair.source_text(report.source), "target": pair.target_text(report.target),
                "source_start": pair.source_start, "target_start": pair.target_start,
                "spans": [{"side": s.side, "start": s.start, "end": s.end, "text": s.text,
                           "category": s.category, "severity": s.severity.value, "strength": s.strength,
                           "confident": getattr(s, "confident", True)}
                          for s in score.spans],
            })
        for finding in report.findings:
            tally.by_check[(finding.check, finding.severity.value)] += 1
            pair = pairs.get(finding.pair)
            tally.findings.append({
                "set": item.set, "item": item.key, **finding.to_dict(),
                "pair_source": pair.source_text(report.source) if pair else None,
                "pair_target": pair.target_text(report.target) if pair else None,
                "similarity": pair.similarity if pair else None,
            })
    return dict(tallies)


def print_table(label: str, tallies: dict[str, Tally]) -> None:
    print(f"\n== {label}")
    for name, t in tallies.items():
        major = t.rate(severity="major", per=1000.0) + t.rate(severity="critical", per=1000.0)
        print(f"{name}: {t.items} items, {t.words} words, {t.beads} beads; "
              f"items with a finding {t.items_with_finding / t.items:.1%}, "
              f"beads with a finding {t.beads_with_finding / max(t.beads, 1):.1%}, "
              f"gate passed {t.passed}/{t.items} ({t.passed / t.items:.1%})")
        print(f"   major+critical per 1,000 words {major:.2f}   minor per 100 words "
              f"{t.rate(severity='minor'):.2f}   neural per 100 words {t.rate('neural'):.2f}")
        checks = sorted({c for c, _ in t.by_check})
        for check in checks:
            cells = "  ".join(f"{sev} {t.rate(check, sev):.3f} ({t.by_check[(check, sev)]})"
                              for sev in ("critical", "major", "minor") if t.by_check[(check, sev)])
            print(f"     {check:14s} per 100 words: {cells}")


def print_targets(tallies: dict[str, Tally]) -> None:
    print("\n== targets (model on)")
    bad = tallies.get("ted-mt-errors")
    for name in GOOD_SETS:
        t = tallies.get(name)
        if t is None:
            continue
        major = t.rate(severity="major", per=1000.0) + t.rate(severity="critical", per=1000.0)
        minor = t.rate(severity="minor")
        line = (f"{name}: major {major:.2f}/1,000 words (≤ {MAX_MAJOR_PER_1000:g}: "
                f"{'met' if major <= MAX_MAJOR_PER_1000 else 'NOT met'}), minor {minor:.2f}/100 words "
                f"(≤ {MAX_MINOR_PER_100:g}: {'met' if minor <= MAX_MINOR_PER_100 else 'NOT met'})")
        if bad is not None:
            good_rate, bad_rate = t.rate("neural"), bad.rate("neural")
            line += f"; neural {good_rate:.3f} vs {bad_rate:.3f}/100 words on MT with human-marked errors"
            if not bad_rate:
                # No neural finding on the bad side: a ratio would say nothing about telling good from bad.
                line += " (no neural findings on MT with errors: the ratio is not measurable)"
            else:
                ratio = bad_rate / good_rate if good_rate else float("inf")
                line += (f" = {ratio:.1f}× (≥ {MIN_NEURAL_RATIO:g}×: "
                         f"{'met' if ratio >= MIN_NEURAL_RATIO else 'NOT met'})")
        if name == "mac-dev":
            line += f"; gate passes {t.passed}/{t.items} chapters"
        print(line)


def show(tallies: dict[str, Tally], count: int, sets: tuple[str, ...]) -> None:
    pool = [f for name in sets if name in tallies for f in tallies[name].findings]
    pool.sort(key=lambda f: _rank(f["set"], f["item"], f["check"], f["message"],
                                  json.dumps(f["target_span"] or f["source_span"])))
    print(f"\n== {min(count, len(pool))} of {len(pool)} findings on {', '.join(sets)} (seeded pick)")
    for n, f in enumerate(pool[:count], 1):
        print(f"[{n}] {f['set']} {f['item'].replace(chr(9), ' ')} · {f['check']} {f['severity']} "
              f"{f['category']}: {f['message']}")
        print(f"     zh: {(f['pair_source'] or '').strip()[:300]}")
        print(f"     en: {(f['pair_target'] or '').strip()[:300]}")


# --------------------------------------------------------------------------------------------------------
# MAC-Dev findings against the gold sentence alignment.


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def gold_verdicts(tally: Tally) -> Counter:
    """Judge the alignment check's omissions and additions on MAC-Dev by the gold alignment: an omitted
    source line that gold aligns to target lines is a false omission, an added target line that gold
    aligns to source lines a false addition; a mismatch finding counts as "aligned as gold" when gold links
    a source line of the bead to a target line of the bead, else "misaligned" (the aligner's error). The
    chapters are one sentence per line, so a span's line is its sentence."""
    folder = evalsets.EVAL_DIR / MAC
    verdicts: Counter = Counter()
    texts: dict[str, tuple[str, str, dict[int, list[int]], dict[int, list[int]]]] = {}
    for f in tally.findings:
        if f["check"] != "alignment":
            continue
        name = f["item"]
        if name not in texts:
            z2e: dict[int, list[int]] = {}
            e2z: dict[int, list[int]] = {}
            for line in (folder / "gold" / f"{name}.align").read_text(encoding="utf-8").splitlines():
                if line.strip():
                    zh, en = (json.loads(side) for side in line.split(":"))
                    z2e.update({i: en for i in zh})
                    e2z.update({j: zh for j in en})
            texts[name] = ((folder / "zh" / name).read_text(encoding="utf-8"),
                           (folder / "en" / name).read_text(encoding="utf-8"), z2e, e2z)
        zh, en, z2e, e2z = texts[name]

        def lines(text: str, span: dict | None) -> set[int]:
            if not span:
                return set()
            last = max(span["end"] - 1, span["start"])
            return set(range(_line_of(text, span["start"]), _line_of(text, last) + 1))

        zl, el = lines(zh, f["source_span"]), lines(en, f["target_span"])
        if f["category"] == "accuracy/omission":
            translated = any(z2e.get(i) for i in zl)
            verdict = "false (gold translates it)" if translated else "true (gold: untranslated)"
        elif f["category"] == "accuracy/addition":
            sourced = any(e2z.get(j) for j in el)
            verdict = "false (gold: has a source)" if sourced else "true (gold: no source)"
        else:
            linked = any(j in el for i in zl for j in z2e.get(i, []))
            verdict = "bead as gold" if linked else "bead misaligned"
        verdicts[(f["category"].split("/")[1], f["severity"], verdict)] += 1
    return verdicts


def print_gold(tallies: dict[str, Tally], label: str) -> None:
    tally = tallies.get("mac-dev")
    if tally is None:
        return
    print(f"\n== mac-dev alignment findings against the gold alignment ({label})")
    for (kind, severity, verdict), count in sorted(gold_verdicts(tally).items()):
        print(f"   {kind:14s} {severity:6s} {verdict:28s} {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=100, help="TED source segments (4 items each)")
    parser.add_argument("--chapters", type=int, default=None, help="MAC-Dev chapters (default: all 6)")
    parser.add_argument("--no-model", action="store_true", help="deterministic checks only")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--show", type=int, default=0, help="print this many findings on good sets")
    parser.add_argument("--show-check", default=None, help="only findings of this check in --show")
    parser.add_argument("--dump", type=Path, default=None, help="write every model-on finding as JSONL")
    parser.add_argument("--dump-pairs", type=Path, default=None,
                        help="write every scored pair with its model spans and scores as JSONL")
    parser.add_argument("--spans", choices=["all", "confident", "off"], default=None,
                        help="the neural check's spans setting (default: the shipped default)")
    parser.add_argument("--gold", action="store_true",
                        help="judge mac-dev omissions/additions/mismatches by the gold sentence alignment")
    parser.add_argument("--skip-off", action="store_true",
                        help="no model-off run (the model's cache must then hold every pair already)")
    args = parser.parse_args()

    import mtqa

    started = time.perf_counter()
    items = ted_items(args.segments) + mac_items(args.chapters)
    print(f"{len(items)} items: " + ", ".join(f"{k} {v}" for k, v in Counter(i.set for i in items).items()))
    aligner = mtqa.create_aligner("auto")
    recorder = RecordingScorer()
    scorer = model = None
    if not args.no_model:
        from mtqa.score.lm import create_model
        from mtqa.score.neural import NeuralScorer

        real = create_model(quiet=True)  # loads its weights on first use only
        model = CachedModel(args.cache, lambda: real, real.name)
        scorer = NeuralScorer(model, quiet=True)
        if args.spans in ("confident", "all") and scorer.tagger is not None and scorer.tagger.needs_states:
            # The cache holds log-probs only: the tagger would silently fall back to the threshold spans.
            sys.exit(f"--spans {args.spans}: {scorer.tagger.version} reads token hidden states, which this "
                     "benchmark's model cache does not hold; use benchmarks/spans_false_alarms.py")
    off = None
    if not args.skip_off:
        off = run(items, aligner, recorder)
        print_table("model off", off)
        if args.gold:
            print_gold(off, "model off")
        print(f"({time.perf_counter() - started:.0f} s so far)")
    on = None
    if scorer is not None and model is not None:
        prefetch(model, recorder.texts)
        on = run(items, aligner, scorer, spans=args.spans)
        print_table(f"model on{f', --spans {args.spans}' if args.spans else ''}", on)
        print_targets(on)
        if args.gold:
            print_gold(on, "model on")
        print(f"(model: {model.computed} requests computed by the model, the rest answered from the cache)")
    final = on or off or {}
    if args.dump_pairs:
        with open(args.dump_pairs, "w", encoding="utf-8") as handle:
            for tally in final.values():
                for record in tally.pairs:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as handle:
            for tally in final.values():
                for f in tally.findings:
                    handle.write(json.dumps(f, ensure_ascii=False) + "\n")
    if args.show:
        if args.show_check:
            final = {k: Tally(findings=[f for f in t.findings if f["check"] == args.show_check])
                     for k, t in final.items()}
        show(final, args.show, ("ted-ref", "mac-dev"))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
