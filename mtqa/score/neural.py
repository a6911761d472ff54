"""The neural scorer: adequacy, fluency and error spans of aligned pairs from a multilingual causal LM.

Two forward passes per pair give four sets of per-token log-probs (see ``mtqa.score.lm``):

* ``{src_name}: {src}\\n{tgt_name}: {tgt}`` → the target given the source, and the source alone;
* ``{tgt_name}: {tgt}\\n{src_name}: {src}`` → the source given the target, and the target alone.

Feature names (the contract with ``mtqa/score/quality.py``; every value is a float, log-probs in nats,
"mean" is per token of the scored text):

``tgt_lp_cond``       mean log p(target token | source prompt)
``tgt_lp_uncond``     mean log p(target token | target-language label only)
``src_lp_cond``       mean log p(source token | target prompt)
``src_lp_uncond``     mean log p(source token | source-language label only)
``pmi_fwd``           tgt_lp_cond − tgt_lp_uncond (how much the source explains the target)
``pmi_rev``           src_lp_cond − src_lp_uncond (how much the target explains the source; omissions)
``pmi_fwd_min``       lowest per-token forward PMI (target side)
``pmi_fwd_p10``       10th percentile of the per-token forward PMIs
``pmi_rev_min``       lowest per-token reverse PMI (source side)
``pmi_rev_p10``       10th percentile of the per-token reverse PMIs
``pmi_fwd_neg_sum``   sum over target tokens of min(0, token PMI): total "the source makes this less likely"
``pmi_rev_neg_sum``   the same over source tokens (reverse direction)
``tgt_lp_cond_min``   lowest per-token log p(target token | source)
``tgt_lp_cond_p10``   10th percentile of the same
``slor``              fluency, SLOR-style: mean over target tokens of (log p(token | target alone) − log
                      p_unigram(token)); the unigram log-prob is the model's own unconditional log-prob of
                      the token right after the bare target-language label, so rare names do not dominate
``tgt_tokens``        number of target tokens scored
``src_tokens``        number of source tokens scored
``tgt_chars``         target characters
``src_chars``         source characters
``len_ratio``         tgt_chars / src_chars (characters; a crude baseline)
``src_unsupported_share``  share of source tokens whose reverse PMI is below ``COVERAGE_FLOOR`` (the target
                      does not make them clearly likelier: omissions), 0 for an empty side
``tgt_unsupported_share``  the same for target tokens and the forward PMI (additions)
``pmi_rev_window_min``  lowest mean reverse PMI over any ``COVERAGE_WINDOW`` consecutive source tokens (the
                      whole side when shorter): a clause the target leaves out
``pmi_fwd_window_min``  the same over target tokens and the forward PMI: a clause the source does not explain

adequacy/fluency/estimate come from the trained quality head (``mtqa/resources/quality_head.npz``, read
by ``mtqa.score.quality``; it may also read the pooled hidden states of the scoring pass,
``PairAnalysis.pooled``); when it is missing or unreadable, from the transparent, unfitted monotone mapping
in ``fallback_scores``.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from mtqa.data import AlignedPair, Document, ModelSpan, PairScore, Severity
from mtqa.languages import Language, get_language
from mtqa.score import TextPair, register_scorer
from mtqa.score.lm import LanguageModel, PieceScores, Request, create_model

FEATURE_NAMES: tuple[str, ...] = (
    "tgt_lp_cond",
    "tgt_lp_uncond",
    "src_lp_cond",
    "src_lp_uncond",
    "pmi_fwd",
    "pmi_rev",
    "pmi_fwd_min",
    "pmi_fwd_p10",
    "pmi_rev_min",
    "pmi_rev_p10",
    "pmi_fwd_neg_sum",
    "pmi_rev_neg_sum",
    "tgt_lp_cond_min",
    "tgt_lp_cond_p10",
    "slor",
    "tgt_tokens",
    "src_tokens",
    "tgt_chars",
    "src_chars",
    "len_ratio",
    "src_unsupported_share",
    "tgt_unsupported_share",
    "pmi_rev_window_min",
    "pmi_fwd_window_min",
)

# ``PairScore.features`` key of the quality head's typical MQM-style score for a pair ranked where this one
# ranks (≤ 0, WMT weights: major −5, minor −1); absent when no trained head is installed.
MQM_PREDICTION = "mqm_pred"

# Each side of a pair is scored on its first MAX_SIDE_CHARS characters: a runaway bead (a whole page
# aligned to one line) would otherwise cost seconds and gigabytes for a verdict that is already clear.
MAX_SIDE_CHARS = 1200


@dataclass
class TokenScores:
    """Per-token log-probs of one side of a pair; ``offsets`` are character offsets into the side's text."""

    token_ids: list[int]
    offsets: list[tuple[int, int]]
    cond: list[float]  # given the other side
    uncond: list[float]  # given only the language label

    @property
    def pmi(self) -> list[float]:
        return [c - u for c, u in zip(self.cond, self.uncond, strict=True)]

    def __len__(self) -> int:
        return len(self.token_ids)


