"""The batch progress bar: rows done of the total, pairs per second and the time left (rich), on stderr
when it is a terminal and the run is not quiet; otherwise nothing at all."""

from __future__ import annotations

import sys


class BatchProgress:
    def __init__(self, total: int | None, done: int, enabled: bool) -> None:
        self._bar = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("scoring"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} pairs/s"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), console=Console(stderr=True), transient=False,
            )
            self._task = self._bar.add_task("batch", total=total, completed=done, rate="–")

    def __enter__(self) -> BatchProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)
            speed = self._bar.tasks[0].speed
            self._bar.update(self._task, rate=f"{speed:.1f}" if speed else "–")
