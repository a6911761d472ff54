"""Speed and memory of the neural layer, against the targets of issue 3.

    python benchmarks/speed.py                 # everything, including a fresh GGUF → torch preparation
    python benchmarks/speed.py --skip-prepare  # use the prepared cache (mtqa model prepare) only
    python benchmarks/speed.py --pairs 200 --threads 1 2

Every measurement runs in its own Python process, so that load times are cold-process figures and peak
RSS (``ru_maxrss``) belongs to that step alone. Printed: prepare time and peak RSS, cached load time,
pairs/s with all features and spans (the bundled sample's aligned pairs, and WMT23 segments when
``../shared/eval`` is present), the bundled sample end to end in a new process (cold: model load
included) and again in the same process (warm), ``mtqa check`` on the sample from the command line,
and the machine's load average, because the 2 cores
are shared and a busy machine slows every figure.

Targets (issue 3): ≥ 10 aligned pairs/s (stretch 20), peak RSS ≤ 2.5 GB, sample end to end ≤ 6 s warm
and ≤ 12 s from a prepared cache in a new process.
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

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "liaoning-cecep"
WMT23 = Path(os.environ.get("MTQA_EVAL_DIR", ROOT.parent / "shared" / "eval")) / "wmt23_mqm_zhen" / (
    "wmt23_zhen_news_mqm.jsonl"
)


# ------------------------------------------------------------------------------------------------------
# Workers (each runs in a fresh process and prints one JSON line).


def _rss_gb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 3)


def worker_prepare(cache: str) -> dict:
    from mtqa.score.lm.prepare import prepare

    started = time.perf_counter()
    prepare(Path(cache), force=True, quiet=True)
    return {"prepare_s": round(time.perf_counter() - started, 1), "peak_rss_gb": _rss_gb()}


def worker_load(threads: int | None) -> dict:
    started = time.perf_counter()
    from mtqa.score.lm import create_model

    model = create_model(threads=threads, quiet=True)
    model.load()
    return {"load_s": round(time.perf_counter() - started, 2), "threads": model.threads,
            "peak_rss_gb": _rss_gb()}


def sample_pairs() -> list[tuple[str, str]]:
    import mtqa

    report = mtqa.check((SAMPLE / "source.zh.txt").read_text(encoding="utf-8"),
                        (SAMPLE / "translation.en.txt").read_text(encoding="utf-8"))
    return [(p.source_text(report.source), p.target_text(report.target))
            for p in report.pairs if p.source_segments and p.target_segments]


def wmt_pairs(count: int) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in WMT23.open(encoding="utf-8")]
    rows = [r for r in rows if not r["system"].lower().startswith(("ref", "human"))]
    step = max(1, len(rows) // count)
    return [(r["source"], r["target"]) for r in rows[::step][:count]]


def worker_throughput(which: str, count: int, threads: int | None) -> dict:
    from mtqa.score.lm import create_model
    from mtqa.score.neural import score_text_pairs

    pairs = sample_pairs() if which == "sample" else wmt_pairs(count)
    model = create_model(threads=threads, quiet=True)
    model.load()
    threads = model.threads
    score_text_pairs(pairs[:2], model=model)  # first-call allocations out of the timing
    wall, cpu = time.perf_counter(), time.process_time()
    results = score_text_pairs(pairs, model=model)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "set": which,
        "pairs": len(pairs),
        "chars": sum(len(s) + len(t) for s, t in pairs),
        "threads": threads,
        "seconds": round(wall, 2),
        "pairs_per_s": round(len(pairs) / wall, 2),
        "cpu_seconds": round(cpu, 2),
        "spans": sum(len(r.spans) for r in results),
        "peak_rss_gb": _rss_gb(),
    }


def worker_end_to_end(threads: int | None) -> dict:
    started = time.perf_counter()
    import mtqa
    from mtqa.score.lm import create_model

    source = (SAMPLE / "source.zh.txt").read_text(encoding="utf-8")
    target = (SAMPLE / "translation.en.txt").read_text(encoding="utf-8")
    glossary = mtqa.load_glossary(str(SAMPLE / "glossary.tsv"))
    scorer = mtqa.create_scorer("neural", model=create_model(threads=threads, quiet=True), quiet=True)
    report = mtqa.check(source, target, glossary=glossary, scorer=scorer)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    report = mtqa.check(source, target, glossary=glossary, scorer=scorer)
    warm = time.perf_counter() - started
    return {
        "cold_s": round(cold, 2),
        "warm_s": round(warm, 2),
        "scored_pairs": len(report.scores),
        "peak_rss_gb": _rss_gb(),
    }


def worker_cli(threads: int | None) -> dict:
    """``mtqa check`` on the sample as a user runs it: a new interpreter, model included."""
    import resource

    command = [sys.executable, "-m", "mtqa", "check", str(SAMPLE / "source.zh.txt"),
               str(SAMPLE / "translation.en.txt"), "-g", str(SAMPLE / "glossary.tsv"), "-f", "json"]
    env = {**os.environ, **({"MTQA_THREADS": str(threads)} if threads else {})}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the quality gate failed, which the sample does
        raise SystemExit(f"mtqa check failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(children.ru_utime + children.ru_stime, 2),
        "pairs_with_adequacy": sum(1 for p in report.get("pairs", []) if p.get("adequacy") is not None),
        "peak_rss_gb": round(children.ru_maxrss / 1e6, 3),
    }


WORKERS = {
    "prepare": lambda a: worker_prepare(a.cache),
    "load": lambda a: worker_load(a.threads_one),
    "throughput": lambda a: worker_throughput(a.set, a.pairs, a.threads_one),
    "e2e": lambda a: worker_end_to_end(a.threads_one),
    "cli": lambda a: worker_cli(a.threads_one),
}


# ------------------------------------------------------------------------------------------------------
# Driver.


def run_worker(step: str, *extra: str, env: dict | None = None) -> dict:
    command = [sys.executable, __file__, "--worker", step, *extra]
    before = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_avg_before"] = round(before, 2)
    result["load_avg_after"] = round(os.getloadavg()[0], 2)
    return result


def show(title: str, result: dict) -> None:
    print(f"{title:34} {json.dumps(result)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-prepare", action="store_true", help="do not time a fresh preparation")
    parser.add_argument("--pairs", type=int, default=200, help="WMT23 segments for the throughput run")
    parser.add_argument("--threads", type=int, nargs="*", default=[0],
                        help="torch thread counts to try (0: mtqa's default, chosen from the load average)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--set", default="sample", help=argparse.SUPPRESS)
    parser.add_argument("--threads-one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()} at start "
          f"({time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC)", flush=True)
    if not args.skip_prepare:
        with tempfile.TemporaryDirectory(prefix="mtqa-speed-") as cache:
            show("prepare (GGUF → safetensors)", run_worker("prepare", "--cache", cache))
    subprocess.run([sys.executable, "-m", "mtqa", "model", "prepare", "--quiet"], check=True)
    for threads in args.threads:
        one = ["--threads-one", str(threads)] if threads else []
        label = f"{threads} thr" if threads else "auto thr"
        show(f"cached load, {label}", run_worker("load", *one))
        show(f"throughput sample, {label}", run_worker("throughput", "--set", "sample", *one))
        if WMT23.exists() and args.pairs > 0:
            show(f"throughput WMT23, {label}",
                 run_worker("throughput", "--set", "wmt23", "--pairs", str(args.pairs), *one))
        show(f"sample end to end, {label}", run_worker("e2e", *one))
        show(f"mtqa check (command line), {label}", run_worker("cli", *one))
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