@dataclass
class PairAnalysis:
    """Everything the model said about one (source, target) text pair."""

    source: TokenScores
    target: TokenScores
    features: dict[str, float] = field(default_factory=dict)
    # Mean hidden states [tgt|src, src|tgt, tgt, src] × [last, middle] × hidden (``mtqa.score.quality``),
    # when asked for and the model can give them.
    pooled: object = None
    # (target tokens' states given the source, source tokens' states given the target), each [tokens ×
    # layers × hidden] or what ``analyse_pairs``'s ``token_states`` made of them (the scorer keeps the
    # tagger's projection), for a span tagger that reads them (``mtqa.score.spans``); None otherwise.
    token_states: object = None


def _prompt_text(text: str) -> str:
    # A newline inside a side would read as the end of the prompt's line; a space keeps every offset.
    return " " + text[:MAX_SIDE_CHARS].replace("\r", " ").replace("\n", " ").replace("\t", " ")


def pair_requests(
    source_text: str, target_text: str, source_name: str, target_name: str
) -> tuple[Request, Request]:
    """The two model requests the scorer runs for one pair (training tools extract with the same ones)."""
    src, tgt = _prompt_text(source_text), _prompt_text(target_text)
    return (
        # Source first: the target given the source, and the source alone.
        Request((f"{source_name}:", src, f"\n{target_name}:", tgt), (1, 3)),
        # Target first: the source given the target, and the target alone.
        Request((f"{target_name}:", tgt, f"\n{source_name}:", src), (1, 3)),
    )


def kept_tokens(offsets: Sequence[tuple[int, int]]) -> list[int]:
    """Positions of a scored prompt piece's tokens that score the text: not the lone leading-space token
    (it scores the prompt's layout)."""
    return [i for i, (_, end) in enumerate(offsets) if end > 1]


def _side_scores(piece: PieceScores, uncond: PieceScores) -> TokenScores:
    """Drop the lone leading-space token (``kept_tokens``) and shift offsets from the prompt piece (which
    starts with one space) back to the side's own text."""
    keep = kept_tokens(piece.offsets)
    return TokenScores(
        token_ids=[piece.token_ids[i] for i in keep],
        offsets=[(max(piece.offsets[i][0] - 1, 0), piece.offsets[i][1] - 1) for i in keep],
        cond=[piece.logprobs[i] for i in keep],
        uncond=[uncond.logprobs[i] for i in keep],
    )


