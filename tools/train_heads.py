"""Train every shipped head in one seeded, reproducible command: the quality head, then the span tagger.

    python tools/train_heads.py              # writes mtqa/resources/quality_head.npz and span_tagger.npz
    python tools/train_heads.py --dry-run    # the same, writes nothing
    python tools/train_heads.py --spans-only # the span tagger alone (tools/train_spans.py)

Both read the same extracted data (``tools/qe_data.py``: ``benchmarks/.features/mqm.states.jsonl`` and the
contrast sets) and use the same seed; each records the signature of the items it was fitted on. The span
tagger also reads the per-token hidden states of the same items (``tools/qe_tokstates.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--spans-only", action="store_true")
    args = parser.parse_args()
    if not args.spans_only:
        import train_quality

        # train_quality reads its own flags: hand it only the ones that mean the same there.
        sys.argv = [sys.argv[0], *(["--dry-run"] if args.dry_run else [])]
        train_quality.main()
    import train_spans

    train_spans.run(dry_run=args.dry_run)


if __name__ == "__main__":
    main()
