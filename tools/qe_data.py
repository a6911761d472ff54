"""Training and evaluation data of the trained heads (the quality estimate; the span tagger reuses it).

Reads the MQM sample and contrast sets extracted by ``tools/qe_states.py`` (``benchmarks/.features/``)
and joins them with the human judgments of ``../shared/eval``:

* ``Item``: one MT translation of one source segment, with its raw MQM score, the per-rater z-normalised
  MQM where raters are known, its accuracy / fluency penalties where categories are known, the scorer's
  pair features, the pooled hidden states and the per-token log-probs (``record``);
* ``load_mqm()``: the items of every dataset; ``load_contrast()``: intact/damaged contrast items.

Per-rater z-normalisation: each rater's scores over **all** MT items of the dataset (not only the sample)
give the rater's mean and spread; an item's gold is the mean of its raters' z-scores (the protocol of the
WMT QE shared tasks). wmt23 and TED carry per-rater scores; wmt21 news has one rater per row in the QE-task
TSV, with −(5·major + 1·minor) as the score.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the eval-set loader (benchmark code, not the package)
sys.path.insert(0, str(Path(__file__).resolve().parent))
import evalsets  # noqa: E402
from qe_states import decode_array, read_states  # noqa: E402

DATASETS = ("wmt21_ted_mqm_zhen", "wmt21_news_mqm_zhen", "wmt23_mqm_zhen")
SHORT = {"wmt21_ted_mqm_zhen": "ted", "wmt21_news_mqm_zhen": "news21", "wmt23_mqm_zhen": "wmt23"}


@dataclass
class Item:
    key: str
    dataset: str
    doc: str
    seg_id: str
    system: str
    source: str
    target: str
    mqm: float
    mqm_z: float | None
    accuracy: float | None  # accuracy + terminology penalty (≤ 0), None without categories
    fluency: float | None  # fluency + style penalty (≤ 0), None without categories
    features: dict[str, float]
    pooled: np.ndarray  # [4 pieces (tgt|src, src|tgt, tgt, src) × 2 layers (last, middle) × hidden]
    record: dict = field(repr=False, default_factory=dict)  # token-level log-probs and offsets

    @property
    def segment(self) -> tuple[str, str, str]:
        return (self.dataset, self.doc, self.seg_id)


def _rater_z(rows: list[tuple[str, str, float]]) -> dict[str, float]:
    """(item key, rater, score) rows → item key → mean over its raters of the rater-z-normalised score."""
    by_rater: dict[str, list[float]] = defaultdict(list)
    for _, rater, score in rows:
        by_rater[rater].append(score)
    stats = {}
    for rater, scores in by_rater.items():
        spread = statistics.pstdev(scores) if len(scores) > 1 else 0.0
        stats[rater] = (statistics.mean(scores), spread or 1.0)
    per_item: dict[str, list[float]] = defaultdict(list)
    for key, rater, score in rows:
        mean, spread = stats[rater]
        per_item[key].append((score - mean) / spread)
    return {key: statistics.mean(values) for key, values in per_item.items()}


def rater_z_scores(dataset: str) -> dict[str, float]:
    """Item key (``evalsets.item_key``) → per-rater z-normalised MQM, over every MT item of the dataset."""
    rows: list[tuple[str, str, float]] = []
    if dataset == "wmt21_news_mqm_zhen":
        path = evalsets.EVAL_DIR / "wmt21_news_mqm_zhen" / "qe23_task2_2021_zh-en_processed.tsv"
        with open(path, encoding="utf-8", newline="") as handle:
            for system, doc, seg_id, rater, _, _, _, _, severities in csv.reader(
                handle, delimiter="\t", quoting=csv.QUOTE_NONE
            ):
                if evalsets.is_human_system(system):
                    continue
                severity = severities.split()
                score = -(5.0 * severity.count("major") + 1.0 * severity.count("minor"))
                rows.append((f"{system}\t{doc}\t{seg_id}", rater, score))
    else:
        for row in evalsets.load(dataset).items:
            for rater, score in (row.get("rater_scores") or {}).items():
                rows.append((row["key"], rater, float(score)))
    return _rater_z(rows)


def record_features(record: dict) -> dict[str, float]:
    """The scorer's pair features of a cached record, plus those the package computes from the cached
    per-token log-probs (``mtqa.score.neural.coverage_features``, added with quality head 2.2 after the
    extraction): the same function the scorer runs, so training and run time agree without a new pass."""
    from mtqa.score.neural import TokenScores, coverage_features

    def side(s: dict) -> TokenScores:
        return TokenScores(s["ids"], [tuple(o) for o in s["offsets"]], s["cond"], s["uncond"])

    return {**record["features"], **coverage_features(side(record["source"]), side(record["target"]))}


def load_mqm(name: str = "mqm") -> list[Item]:
    """Every extracted MQM item (all three datasets), in extraction order."""
    states = read_states(name)
    items = []
    for dataset in DATASETS:
        z = rater_z_scores(dataset)
        for row in evalsets.load(dataset).items:
            key = f"{dataset}\t{row['key']}"
            record = states.get(key)
            if record is None:
                continue
            items.append(
                Item(
                    key=key,
                    dataset=dataset,
                    doc=row["doc"],
                    seg_id=str(row["seg_id"]),
                    system=row["system"],
                    source=row["source"],
                    target=row["target"],
                    mqm=float(row["mqm_score"]),
                    mqm_z=z.get(row["key"]),
                    accuracy=evalsets.accuracy_penalty(row),
                    fluency=evalsets.fluency_penalty(row),
                    features=record_features(record),
                    pooled=decode_array(record["pooled"]),
                    record=record,
                )
            )
    return items


@dataclass
class ContrastItem:
    key: str
    which: str  # "eval" or "train"
    dataset: str
    group: str  # system, doc, seg_id of the intact translation
    kind: str  # "intact" or a damage kind
    source: str
    target: str
    features: dict[str, float]
    pooled: np.ndarray
    record: dict = field(repr=False, default_factory=dict)


def load_contrast(name: str = "contrast") -> list[ContrastItem]:
    states = read_states(name)
    path = evalsets.FEATURE_DIR / "contrast_items.jsonl"
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            record = states.get(row["key"])
            if record is None:
                continue
            _, which, dataset, system, doc, seg_id, kind = row["key"].split("\t")
            out.append(
                ContrastItem(
                    row["key"], which, dataset, f"{system}\t{doc}\t{seg_id}", kind, row["source"],
                    row["target"], record_features(record), decode_array(record["pooled"]), record,
                )
            )
    return out


def data_signature(keys: list[str]) -> str:
    """A short SHA-256 of the sorted training keys: which items a shipped head was fitted on."""
    import hashlib

    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]