def analyse_pairs(
    model: LanguageModel,
    texts: Sequence[tuple[str, str]],
    source_name: str,
    target_name: str,
    progress: Callable[[int], None] | None = None,
    *,
    pooled: bool = False,
    token_states: Callable[[str, object], object] | None = None,
) -> list[PairAnalysis]:
    """Token scores and features of (source text, target text) pairs; two model requests per pair.
    ``pooled``: also keep the pooled hidden states of the same passes, where the model can give them.
    ``token_states(side, states)``: also keep, per side, what this returns for the side's token states
    [tokens × layers × hidden] of the same passes (the target given the source, the source given the
    target), where the model can give them: ``PairAnalysis.token_states``."""
    requests = [request for source_text, target_text in texts
                for request in pair_requests(source_text, target_text, source_name, target_name)]
    states: list = [None] * len(requests)
    tokens: list = [None] * len(requests)
    if token_states is not None and hasattr(model, "score_token_states"):

        def reduce(request: int, piece: int, values: object) -> object:
            # Piece 1 of each request is the side given the other: the target in even requests.
            return token_states("target" if request % 2 == 0 else "source", values) if piece == 1 else None

        answers = model.score_token_states(requests, progress=progress, reduce=reduce)
        results = [scored for scored, _, _ in answers]
        states = [state for _, state, _ in answers] if pooled else states
        tokens = [per_piece for _, _, per_piece in answers]
    elif pooled and hasattr(model, "score_pooled"):
        answers = model.score_pooled(requests, progress=progress)
        results = [scored for scored, _ in answers]
        states = [state for _, state in answers]
    else:
        results = model.score(requests, progress=progress)
    analyses = []
    for index, (source_text, target_text) in enumerate(texts):
        src_uncond, tgt_cond = results[2 * index]
        tgt_uncond, src_cond = results[2 * index + 1]
        source = _side_scores(src_cond, src_uncond)
        target = _side_scores(tgt_cond, tgt_uncond)
        unigram = model.unigram_logprobs(target.token_ids) if len(target) else []
        features = pair_features(source, target, unigram, len(source_text), len(target_text))
        forward, backward = states[2 * index], states[2 * index + 1]
        stacked = None
        if forward is not None and backward is not None:
            import numpy as np

            # Request pieces are [source alone, target | source] and [target alone, source | target].
            stacked = np.stack([forward[1], backward[1], backward[0], forward[0]])
        kept = None
        if tokens[2 * index] is not None:
            kept = (_kept(tokens[2 * index][1], tgt_cond), _kept(tokens[2 * index + 1][1], src_cond))
        analyses.append(PairAnalysis(source, target, features, stacked, kept))
    return analyses


def _kept(values, piece: PieceScores):
    """The rows of ``values`` (one per token of ``piece``) of the tokens ``_side_scores`` keeps."""
    return values[kept_tokens(piece.offsets)]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def pair_features(
    source: TokenScores, target: TokenScores, unigram: Sequence[float], src_chars: int, tgt_chars: int
) -> dict[str, float]:
    """The features named in this module's docstring."""
    pmi_fwd, pmi_rev = target.pmi, source.pmi
    return {
        "tgt_lp_cond": _mean(target.cond),
        "tgt_lp_uncond": _mean(target.uncond),
        "src_lp_cond": _mean(source.cond),
        "src_lp_uncond": _mean(source.uncond),
        "pmi_fwd": _mean(pmi_fwd),
        "pmi_rev": _mean(pmi_rev),
        "pmi_fwd_min": min(pmi_fwd, default=0.0),
        "pmi_fwd_p10": _percentile(pmi_fwd, 0.1),
        "pmi_rev_min": min(pmi_rev, default=0.0),
        "pmi_rev_p10": _percentile(pmi_rev, 0.1),
        "pmi_fwd_neg_sum": sum(min(0.0, v) for v in pmi_fwd),
        "pmi_rev_neg_sum": sum(min(0.0, v) for v in pmi_rev),
        "tgt_lp_cond_min": min(target.cond, default=0.0),
        "tgt_lp_cond_p10": _percentile(target.cond, 0.1),
        "slor": _mean([u - g for u, g in zip(target.uncond, unigram, strict=True)]),
        "tgt_tokens": float(len(target)),
        "src_tokens": float(len(source)),
        "tgt_chars": float(tgt_chars),
        "src_chars": float(src_chars),
        "len_ratio": tgt_chars / src_chars if src_chars else 0.0,
        **coverage_features(source, target),
    }


# Coverage features (quality head 2.2, issue 9): fixed before any figure was seen, never tuned. 1 nat is the
# PMI above which the span finder already calls a token clearly supported (``SUPPORT_CEILING``; kept apart so
# that retuning the spans cannot move a trained head's inputs); 8 tokens are about a clause (4–8 Chinese
# characters or 5–6 English words).
COVERAGE_FLOOR = 1.0
COVERAGE_WINDOW = 8


def _share_below(values: Sequence[float], floor: float) -> float:
    return sum(v < floor for v in values) / len(values) if values else 0.0


def _window_min(values: Sequence[float], width: int) -> float:
    """Lowest mean over ``width`` consecutive values (the mean of all when fewer)."""
    if len(values) <= width:
        return _mean(values)
    window = sum(values[:width])
    lowest = window
    for i in range(width, len(values)):
        window += values[i] - values[i - width]
        lowest = min(lowest, window)
    return lowest / width


