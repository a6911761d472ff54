"""Scale of text input: time and peak RSS of ``mtqa check --no-model`` on 1, 2, 4, 8 MB documents.

    python benchmarks/scale.py                 # 1, 2, 4, 8 MB (translation size), model off
    python benchmarks/scale.py --sizes 1 2     # a subset
    python benchmarks/scale.py --profile 1     # cProfile of one 1 MB run in this process (top 25)

Inputs: a zh→en document pair built from the human references of WMT21 news (``ref.A``, every segment of
every document, in document order; ``../shared/eval`` or ``$MTQA_EVAL``), repeated until the translation is
just under the wanted size (MiB: 4 MB is still accepted by the 4 MB document limit, 8 MB is refused); every
repeat gets a copy number on each line (``[3]``), so that no sentence is a cached repeat of an earlier one.
Without the eval folder the bundled sample is repeated instead. Each size runs in
its own process (the real command line: ``python -m mtqa check … --no-model -q -f json=…``), so peak RSS
(``ru_maxrss`` of that child, from ``wait4``) belongs to that run alone. Printed per size: wall time, CPU
time (user + system: less sensitive than wall time to the other processes on the 2 shared cores), peak RSS,
exit code and the number of aligned pairs in the JSON report, and the load average before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalsets import reference_documents

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("MTQA_EVAL", ROOT.parent / "shared" / "eval"))
WMT21 = EVAL / "wmt21_news_mqm_zhen" / "wmt21_news_zhen_spans.jsonl"
SAMPLE = ROOT / "samples" / "liaoning-cecep"


def base_documents() -> list[tuple[list[str], list[str]]]:
    """(source lines, target lines) per document: WMT21 news with its human reference, else the sample."""
    if WMT21.is_file():
        docs = reference_documents(WMT21)
        return [([s for s, _ in d], [t for _, t in d]) for d in docs.values()]
    source = (SAMPLE / "source.zh.txt").read_text(encoding="utf-8").splitlines()
    target = (SAMPLE / "translation.en.txt").read_text(encoding="utf-8").splitlines()
    return [(source, target)]


def build(megabytes: float, directory: Path) -> tuple[Path, Path]:
    """Write a source and translation whose translation is just under ``megabytes`` MB (MiB, UTF-8): the
    largest size that ``mtqa check`` still accepts when it equals the document limit."""
    wanted = int(megabytes * 1024 * 1024)
    documents = base_documents()
    source_lines: list[str] = []
    target_lines: list[str] = []
    size, copy = 0, 0
    while True:
        for source, target in documents:
            mark = f" [{copy}]" if copy else ""
            # A blank line between documents: paragraphs, as in a real long text.
            for source_line, target_line in [*zip(source, target, strict=True), ("", "")]:
                line = target_line + mark if target_line else ""
                if size + len(line.encode("utf-8")) + 1 > wanted:
                    return _write(directory, megabytes, source_lines, target_lines)
                source_lines.append(source_line + mark if source_line else "")
                target_lines.append(line)
                size += len(line.encode("utf-8")) + 1
        copy += 1


def _write(directory: Path, megabytes: float, source_lines: list[str], target_lines: list[str]):
    source_path = directory / f"source-{megabytes:g}mb.zh.txt"
    target_path = directory / f"translation-{megabytes:g}mb.en.txt"
    source_path.write_text("\n".join(source_lines) + "\n", encoding="utf-8")
    target_path.write_text("\n".join(target_lines) + "\n", encoding="utf-8")
    return source_path, target_path


def measure(source: Path, target: Path, report: Path, timeout: float) -> dict:
    command = [sys.executable, "-m", "mtqa", "check", str(source), str(target), "--no-model", "-q",
               "--source-lang", "zh", "--target-lang", "en", "-f", f"json={report}"]
    report.unlink(missing_ok=True)  # a refused run writes none: no stale count from the previous size
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            return {"seconds": None, "cpu": usage.ru_utime + usage.ru_stime, "rss_gb": usage.ru_maxrss / 1e6,
                    "exit": "timeout"}
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace").strip() if process.stderr else ""
    pairs = None
    if report.is_file():
        try:
            pairs = len(json.loads(report.read_text(encoding="utf-8")).get("pairs", []))
        except (ValueError, OSError):
            pairs = None
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss_gb": usage.ru_maxrss / 1e6,
            "exit": os.waitstatus_to_exitcode(status),
            "pairs": pairs, "stderr": stderr.splitlines()[-1] if stderr else ""}


def profile(megabytes: float) -> None:
    import cProfile
    import pstats

    from mtqa.align.encoder_aligner import create_aligner
    from mtqa.pipeline import check

    with tempfile.TemporaryDirectory() as tmp:
        source, target = build(megabytes, Path(tmp))
        source_text, target_text = source.read_text("utf-8"), target.read_text("utf-8")
    profiler = cProfile.Profile()
    profiler.enable()
    check(source_text, target_text, source_lang="zh", target_lang="en", aligner=create_aligner("auto"))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8], help="translation sizes, MB")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before a run is stopped")
    parser.add_argument("--profile", type=float, help="profile one run of this size (MB) instead")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    print(f"inputs: {'WMT21 news ref.A' if WMT21.is_file() else 'bundled sample'}, repeated; model off; "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for megabytes in args.sizes:
            source, target = build(megabytes, Path(tmp))
            load = os.getloadavg()[0]
            result = measure(source, target, Path(tmp) / "report.json", args.timeout)
            seconds = f"{result['seconds']:7.1f} s" if result["seconds"] is not None else "  timeout"
            seconds += f" (CPU {result['cpu']:6.1f} s)"
            print(f"  {megabytes:4g} MB  (load {load:4.1f}, source {source.stat().st_size / 1e6:5.2f} MB, "
                  f"translation "
                  f"{target.stat().st_size / 1e6:5.2f} MB)  {seconds}  peak RSS {result['rss_gb']:5.2f} GB  "
                  f"exit {result['exit']}  pairs {result.get('pairs')}"
                  + (f"  [{result['stderr']}]" if result.get("stderr") else ""), flush=True)


if __name__ == "__main__":
    main()
