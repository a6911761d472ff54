"""Thread choice for the model: one thread per core on an idle machine, fewer when others keep cores busy.

torch's intra-op thread pool is per process, not per model, so the count is chosen once when the model is
created and loaded (``GemmaModel.load``), from the CPU time other processes used during the load.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class CpuSnapshot:
    """Busy CPU-seconds of the whole machine and of this process at one moment (Linux ``/proc/stat``)."""

    machine_busy: float
    own: float
    wall: float


def cpu_snapshot() -> CpuSnapshot | None:
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
    busy = sum(values) - values[3] - (values[4] if len(values) > 4 else 0)
    return CpuSnapshot(busy / ticks, time.process_time(), time.monotonic())


def free_cores(since: CpuSnapshot | None) -> float | None:
    """Cores that stood idle since ``since`` beside the one this process runs on (None: no sample, or
    under half a second). Idle time, not the others' busy time, is the measure: on saturated cores the
    others' share is capped by ours, so their busy time looks moderate exactly when the cores are full."""
    now = cpu_snapshot()
    if since is None or now is None or now.wall - since.wall < 0.5:
        return None
    wall = now.wall - since.wall
    idle = (os.cpu_count() or 1) - (now.machine_busy - since.machine_busy) / wall
    # The load is mostly one thread; whatever this process used beyond one core was free for it too.
    beyond_one = max(0.0, (now.own - since.own) / wall - 1.0)
    return max(0.0, idle + beyond_one)


def threads_from_environment() -> int | None:
    """``MTQA_THREADS``, when set to a positive whole number."""
    value = os.environ.get("MTQA_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def default_threads(since: CpuSnapshot | None = None) -> int:
    """One thread per core on an idle machine; fewer (down to one) when other processes keep cores busy.

    Measured on the 2-core machine under a load average of 5–7 (other jobs running): 2 threads scored
    the sample at 0.47–0.51 pairs/s and burnt 27–31 CPU-seconds (OpenMP workers spinning while
    descheduled), one thread at 1.75 pairs/s with 7 CPU-seconds. The cores' idle time is sampled over the
    window since ``since`` (the model load): the load average also counts this process and lags by a
    minute, so a CI job that had just run its own model tests saw itself as "busy" and fell back to one
    thread on an idle machine. Without a sample, the load average decides.
    """
    cores = os.cpu_count() or 1
    free = free_cores(since)
    if free is None:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
        return 1 if busy >= cores - 0.5 else cores
    return max(1, min(cores, 1 + int(free + 0.5)))
