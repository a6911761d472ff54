"""``mtqa batch`` on WMT21 news pairs: throughput, peak RSS, stage split, kill-and-resume, shard scaling.

    python benchmarks/batch.py                      # 2,000 pairs, everything
    python benchmarks/batch.py --pairs 200          # a smaller corpus (a busy machine)
    python benchmarks/batch.py --pairs 200 --skip-ray --skip-shards

Printed, each with the 1-minute load average at its start (the 2 cores are shared; a busy machine slows
every figure):

- pairs/s and peak RSS of ``mtqa batch`` with the local executor, and with Ray at 1 and 2 actors, each in
  its own process (RSS: the sum over the run's process tree, sampled every 0.2 s: shared pages count once
  per process, so the Ray figures overstate);
- the per-stage time split of an in-process local run: tokenise, transformer forward, output projection and
  log-softmax (the tiled normaliser), features and spans (the rest of scoring), checks, write;
- the kill test: a run SIGKILLed at about half its shards, resumed, compared with the uninterrupted local
  run (every id once, the same estimates);
- the corpus split over 1, 2 and 4 shards run as that many concurrent processes (threads split between
  them), wall time and overhead against the single local run.

Targets (issue 12): ≥ 10 pairs/s with all model features on the 2-core machine (stretch 20), peak RSS ≤
2.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEWS = Path(os.environ.get("MTQA_EVAL_DIR", ROOT.parent / "shared" / "eval")) / "wmt21_news_mqm_zhen" / (
    "wmt21_news_zhen_spans.jsonl")


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def write_corpus(path: Path, pairs: int) -> None:
    """The first ``pairs`` distinct (system, segment) items of newstest2021 zh→en, as batch JSONL."""
    seen = set()
    with NEWS.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
        for line in source:
            row = json.loads(line)
            key = (row["system"], row["doc"], row["seg_id"])
            if key in seen:
                continue
            seen.add(key)
            out.write(json.dumps({"id": "|".join(key), "source": row["source"], "target": row["target"],
                                  "source_lang": "zh", "target_lang": "en"}, ensure_ascii=False) + "\n")
            if len(seen) == pairs:
                return
    raise SystemExit(f"{NEWS} has fewer than {pairs} items")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS and exit code of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.2)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode()[-2000:])
    return time.perf_counter() - started, peak, process.returncode


def batch_command(source: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mtqa", "batch", str(source), "-o", str(out), "-q", *extra]


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def stage_split(source: Path, work: Path, batch_size: int) -> dict[str, float]:
    """An in-process local run, with the model's own per-stage clocks (``GemmaModel.timings``)."""
    import itertools

    from mtqa.batch.inputs import open_input
    from mtqa.batch.local import batches
    from mtqa.batch.rows import BatchSettings, RowProcessor
    from mtqa.batch.shards import ShardedOutput
    from mtqa.score import create_scorer

    scorer = create_scorer("neural", quiet=True)
    model = scorer.model
    model.load()
    before = dict(model.timings)
    processor = RowProcessor(scorer, BatchSettings())
    batch_input = open_input(source)
    output = ShardedOutput(work / "split.jsonl", fingerprint=batch_input.fingerprint(),
                           signature=processor.signature, shard_rows=500, resume=False)
    started, cpu = time.perf_counter(), time.process_time()
    for chunk in batches(itertools.islice(batch_input.records(), None), batch_size):
        output.write(processor.process(chunk))
    output.finish()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    times = {name: model.timings[name] - before[name] for name in model.timings}
    model_time = sum(times.values())
    return {"tokenise": times["tokenise"], "forward": times["forward"],
            "log-softmax": times["normaliser"], "features+spans": processor.timings["score"] - model_time,
            "checks": processor.timings["checks"] + processor.timings["parse"], "write": output.write_seconds,
            "wall": wall, "cpu": cpu, "threads": float(model.threads)}


