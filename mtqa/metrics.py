"""Reference-based metrics with sacrebleu: corpus BLEU, chrF and TER with sacrebleu's own signatures, and
chrF per aligned pair.

A reference translation is a document like the others: it is segmented in the target language and aligned
to the translation with the same aligner as the source, so translation and reference need not have the same
lines. Each bead of that alignment is one sacrebleu segment (the texts of its segments joined by a space);
a bead with one side empty scores against the empty string, which is what a missing sentence costs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric

from mtqa.data import AlignedPair, Document, Report
from mtqa.errors import MtqaError
from mtqa.languages import Language, get_language

METRICS = ("bleu", "chrf", "ter")



@dataclass(frozen=True)
class CorpusScore:
    name: str  # sacrebleu's name: BLEU, chrF2, TER
    score: float
    signature: str  # sacrebleu's signature, e.g. nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0
    text: str  # sacrebleu's own one-line rendering, e.g. "BLEU = 31.20 62.1/38.0/…"


@dataclass
class ReferenceMetrics:
    reference_path: str | None
    corpus: list[CorpusScore]
    pair_chrf: dict[int, float] = field(default_factory=dict)  # report pair id → sentence chrF
    # The translation/reference segment pairs the corpus figures were computed on, in order.
    segments: list[tuple[str, str]] = field(default_factory=list)


def make_metrics(names: Sequence[str] = METRICS, target_lang: str | None = None) -> dict[str, Metric]:
    """sacrebleu metric objects, configured for the target language as sacrebleu's CLI would."""
    metrics: dict[str, Metric] = {}
    language = _language(target_lang)
    for name in names:
        key = name.lower()
        if key == "bleu":
            metrics[key] = BLEU(tokenize=language.bleu_tokenizer) if language else BLEU()
        elif key == "chrf":
            metrics[key] = CHRF()
        elif key == "ter":
            metrics[key] = TER(asian_support=language.ter_asian_support if language else False)
        else:
            raise MtqaError(f"unknown metric {name!r} (known: {', '.join(METRICS)})")
    return metrics


def _language(code: str | None) -> Language | None:
    """The target language, whose ``bleu_tokenizer`` and ``ter_asian_support`` configure the metrics;
    None (sacrebleu's defaults) for one mtqa does not know: ``mtqa score`` needs no segmenter."""
    if not code:
        return None
    try:
        return get_language(code)
    except MtqaError:
        return None


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str], names: Sequence[str] = METRICS,
                  target_lang: str | None = None) -> list[CorpusScore]:
    if len(hypotheses) != len(references):
        raise MtqaError(f"{len(hypotheses)} translation segments but {len(references)} reference segments")
    scores = []
    for metric in make_metrics(names, target_lang).values():
        result = metric.corpus_score(list(hypotheses), [list(references)])
        scores.append(CorpusScore(result.name, result.score, str(metric.get_signature()), str(result)))
    return scores


class ReferenceAligner:
    """Aligns a translation with a reference translation in the same language: the bead DP of the other
    aligners (1-1, 1-0, 0-1, 1-2, 2-1, 2-2), costed by character n-gram overlap, which two texts in one
    language share far more reliably than lengths alone.
    """

    name = "reference"
    skip_cost = 0.45  # a 1-1 bead beats two skips once the sides share ~10% of their n-grams
    merge_cost = 0.05  # a small price on 2-x beads, so 1-1 wins ties

    def align(self, source: Document, target: Document, source_language=None, target_language=None,
              glossary=None) -> list[AlignedPair]:
        from mtqa.align import make_pairs

        src = [_ngrams(s.text) for s in source.segments]
        tgt = [_ngrams(s.text) for s in target.segments]
        n, m = len(src), len(tgt)
        band = max(20, (max(n, m) + 9) // 10 + abs(n - m))
        inf = float("inf")
        cost = [[inf] * (m + 1) for _ in range(n + 1)]
        back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
        cost[0][0] = 0.0
        for i in range(n + 1):
            centre = i * m / n if n else 0
            for j in range(max(0, int(centre) - band), min(m, int(centre) + band) + 1):
                if cost[i][j] == inf:
                    continue
                for di, dj in ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)):
                    ii, jj = i + di, j + dj
                    if ii > n or jj > m:
                        continue
                    if di == 0 or dj == 0:
                        step = self.skip_cost
                    else:
                        similarity = _dice(_merge(src[i:ii]), _merge(tgt[j:jj]))
                        step = 1.0 - similarity + (self.merge_cost if di + dj > 2 else 0.0)
                    if cost[i][j] + step < cost[ii][jj]:
                        cost[ii][jj] = cost[i][j] + step
                        back[ii][jj] = (di, dj)
        if cost[n][m] == inf:  # outside the band: cannot happen with the band above, but never loop
            raise MtqaError("cannot align the reference with the translation")
        beads = []
        i, j = n, m
        while i or j:
            di, dj = back[i][j]
            beads.append((range(i - di, i), range(j - dj, j)))
            i, j = i - di, j - dj
        beads.reverse()
        return make_pairs(beads, source.segments, target.segments)


