"""Span-tagger findings on good translations vs MT with human-marked errors, per tagger (issue 10).

    python benchmarks/spans_false_alarms.py [--segments 100] [--old-tagger PATH]

``benchmarks/false_alarms.py`` answers the model from a cache of log-probs, which holds no token hidden
states, so a tagger that reads them (span-tagger 1.2) falls back to the threshold spans there. This runs the
same TED items (``false_alarms.ted_items``: both human references, one clean and one erroneous MT output per
seeded segment) through ``mtqa.check`` with the real model, once per tagger, and prints the neural findings
per 100 words at ``--spans confident`` and ``all`` for each set (the scores of an item are computed once and
read by both settings). ``--old-tagger``: another tagger file (e.g. span-tagger 1.1 from git history) in
the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import false_alarms


class Once:
    """A scorer that scores each (source, target) once and answers again from memory."""

    name = "neural"

    def __init__(self, inner) -> None:
        self.inner = inner
        self.memo: dict = {}

    def score(self, source, target, pairs, source_language, target_language):
        key = (source.text, target.text, tuple(p.id for p in pairs))
        if key not in self.memo:
            self.memo[key] = self.inner.score(source, target, pairs, source_language, target_language)
        return self.memo[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=100)
    parser.add_argument("--old-tagger", type=Path, help="also this tagger file, in the same run")
    args = parser.parse_args()
    import mtqa
    from mtqa.score.lm import create_model
    from mtqa.score.neural import NeuralScorer
    from mtqa.score.spans import load_span_tagger

    items = false_alarms.ted_items(args.segments)
    print(f"{len(items)} items: " + ", ".join(f"{k} {v}" for k, v in Counter(i.set for i in items).items()))
    aligner = mtqa.create_aligner("auto")
    model = create_model(quiet=True)
    taggers = {"shipped": load_span_tagger()}
    if args.old_tagger:
        taggers["old"] = load_span_tagger(args.old_tagger)
    for label, tagger in taggers.items():
        started = time.perf_counter()
        inner = NeuralScorer(model, quiet=True)
        inner.tagger = tagger
        scorer = Once(inner)
        print(f"\n[{label}] {tagger.version}")
        for spans in ("confident", "all"):
            tallies = false_alarms.run(items, aligner, scorer, spans=spans)
            cells = "  ".join(f"{name} {t.rate('neural'):.2f}" for name, t in sorted(tallies.items()))
            print(f"  --spans {spans:9s} neural findings per 100 words: {cells}", flush=True)
        print(f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