def coverage_features(source: TokenScores, target: TokenScores) -> dict[str, float]:
    """How much of each side the other side leaves unexplained. Shares and window means rather than sums: a
    clause dropped from a long sentence moves them about as much as from a short one (a sum grows with
    length, and the quality head must not learn length, docs/neural.md; a window minimum still drifts a
    little lower with more windows)."""
    pmi_fwd, pmi_rev = target.pmi, source.pmi
    return {
        "src_unsupported_share": _share_below(pmi_rev, COVERAGE_FLOOR),
        "tgt_unsupported_share": _share_below(pmi_fwd, COVERAGE_FLOOR),
        "pmi_rev_window_min": _window_min(pmi_rev, COVERAGE_WINDOW),
        "pmi_fwd_window_min": _window_min(pmi_fwd, COVERAGE_WINDOW),
    }


# --------------------------------------------------------------------------------------------------------
# Error spans. Each side's tokens get a "badness" in nats; the highest-scoring runs of tokens (maximal
# segments of badness minus a per-token margin, so that one bad token does not drag its neighbours in)
# become spans when their total clears a threshold. The target-side floor and threshold were chosen on
# WMT21 TED (training data: best character-level span F1 for mistranslation, ties broken towards fewer
# flags) and checked on WMT23; the rest were set by reading token scores. See docs/checks.md.

# Target side: the source makes the token less likely (negative PMI), or the token is surprising even
# given the source while the source does not support it (a mistranslated or ungrammatical word).
SURPRISE_FLOOR = 4.0  # nats of −log p(token | source) below which a token is unremarkable
# One surprising token counts at most this much: rare names and acronyms are surprising to a 270M model.
SURPRISE_CAP = 3.0
SUPPORT_CEILING = 1.0  # PMI above which the source clearly supports a token
TARGET_MARGIN = 1.0
TARGET_THRESHOLD = 3.0
# Source side (reverse direction): source tokens the target makes less likely than they are alone.
SOURCE_MARGIN = 0.6
SOURCE_THRESHOLD = 6.0  # WMT21 TED: 4.0 → 6.0 tripled the share of omission spans on a human-marked error
MAJOR_STRENGTH = 9.0  # nats: a span this strong is a major candidate, weaker ones minor
# Per category, the weakest target span worth a reviewer's time (nats), above TARGET_THRESHOLD: measured
# on WMT21 TED (training), checked on WMT23; ``benchmarks/span_rules.py`` and docs/checks.md.
MIN_TARGET_STRENGTH: dict[str, float] = {"accuracy/mistranslation": 4.0, "fluency/grammar": 3.5}


def target_badness(target: TokenScores) -> list[float]:
    values = []
    for cond, pmi in zip(target.cond, target.pmi, strict=True):
        bad = max(0.0, -pmi)
        if pmi < SUPPORT_CEILING:
            bad += min(SURPRISE_CAP, max(0.0, -cond - SURPRISE_FLOOR))
        values.append(bad)
    return values


def source_badness(source: TokenScores) -> list[float]:
    return [max(0.0, -pmi) for pmi in source.pmi]


def strongest_runs(
    badness: Sequence[float], margin: float, threshold: float, support: Sequence[float] | None = None
) -> list[tuple[int, int, float]]:
    """Non-overlapping token runs [first, end) with the largest total ``badness − margin − support``
    (support: how clearly the other side backs a token, so well-translated words split runs), each
    totalling at least ``threshold`` in raw badness; returned in token order."""
    support = support if support is not None else [0.0] * len(badness)
    scores = [b - margin - s for b, s in zip(badness, support, strict=True)]
    taken = [False] * len(scores)
    runs = []
    while True:
        best, best_range = 0.0, None
        running, start = 0.0, 0
        for i, score in enumerate(scores):
            if taken[i]:
                running, start = 0.0, i + 1
                continue
            if running <= 0.0:
                running, start = 0.0, i
            running += score
            if running > best:
                best, best_range = running, (start, i + 1)
        if best_range is None:
            break
        first, end = best_range
        # Trim tokens that add nothing at the run's edges.
        while first < end and badness[first] <= 0.0:
            first += 1
        while end > first and badness[end - 1] <= 0.0:
            end -= 1
        for i in range(best_range[0], best_range[1]):
            taken[i] = True
        total = sum(badness[first:end])
        if total < threshold:
            break
        runs.append((first, end, total))
    return sorted(runs)