def _ngrams(text: str) -> Counter:
    normal = " ".join(text.lower().split())
    grams: Counter = Counter()
    for n in (2, 3):
        grams.update(normal[k : k + n] for k in range(len(normal) - n + 1))
    return grams


def _merge(counters: list[Counter]) -> Counter:
    if len(counters) == 1:
        return counters[0]
    total: Counter = Counter()
    for counter in counters:
        total.update(counter)
    return total


def _dice(a: Counter, b: Counter) -> float:
    size = sum(a.values()) + sum(b.values())
    if not size:
        return 0.0
    return 2.0 * sum((a & b).values()) / size


def reference_metrics(
    report: Report,
    reference_text: str,
    reference_path: str | None = None,
    *,
    aligner=None,
    pre_segmented: bool = False,
    names: Sequence[str] = METRICS,
) -> ReferenceMetrics:
    """Score ``report``'s translation against a reference translation of the same source."""
    from mtqa.languages import get_language
    from mtqa.pipeline import Prepared, align, segment

    if not reference_text.strip():
        raise MtqaError(f"{reference_path or 'reference'}: empty reference")
    language = get_language(report.target.lang)
    # The translation is the "source" of this alignment and the reference its "target": one language.
    reference = segment(reference_text, language, reference_path, pre_segmented=pre_segmented)
    beads = align(Prepared(report.target, reference, language, language), aligner or ReferenceAligner())

    hyp_segments = {s.id: s.text for s in report.target.segments}
    ref_segments = {s.id: s.text for s in reference.segments}
    segments = [
        (join_segments(hyp_segments[i] for i in bead.source_segments),
         join_segments(ref_segments[i] for i in bead.target_segments))
        for bead in beads
    ]
    corpus = corpus_scores([h for h, _ in segments], [r for _, r in segments], names, report.target.lang)
    pair_chrf = _pair_chrf(report.pairs, beads, ref_segments, hyp_segments)
    return ReferenceMetrics(reference_path, corpus, pair_chrf, segments)


def join_segments(texts) -> str:
    return " ".join(text.strip() for text in texts if text.strip())


def _pair_chrf(pairs: list[AlignedPair], beads: list[AlignedPair], ref_segments: dict[int, str],
               hyp_segments: dict[int, str]) -> dict[int, float]:
    """chrF of each source↔translation pair against the reference text aligned to its target segments."""
    bead_of = {hyp: bead for bead in beads for hyp in bead.source_segments}
    metric = CHRF()
    scores: dict[int, float] = {}
    for pair in pairs:
        if not pair.target_segments:
            continue
        ref_ids: list[int] = []
        for segment in pair.target_segments:
            bead = bead_of.get(segment)
            for ref in bead.target_segments if bead else ():
                if ref not in ref_ids:
                    ref_ids.append(ref)
        hypothesis = join_segments(hyp_segments[i] for i in pair.target_segments)
        reference = join_segments(ref_segments[i] for i in sorted(ref_ids))
        scores[pair.id] = round(metric.sentence_score(hypothesis, [reference]).score, 2)
    return scores


def reference_to_dict(metrics: ReferenceMetrics) -> dict:
    """The ``reference`` block of the JSON report (an addition to the version-1 contract)."""
    return {
        "path": metrics.reference_path,
        "corpus": [
            {"name": s.name, "score": round(s.score, 4), "signature": s.signature, "text": s.text}
            for s in metrics.corpus
        ],
        "segments": len(metrics.segments),
    }
