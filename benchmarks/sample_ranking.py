"""Where the bundled sample's pairs rank by the quality estimate, and whether length drives the ranking.

    python benchmarks/sample_ranking.py            # runs `mtqa check … -f json` on samples/liaoning-cecep

Prints each scored pair's rank (1 = lowest) by estimate and by adequacy with its target length, marks the
pair holding "resolutely avoided polluting economic growth" / "effectively promoted the beautiful Liaoning
Construction has achieved" (issue 9: it must be in the lowest quarter by both), and the Spearman
correlation of each score with the target length over the pairs (strongly negative would mean "long = bad").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metrics

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "liaoning-cecep"
MARKERS = ("polluting economic growth", "Liaoning Construction has achieved")


def main() -> None:
    command = ["mtqa", "check", str(SAMPLE / "source.zh.txt"), str(SAMPLE / "translation.en.txt"),
               "--glossary", str(SAMPLE / "glossary.tsv"), "-f", "json", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"mtqa check failed ({done.returncode}): {done.stderr.strip()}")
    report = json.loads(done.stdout)
    pairs = [p for p in report["pairs"] if p.get("estimate") is not None]
    n = len(pairs)
    rank = {}
    for key in ("estimate", "adequacy", "fluency"):
        order = sorted(pairs, key=lambda p, k=key: p[k])
        rank[key] = {p["id"]: order.index(p) + 1 for p in pairs}
    print(f"{n} scored pairs; lowest quarter = ranks 1–{n // 4}")
    header = ("pair", "est", "rank", "adeq", "rank", "flu", "chars")
    print("  " + " ".join(f"{h:>5s}" for h in header) + "  target")
    for p in sorted(pairs, key=lambda p: p["estimate"]):
        mark = "  <-- issue 9 pair" if all(m in p["target_text"] for m in MARKERS) else ""
        print(f"  {p['id']:5d} {p['estimate']:5.1f} {rank['estimate'][p['id']]:5d} {p['adequacy']:5.1f} "
              f"{rank['adequacy'][p['id']]:5d} {p['fluency']:5.1f} {len(p['target_text']):5d}  "
              f"{p['target_text'][:60]!r}{mark}")
    length = [len(p["target_text"]) for p in pairs]
    for key in ("estimate", "adequacy", "fluency"):
        print(f"  Spearman({key}, target length) = {metrics.spearman([p[key] for p in pairs], length):+.3f}")


if __name__ == "__main__":
    main()