_EDGE_CHARACTERS = " \t\r\n.,;:!?\"'’‘“”()[]{}，。；：！？、（）《》「」"


# Characters that join two parts of one word: "couldn't", "o’clock", "well-known", "COVID-19".
_WORD_JOINERS = "'’-‐"
# A word of a space-separated language, joiners included (the unit a span starts and ends on).
_WORD = re.compile(r"\w+(?:['’\-‐]\w+)*")


def _is_word_character(text: str, index: int) -> bool:
    """``text[index]`` belongs to a word: a letter or digit, or a joiner between two of them."""
    if not 0 <= index < len(text):
        return False
    if text[index].isalnum():
        return True
    return (
        text[index] in _WORD_JOINERS
        and 0 < index < len(text) - 1
        and text[index - 1].isalnum()
        and text[index + 1].isalnum()
    )


def _word_bounds(text: str, start: int, end: int, language: Language) -> tuple[int, int]:
    """Trim spaces and punctuation off a token range, then widen it to whole words on both sides: a
    reviewer reads "couldn't", never "couldn" (model tokens split words, and contractions and hyphenated
    words are one word). Languages written without spaces widen to their segmenter's words
    (``Language.word_spans``: 三体世界, not 体世)."""
    while start < end and text[start] in _EDGE_CHARACTERS:
        start += 1
    while end > start and text[end - 1] in _EDGE_CHARACTERS:
        end -= 1
    if start >= end:
        return start, end
    if language.word_separated:
        while _is_word_character(text, start - 1) and _is_word_character(text, start):
            start -= 1
        while _is_word_character(text, end) and _is_word_character(text, end - 1):
            end += 1
    elif language.word_spans is not None:
        for low, high in language.word_spans(text):
            if low < start < high:
                start = low
            if low < end < high:
                end = high
    return start, end


def has_content(text: str, language: Language) -> bool:
    """Whether a span holds at least one word that is not a function word of ``language``
    (``Language.function_words``: a span of only "It", "for", "that" is the model reacting to a rephrased
    sentence frame; languages without a list keep every span)."""
    words = language.function_words
    if words is None:
        return True
    if language.word_separated:
        tokens = _WORD.findall(text.lower().replace("’", "'"))
        return any(t not in words for t in tokens)
    return any(ch.isalnum() and ch not in words for ch in text)


def trim_function_words(text: str, start: int, end: int, language: Language) -> tuple[int, int]:
    """Narrow [start, end) past function words at its edges ("and new" → "new"): the span then points at
    the word a reviewer should look at. Unchanged when the span holds nothing else."""
    words = language.function_words
    if words is None or not has_content(text[start:end], language):
        return start, end
    if language.word_separated:
        pieces = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    elif language.word_spans is not None:
        # Whole words only: 都市 ("city") is not the particle 都 plus 市.
        pieces = [(max(low, start), min(high, end)) for low, high in language.word_spans(text)
                  if low < end and high > start and text[max(low, start) : min(high, end)].strip()]
    else:
        pieces = [(i, i + 1) for i in range(start, end)]

    def empty(piece: tuple[int, int]) -> bool:
        word = text[piece[0] : piece[1]]
        return word.lower().replace("’", "'") in words or not any(ch.isalnum() for ch in word)

    while pieces and empty(pieces[0]):
        pieces.pop(0)
    while pieces and empty(pieces[-1]):
        pieces.pop()
    if pieces:
        start, end = pieces[0][0], pieces[-1][1]
    return start, end


def span_bounds(text: str, start: int, end: int, language: Language) -> tuple[int, int] | None:
    """A token run's characters as a reviewer reads them: widened to whole words, None when they hold no
    content word, function words trimmed at the edges (the span tagger's runs are shaped by this)."""
    start, end = _word_bounds(text, start, end, language)
    if start >= end or not has_content(text[start:end], language):
        return None
    return trim_function_words(text, start, end, language)


def _severity(strength: float) -> Severity:
    return Severity.MAJOR if strength >= MAJOR_STRENGTH else Severity.MINOR


