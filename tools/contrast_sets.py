"""Write the contrast item sets (intact translations and their damaged copies) for ``tools/qe_states.py``.

    python tools/contrast_sets.py        # → benchmarks/.features/contrast_items.jsonl

Two sets, both seeded and both made by ``mtqa.contrast``:

* ``eval``  – WMT21 TED segments **outside** the MQM sample of the leave-one-dataset-out protocol: the
  two human references (``ref``, ``refB``) and the best MT output by MQM, each intact and damaged once
  per kind. ``benchmarks/contrast.py`` reports on these.
* ``train`` – per dataset, segments of the MQM sample: the best MT output and its damaged copies, the
  ranking pairs "intact above damaged" that training may add (only from the datasets of a fold's training
  part).

Key: ``contrast\\t<set>\\t<dataset>\\t<system>\\t<doc>\\t<seg_id>\\t<kind>`` (``intact``: the original).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from mtqa.contrast import KINDS, damage_all

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the eval-set loader (benchmark code, not the package)
import evalsets  # noqa: E402

SEED = 9
EVAL_SEGMENTS = 50
TRAIN_SEGMENTS = 30
LODO_SEGMENTS = 100  # the MQM sample of tools/qe_states.py mqm
OUTPUT = evalsets.FEATURE_DIR / "contrast_items.jsonl"
TED = "wmt21_ted_mqm_zhen"


def _rank(*parts: str) -> str:
    return hashlib.sha256("\t".join((str(SEED), *parts)).encode()).hexdigest()


def _best(rows: list[dict]) -> dict:
    return max(rows, key=lambda r: (r["mqm_score"], _rank(r["system"], r["doc"], str(r["seg_id"]))))


def _items(which: str, dataset: str, row: dict) -> list[dict]:
    base = f"contrast\t{which}\t{dataset}\t{row['system']}\t{row['doc']}\t{row['seg_id']}"
    out = [{"key": f"{base}\tintact", "source": row["source"], "target": row["target"], "kind": "intact"}]
    for d in damage_all(row["target"], seed=SEED, kinds=KINDS):
        out.append({"key": f"{base}\t{d.kind}", "source": row["source"], "target": d.text, "kind": d.kind,
                    "span": list(d.span), "removed": d.removed, "inserted": d.inserted})
    return out


def eval_items() -> list[dict]:
    with open(evalsets.EVAL_DIR / evalsets.DATASETS[TED], encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    sampled = {(r["doc"], str(r["seg_id"])) for r in evalsets.sample(evalsets.load(TED), LODO_SEGMENTS)}
    by_segment: dict[tuple, list[dict]] = {}
    for r in rows:
        by_segment.setdefault((r["doc"], str(r["seg_id"])), []).append(r)
    chosen = []
    for key in sorted(by_segment, key=lambda k: _rank(*k)):
        group = by_segment[key]
        systems = {r["system"] for r in group}
        # Outside the LODO sample, both references present, and long enough to hold a clause to drop.
        if key in sampled or not {"ref", "refB"} <= systems or len(group[0]["source"]) < 25:
            continue
        chosen.append(group)
        if len(chosen) == EVAL_SEGMENTS:
            break
    out = []
    for group in chosen:
        refs = [r for r in group if r["system"] in ("ref", "refB")]
        mt = _best([r for r in group if not evalsets.is_human_system(r["system"])])
        for row in [*refs, mt]:
            out.extend(_items("eval", TED, row))
    return out


def train_items() -> list[dict]:
    """Damaged copies of the best MT output of sampled segments, segment by segment round-robin over the
    datasets (so a run stopped early still has pairs from every dataset)."""
    per_dataset = []
    for dataset in evalsets.DATASETS:
        items = evalsets.sample(evalsets.load(dataset), LODO_SEGMENTS)
        by_segment: dict[tuple, list[dict]] = {}
        for r in items:
            by_segment.setdefault((r["doc"], str(r["seg_id"])), []).append(r)
        keys = sorted(by_segment, key=lambda k: _rank(dataset, *k))[:TRAIN_SEGMENTS]
        per_dataset.append([
            [x for x in _items("train", dataset, _best(by_segment[k])) if x["kind"] != "intact"] for k in keys
        ])
    out = []
    for k in range(TRAIN_SEGMENTS):
        for groups in per_dataset:
            if k < len(groups):
                out.extend(groups[k])
    return out


def main() -> None:
    items = eval_items() + train_items()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    from collections import Counter

    print(OUTPUT, len(items), dict(Counter((i["key"].split("\t")[1], i["kind"]) for i in items)))


if __name__ == "__main__":
    main()
