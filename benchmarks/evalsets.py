"""Loading and deterministic subsampling of the public MQM sets in ``../shared/eval`` for the benchmarks.

Only benchmarks use this (never the package at run time). An *item* is one (system, document, segment)
translation with its human MQM score and error list. Human reference "systems" are left out everywhere:
mtqa scores machine translations, and the references' MQM scores are on another distribution.

Subsampling picks whole source segments (all MT systems of a segment), so per-item across-systems
correlations (WMT23 style, ``group_key=("doc", "seg_id")``) stay possible on the sample.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

EVAL_DIR = Path(os.environ.get("MTQA_EVAL_DIR", Path(__file__).resolve().parents[2] / "shared" / "eval"))
FEATURE_DIR = Path(__file__).resolve().parent / ".features"

DATASETS: dict[str, str] = {
    "wmt23_mqm_zhen": "wmt23_mqm_zhen/wmt23_zhen_news_mqm.jsonl",
    "wmt21_ted_mqm_zhen": "wmt21_ted_mqm_zhen/wmt21_ted_zhen_mqm.jsonl",
    "wmt21_news_mqm_zhen": "wmt21_news_mqm_zhen/wmt21_news_zhen_spans.jsonl",
}

# Segments per dataset in the default sample (x MT systems per segment: 10 on wmt23, 13 on wmt21).
DEFAULT_SEGMENTS: dict[str, int] = {
    "wmt23_mqm_zhen": 80,
    "wmt21_ted_mqm_zhen": 60,
    "wmt21_news_mqm_zhen": 60,
}
SAMPLE_SEED = "mtqa-calibration-1"
UNCATEGORISED = {"wmt21_news_mqm_zhen"}

_HUMAN_SYSTEM = re.compile(r"^(ref|human)", re.IGNORECASE)


def eval_helpers():
    """The shared ``eval_helpers`` module (correlations, span P/R/F1), imported from the eval folder."""
    scripts = str(EVAL_DIR / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import eval_helpers  # type: ignore[import-not-found]

    return eval_helpers


def reference_documents(path: Path, system: str = "ref.A") -> dict[str, list[tuple[str, str]]]:
    """Per document, in file order, the (source, translation) segment pairs of one system of an MQM JSONL
    file (the file is in document order): e.g. WMT21 news with its ``ref.A`` human reference."""
    docs: dict[str, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["system"] == system:
                docs.setdefault(row["doc"], []).append((row["source"], row["target"]))
    return docs


def is_human_system(system: str) -> bool:
    return bool(_HUMAN_SYSTEM.match(system))


def item_key(row: dict) -> str:
    return f"{row['system']}\t{row['doc']}\t{row['seg_id']}"


def _merge_duplicate_ratings(rows: list[dict]) -> list[dict]:
    """wmt21_news has a few (system, segment) items rated by more than one rater: one item, mean score."""
    by_key: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_key[item_key(row)].append(row)
    merged = []
    for group in by_key.values():
        first = dict(group[0])
        if len(group) > 1:
            first["mqm_score"] = statistics.mean(r["mqm_score"] for r in group)
            first["errors"] = [e for r in group for e in r["errors"]]
        merged.append(first)
    return merged


@dataclass(frozen=True)
class EvalSet:
    name: str
    items: list[dict]


def load(name: str) -> EvalSet:
    """All MT-system items of one dataset (human references removed, duplicate ratings merged)."""
    path = EVAL_DIR / DATASETS[name]
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = [r for r in rows if not is_human_system(r["system"]) and r.get("mqm_score") is not None]
    rows = _merge_duplicate_ratings(rows)
    for row in rows:
        row["key"] = item_key(row)
        row["dataset"] = name
    return EvalSet(name, rows)


def _segment_rank(doc: str, seg_id: str) -> str:
    return hashlib.sha256(f"{SAMPLE_SEED}\t{doc}\t{seg_id}".encode()).hexdigest()


def sample(evalset: EvalSet, segments: int | None = None) -> list[dict]:
    """The items of ``segments`` source segments chosen by a seeded hash (same choice on every machine);
    only segments translated by the dataset's usual number of MT systems, so groups are comparable."""
    segments = DEFAULT_SEGMENTS[evalset.name] if segments is None else segments
    by_segment: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in evalset.items:
        by_segment[(row["doc"], str(row["seg_id"]))].append(row)
    full = max(len(g) for g in by_segment.values())
    complete = [k for k, g in by_segment.items() if len(g) >= full - 1]
    chosen = sorted(complete, key=lambda k: _segment_rank(*k))[:segments]
    items = [r for k in chosen for r in sorted(by_segment[k], key=lambda r: r["system"])]
    return items


def accuracy_penalty(row: dict) -> float | None:
    """MQM penalty (≤ 0, mean over raters) from accuracy and terminology errors; None without categories."""
    return _category_penalty(row, {"omission", "addition", "mistranslation", "terminology", "untranslated"})


def fluency_penalty(row: dict) -> float | None:
    """MQM penalty (≤ 0, mean over raters) from fluency, style and locale errors; None without categories."""
    return _category_penalty(row, {"fluency"})


def _category_penalty(row: dict, classes: set[str]) -> float | None:
    errors = row["errors"]
    # wmt21_news ships spans without categories: an item without errors there says nothing per category.
    if row.get("dataset") in UNCATEGORISED or any(e.get("category") is None for e in errors):
        return None
    helpers = eval_helpers()
    raters = row.get("n_raters") or 1
    total = 0.0
    for error in errors:
        if helpers.norm_cat(error["category"]) in classes:
            total += float(error.get("weight", 1.0))
    return -total / raters