def _candidate_spans(
    side: TokenScores,
    badness: Sequence[float],
    margin: float,
    threshold: float,
    text: str,
    language: Language,
) -> Iterator[tuple[int, int, float, int, int]]:
    """The strongest runs of bad tokens on one side, widened to whole words, kept only when they hold a
    content word, and trimmed of function words at their edges: ``(first, end, strength, start, stop)``,
    token indices then character offsets into ``text``."""
    support = [max(0.0, v) for v in side.pmi]
    for first, end, strength in strongest_runs(badness, margin, threshold, support):
        start, stop = _word_bounds(text, side.offsets[first][0], side.offsets[end - 1][1], language)
        if start >= stop or not has_content(text[start:stop], language):
            continue
        start, stop = trim_function_words(text, start, stop, language)
        yield first, end, strength, start, stop


def find_spans(
    analysis: PairAnalysis,
    source_text: str,
    target_text: str,
    source_language: Language,
    target_language: Language,
) -> list[ModelSpan]:
    """Model-found spans with offsets into ``source_text``/``target_text``."""
    spans = []
    target = analysis.target
    for first, end, strength, start, stop in _candidate_spans(
        target, target_badness(target), TARGET_MARGIN, TARGET_THRESHOLD, target_text, target_language
    ):
        pmi = target.pmi[first:end]
        cond = target.cond[first:end]
        uncond = target.uncond[first:end]
        # Unlikely with and without the source, and not made less likely by it: reads as broken English
        # rather than as a wrong rendering of the source.
        grammar = sum(pmi) > -1.0 and _mean(uncond) < -SURPRISE_FLOOR
        category = "fluency/grammar" if grammar else "accuracy/mistranslation"
        if strength < MIN_TARGET_STRENGTH.get(category, 0.0):
            continue
        message = (
            f"the model finds this unlikely in {target_language.name} with or without the source "
            f"(mean log-prob {_mean(cond):.1f} given the source)"
            if grammar
            else f"the source does not support this wording (PMI {sum(pmi):+.1f} nats, "
            f"log-prob {_mean(cond):.1f} per token given the source)"
        )
        spans.append(
            ModelSpan("target", start, stop, target_text[start:stop], category, _severity(strength),
                      round(strength, 2), message)
        )
    source = analysis.source
    for _, _, strength, start, stop in _candidate_spans(
        source, source_badness(source), SOURCE_MARGIN, SOURCE_THRESHOLD, source_text, source_language
    ):
        spans.append(
            ModelSpan(
                "source",
                start,
                stop,
                source_text[start:stop],
                "accuracy/omission",
                _severity(strength),
                round(strength, 2),
                f"the translation does not seem to account for this (reverse PMI {-strength:+.1f} nats)",
            )
        )
    return spans


# --------------------------------------------------------------------------------------------------------
# Scores 0–100.


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


def fallback_scores(features: dict[str, float]) -> tuple[float, float, float]:
    """Adequacy, fluency and estimate when no fitted calibration is installed: a transparent monotone
    mapping, not fitted to human judgments.

    * adequacy: logistic of the weaker of the two PMIs (forward, reverse), centred at 1.0 nat per token
      (MODEL.md: real translations 1.3–2.7, mismatched pairs 0.1–0.5), slope 3;
    * fluency: logistic of the target's mean unconditional log-prob, centred at −5.5 (fluent sentences
      −3.3 to −5.4, shuffled words −7.5 to −7.8), slope 1.5;
    * estimate: the mean of the two.
    """
    adequacy = 100.0 * _logistic(3.0 * (min(features["pmi_fwd"], features["pmi_rev"]) - 1.0))
    fluency = 100.0 * _logistic(1.5 * (features["tgt_lp_uncond"] + 5.5))
    return round(adequacy, 1), round(fluency, 1), round((adequacy + fluency) / 2.0, 1)


def _quality_head():
    """The shipped trained quality head, or None while there is none (the fallback mapping is used)."""
    from mtqa.errors import MtqaError
    from mtqa.score.quality import load_quality_model

    try:
        return load_quality_model()
    except (MtqaError, OSError):
        return None


def quality_scores(features: dict[str, float], head=None, pooled=None) -> tuple[float | None, ...]:
    """Adequacy, fluency, estimate (0–100) and the predicted MQM score (≤ 0; None without a trained head).
    ``pooled``: the pair's pooled hidden states, for a head that reads them."""
    if head is not None:
        scores = head.scores(features, pooled)
        return scores.adequacy, scores.fluency, scores.estimate, scores.mqm
    return (*fallback_scores(features), None)


# --------------------------------------------------------------------------------------------------------
# The scorer.