def kill_test(source: Path, reference: Path, work: Path, pairs: int, shard_rows: int) -> str:
    out = work / "killed.jsonl"
    manifest = work / "killed.jsonl.parts" / "manifest.json"
    shards_total = -(-pairs // shard_rows)
    # Batches no larger than a shard: shards are committed as batches finish, so there is a middle to kill in.
    sizes = ("--shard-size", str(shard_rows), "--batch-size", str(shard_rows))
    process = subprocess.Popen(batch_command(source, out, *sizes), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = 0
    while process.poll() is None:
        if manifest.exists():
            done = len(json.loads(manifest.read_text())["shards"])
            if done >= shards_total // 2:
                break
        time.sleep(0.1)
    if process.poll() is not None:
        return (f"the run ended (exit {process.returncode}) before half its shards were written: "
                + process.stderr.read().decode()[-500:])
    process.send_signal(signal.SIGKILL)
    process.wait()
    started = time.perf_counter()
    resumed = subprocess.run(batch_command(source, out, *sizes, "--resume"),
                             cwd=ROOT, capture_output=True, text=True)
    code = resumed.returncode
    resume_seconds = time.perf_counter() - started
    if code:
        # E.g. the code under mtqa/score/ changed between the kill and the resume (a shared working tree):
        # the signature guard refuses to mix rows of two scorers.
        return f"killed after {done}/{shards_total} shards; resume refused (exit {code}): {resumed.stderr}"
    rows, expected = read_rows(out), read_rows(reference)
    ids = [r["id"] for r in rows]
    same_ids = ids == [r["id"] for r in expected] and len(set(ids)) == len(ids)
    worst = max((abs(a["estimate"] - b["estimate"]) for a, b in zip(rows, expected, strict=True)
                 if a["estimate"] is not None and b["estimate"] is not None), default=0.0)
    same_signature = {r["signature"] for r in rows} == {r["signature"] for r in expected}
    return (f"killed after {done}/{shards_total} shards; resume exit {code} in {resume_seconds:.1f} s; "
            f"same signature as the uninterrupted run: {same_signature}; "
            f"{len(rows)} rows, every id once and in order: {same_ids}; largest estimate difference vs the "
            f"uninterrupted run: {worst:.2g}")


def shard_table(source: Path, work: Path, pairs: int, local_seconds: float) -> list[str]:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    table = ["| shards | processes × threads | wall s | pairs/s | vs local run | load |",
             "|---|---|---|---|---|---|"]
    for shards in (1, 2, 4):
        load = load_average()
        size = -(-len(lines) // shards)
        threads = max(1, 2 // shards)
        processes = []
        started = time.perf_counter()
        for k in range(shards):
            part = work / f"part{shards}-{k}.jsonl"
            part.write_text("".join(lines[k * size:(k + 1) * size]), encoding="utf-8")
            processes.append(subprocess.Popen(batch_command(part, work / f"out{shards}-{k}.jsonl"), cwd=ROOT,
                                              env={**os.environ, "MTQA_THREADS": str(threads)}))
        for process in processes:
            process.wait()
        wall = time.perf_counter() - started
        table.append(f"| {shards} | {shards} × {threads} | {wall:.1f} | {pairs / wall:.2f} | "
                     f"{(wall / local_seconds - 1) * 100:+.0f} % | {load} |")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-shards", action="store_true")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--skip-split", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mtqa-batch-bench-") as directory:
        work = Path(directory)
        source = work / "news.jsonl"
        write_corpus(source, args.pairs)
        print(f"{args.pairs} WMT21 news pairs (zh→en), batch size {args.batch_size}, {os.cpu_count()} CPUs")
        print("| run | wall s | pairs/s | peak RSS GB | load (1 min) |\n|---|---|---|---|---|")
        local = work / "local.jsonl"
        runs = [("local", local, ())]
        if not args.skip_ray:
            runs += [(f"ray, {n} actor{'s' if n > 1 else ''}", work / f"ray{n}.jsonl",
                      ("--executor", "ray", "--workers", str(n), "--threads", str(max(1, 2 // n))))
                     for n in (1, 2)]
        seconds = {}
        for name, out, extra in runs:
            load = load_average()
            wall, peak, code = run_measured(batch_command(source, out, "--batch-size", str(args.batch_size),
                                                          *extra), env={"RAY_ADDRESS": ""})
            seconds[name] = wall
            print(f"| {name} | {wall:.1f} | {args.pairs / wall:.2f} | {peak / 1e9:.2f} | {load} |"
                  + ("" if code == 0 else f" exit {code}"), flush=True)
        for name, out, _ in runs[1:]:
            if out.exists():
                worst = max(abs(a["estimate"] - b["estimate"]) for a, b in
                            zip(read_rows(out), read_rows(local), strict=True) if a["estimate"] is not None)
                print(f"{name}: largest |estimate − local estimate| = {worst:.2g}")
        if not args.skip_split:
            load = load_average()
            split = stage_split(source, work, args.batch_size)
            wall, cpu, threads = split.pop("wall"), split.pop("cpu"), int(split.pop("threads"))
            print(f"\nstage split, in-process local run ({wall:.1f} s, {args.pairs / wall:.2f} pairs/s, "
                  f"{cpu:.1f} CPU-s on {threads} thread{'s' if threads > 1 else ''}, load {load}):")
            for name, value in split.items():
                print(f"  {name:15s} {value:7.1f} s  {100 * value / wall:5.1f} %")
        if not args.skip_kill:
            load = load_average()
            print(f"\nkill test (load {load}): "
                  + kill_test(source, local, work, args.pairs, max(10, args.pairs // 10)))
        if not args.skip_shards:
            print("\nshards run as concurrent processes on this machine:")
            print("\n".join(shard_table(source, work, args.pairs, seconds["local"])))


if __name__ == "__main__":
    main()
