"""The neural scorer: adequacy, fluency and error spans of aligned pairs from a multilingual causal LM.

Two forward passes per pair give four sets of per-token log-probs (see ``mtqa.score.lm``):

* ``{src_name}: {src}\\n{tgt_name}: {tgt}`` → the target given the source, and the source alone;
* ``{tgt_name}: {tgt}\\n{src_name}: {src}`` → the source given the target, and the target alone.

Feature names (the contract with ``mtqa/score/calibration.py``; every value is a float, log-probs in nats,
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

Until ``mtqa/resources/calibration.json`` exists, adequacy/fluency/estimate come from a transparent
monotone mapping documented in ``_fallback_scores``.
"""

from __future__ import annotations

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
)