def part_pmi(source: TokenScores, ranges: Sequence[tuple[int, int]] | None) -> dict[int, float]:
    """Mean reverse PMI per token of each character range of the source side (a sentence of a bead that
    holds several), by the range's index; ranges with no scored token (cut off by ``MAX_SIDE_CHARS``) are
    left out. A token belongs to the range holding its last character (its first may be a space)."""
    if not ranges:
        return {}
    sums: dict[int, list[float]] = {}
    for (_, end), value in zip(source.offsets, source.pmi, strict=True):
        for k, (low, high) in enumerate(ranges):
            if low <= end - 1 < high:
                sums.setdefault(k, []).append(value)
                break
    return {k: round(_mean(values), 4) for k, values in sums.items()}


class NeuralScorer:
    """``mtqa.score.Scorer`` on a ``LanguageModel``: features, 0–100 scores and spans for every pair that
    has text on both sides, in one length-sorted batch per document."""

    name = "neural"

    def __init__(
        self,
        model: LanguageModel,
        *,
        quiet: bool = False,
        use_calibration: bool = True,
        use_tagger: bool = True,
    ) -> None:
        self.model = model
        self.quiet = quiet
        # The trained quality head (the attribute keeps its old name: reports and signatures read it).
        self.calibration = _quality_head() if use_calibration else None
        # The trained span tagger (mtqa/resources/span_tagger.npz) when shipped and trained on this model's
        # log-probs (another model's are on another scale); else the threshold spans.
        self.tagger = _span_tagger(getattr(model, "name", None)) if use_tagger else None

    @property
    def calibrated(self) -> bool:
        return self.calibration is not None

    def score(
        self,
        source: Document,
        target: Document,
        pairs: Sequence[AlignedPair],
        source_language: Language,
        target_language: Language,
    ) -> dict[int, PairScore]:
        scored = [p for p in pairs if p.source_segments and p.target_segments]
        texts = [(p.source_text(source), p.target_text(target)) for p in scored]
        # Character ranges of each source segment inside its bead's source text, for beads of several.
        parts = [
            [(source.segments[k].start - p.source_start, source.segments[k].end - p.source_start)
             for k in p.source_segments] if len(p.source_segments) > 1 else None
            for p in scored
        ]
        results = self.score_texts(texts, source_language, target_language, source_parts=parts)
        out = {}
        for pair, result in zip(scored, results, strict=True):
            result.source_segment_pmi = {
                pair.source_segments[k]: value for k, value in result.source_segment_pmi.items()
            }
            for span in result.spans:
                shift = pair.source_start if span.side == "source" else pair.target_start
                span.start += shift
                span.end += shift
            out[pair.id] = result
        return out

    def score_batch(self, pairs: Sequence[TextPair]) -> list[PairScore]:
        """``mtqa.score.score_batch``: pre-segmented pairs, in order; one ``score_texts`` call (one
        length-sorted model batch) per language pair, so rows of mixed languages still share batches."""
        groups: dict[tuple[str, str], list[int]] = {}
        for index, pair in enumerate(pairs):
            groups.setdefault((pair.source_language.code, pair.target_language.code), []).append(index)
        results: list[PairScore | None] = [None] * len(pairs)
        for members in groups.values():
            first = pairs[members[0]]
            scored = self.score_texts([(pairs[i].source, pairs[i].target) for i in members],
                                      first.source_language, first.target_language)
            for index, result in zip(members, scored, strict=True):
                results[index] = result
        return results  # type: ignore[return-value]

    def score_texts(
        self,
        texts: Sequence[tuple[str, str]],
        source_language: Language,
        target_language: Language,
        source_parts: Sequence[Sequence[tuple[int, int]] | None] | None = None,
    ) -> list[PairScore]:
        """Scores of raw (source text, target text) pairs; span offsets are into each pair's own texts.

        ``source_parts``: per pair, character ranges of the source text (its sentences) whose mean reverse
        PMI goes into ``PairScore.source_segment_pmi``, keyed by the range's index."""
        if not texts:
            return []
        with _Progress(len(texts) * 2, self.quiet) as progress:
            analyses = analyse_pairs(
                self.model,
                texts,
                source_language.prompt_name or source_language.name,
                target_language.prompt_name or target_language.name,
                progress=progress.advance,
                pooled=self.calibration is not None and self.calibration.needs_states,
                # A tagger that reads token states gets their projection only (a few values a token).
                token_states=self.tagger.project_states if self.tagger and self.tagger.needs_states else None,
            )
        results = []
        for index, ((source_text, target_text), analysis) in enumerate(zip(texts, analyses, strict=True)):
            adequacy, fluency, estimate, mqm = quality_scores(
                analysis.features, self.calibration, analysis.pooled
            )
            ranges = source_parts[index] if source_parts else None
            # Not a model feature: the quality head's MQM-style score, kept beside them for reports.
            features = dict(analysis.features)
            if mqm is not None:
                features[MQM_PREDICTION] = mqm
            results.append(
                PairScore(
                    adequacy=adequacy,
                    fluency=fluency,
                    estimate=estimate,
                    features=features,
                    spans=self._spans(analysis, source_text, target_text, source_language, target_language),
                    source_segment_pmi=part_pmi(analysis.source, ranges),
                )
            )
        return results


    def _spans(self, analysis: PairAnalysis, source_text: str, target_text: str, source_language: Language,
               target_language: Language) -> list[ModelSpan]:
        """The tagger's spans at its confident floors, plus (``confident=False``, shown by ``--spans all``)
        those at its lower floors that overlap none of them; the threshold spans without a tagger."""
        if self.tagger is None or (self.tagger.needs_states and analysis.token_states is None):
            # No tagger, or one that reads token states from a model that cannot give them.
            return find_spans(analysis, source_text, target_text, source_language, target_language)
        args = (analysis, source_text, target_text, source_language, target_language)
        predictions = self.tagger.token_predictions(*args)  # once for both floors
        confident = self.tagger.decode(predictions, *args, mode="confident", shape=span_bounds)
        more = [
            replace(s, confident=False)
            for s in self.tagger.decode(predictions, *args, mode="all", shape=span_bounds)
            if not any(c.side == s.side and c.start < s.end and s.start < c.end for c in confident)
        ]
        return confident + more


