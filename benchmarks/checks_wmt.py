"""How often the deterministic checks (numbers, punctuation, untranslated, names) point where human MQM
raters marked an error, on the public WMT zh→en data in ../shared/eval/.

Every item is checked as one aligned pair (the items are paragraphs or sentences already aligned). For each
finding we report whether its span overlaps a human error span on the same side. Raters mark far from every
error (a dropped dateline, a punctuation slip), so a finding outside the human spans is not necessarily
wrong: read the dump (``--dump``) before concluding.

With ``--human`` only the human reference translations are checked (TED ``ref``/``refB``, news
``ref.A``/``ref.B``): good translations, where every finding is a false alarm to read.

    python benchmarks/checks_wmt.py numbers ../shared/eval/wmt23_mqm_zhen/wmt23_zhen_news_mqm.jsonl
    python benchmarks/checks_wmt.py numbers ../shared/eval/wmt21_ted_mqm_zhen/wmt21_ted_zhen_mqm.jsonl --human
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mtqa.align import make_pairs
from mtqa.checks import CheckContext
from mtqa.checks.names import check_names
from mtqa.checks.numbers import check_numbers
from mtqa.checks.punctuation import check_punctuation
from mtqa.checks.untranslated import check_untranslated
from mtqa.data import Document
from mtqa.languages import get_language
from mtqa.segment import segment_document

CHECKS = {
    "numbers": check_numbers,
    "punctuation": check_punctuation,
    "untranslated": check_untranslated,
    "names": check_names,
}
HUMAN_SYSTEMS = {"ref", "refA", "refB", "refC", "ref.A", "ref.B", "Human"}


def context(source_text: str, target_text: str) -> CheckContext:
    zh, en = get_language("zh"), get_language("en")
    source, target = Document(source_text, "zh"), Document(target_text, "en")
    source.segments = segment_document(source_text, zh, pre_segmented=True)
    target.segments = segment_document(target_text, en, pre_segmented=True)
    pairs = make_pairs([([0], [0])], source.segments, target.segments)
    return CheckContext(source, target, zh, en, pairs)


def overlaps(finding, errors) -> bool:
    for error in errors:
        span = finding.target_span if error["span_side"] == "target" else finding.source_span
        if span is not None and error["span_start"] < span.end and span.start < error["span_end"]:
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=sorted(CHECKS))
    parser.add_argument("data", type=Path)
    parser.add_argument("--dump", type=Path, help="write every finding with its item as JSON lines")
    parser.add_argument("--human", action="store_true", help="check the human references instead of MT")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"{args.data}: not found", file=sys.stderr)
        return 2
    items = flagged = findings = hits = 0
    seen: set[tuple] = set()
    severities: dict[str, int] = {}
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    for line in args.data.open(encoding="utf-8"):
        item = json.loads(line)
        source, target = item["source"].replace("\n", " "), item["target"].replace("\n", " ")
        if (item["system"] in HUMAN_SYSTEMS) != args.human or not source.strip() or not target.strip():
            continue
        key = (item["system"], item.get("doc"), item.get("seg_id"))
        if args.human and key in seen:
            continue  # the news set has one row per rater; a reference is checked once
        seen.add(key)
        items += 1
        found = list(CHECKS[args.check](context(source, target)))
        flagged += bool(found)
        for finding in found:
            findings += 1
            severities[finding.severity.value] = severities.get(finding.severity.value, 0) + 1
            hit = overlaps(finding, item["errors"])
            hits += hit
            if dump:
                record = {"overlaps_human": hit, "system": item["system"], "source": source, "target": target,
                          **finding.to_dict()}
                dump.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{args.check}: {items} items, {flagged} flagged, {findings} findings, "
          f"{hits} overlapping a human error span; by severity {dict(sorted(severities.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