def _span_tagger(model_name: str | None):
    """The shipped span tagger if it was trained on ``model_name``'s log-probs, else None (also when it is
    unreadable: a note, then threshold spans, so that a damaged resource never stops a check)."""
    from mtqa.errors import MtqaError
    from mtqa.score.spans import load_span_tagger

    try:
        tagger = load_span_tagger()
    except MtqaError as error:
        print(f"mtqa: note: {error}; using the threshold spans", file=sys.stderr)
        return None
    return tagger if tagger is not None and tagger.model == model_name else None


class _Progress:
    """A rich progress bar on stderr while a batch is scored; silent when not a terminal or quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self._bar = None
        self._task = None
        # Short batches finish before a bar would be read.
        if not quiet and sys.stderr.isatty() and total >= 16:
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=_stderr_console())
            self._task = self._bar.add_task("neural scoring", total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@register_scorer("neural")
def create_neural_scorer(
    *,
    quiet: bool = False,
    required: bool = True,
    model: LanguageModel | None = None,
    model_name: str = "gemma3-270m",
    use_calibration: bool = True,
    **model_options: object,
) -> NeuralScorer | None:
    """The neural scorer on ``model``, or on a new model from the model registry (``model_name``, loaded
    on first use). See ``mtqa.score.create_scorer`` for ``required``."""
    from mtqa.errors import ModelUnavailableError

    if model is None:
        try:
            model = create_model(model_name, quiet=quiet, **model_options)
        except ModelUnavailableError as error:
            if required:
                raise
            if not quiet:
                print(f"mtqa: note: {error}", file=sys.stderr)
            return None
    return NeuralScorer(model, quiet=quiet, use_calibration=use_calibration)


def load_scorer(*, quiet: bool = False, required: bool = True) -> NeuralScorer | None:
    """The scorer on the bundled model (``create_scorer("neural", ...)``)."""
    return create_neural_scorer(quiet=quiet, required=required)


def score_text_pairs(
    texts: Sequence[tuple[str, str]],
    source_lang: str = "zh",
    target_lang: str = "en",
    *,
    model: LanguageModel,
) -> list[PairScore]:
    """Features, scores and spans of raw (source, target) text pairs; span offsets are into each text.
    The caller holds the model (``create_model("gemma3-270m")``) so that repeated calls load it once."""
    scorer = NeuralScorer(model, quiet=True)
    return scorer.score_texts(texts, get_language(source_lang), get_language(target_lang))
