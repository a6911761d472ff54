"""The search of the alignment stage: a dynamic program over beads inside a band, independent of the cost.

A bead ``(a, b)`` consumes ``a`` source and ``b`` target segments. The DP walks the lattice of positions
``(i, j)`` = "``i`` source and ``j`` target segments consumed" from ``(0, 0)`` to ``(n, m)``, choosing the
cheapest sequence of beads. The cost is a separate object (length-based or encoder-based, see ``cost.py``
and ``encoder_aligner.py``), asked for a whole row of the band at once so that numpy does the inner loop.

The band limits row ``i`` to the columns ``lo[i]..hi[i]``; with a band of constant width the work is
``O((n + m) × width × bead types)``: linear in document length. If the best path touches the edge of the
band, the band was too narrow there; ``align_in_band`` widens it and searches again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

BeadType = tuple[int, int]
Bead = tuple[tuple[int, ...], tuple[int, ...]]

# 0-1 and 1-0 are the skips (additions, omissions); the rest are the usual n:m beads.
STANDARD_BEADS: tuple[BeadType, ...] = ((0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2))
WIDE_BEADS: tuple[BeadType, ...] = (*STANDARD_BEADS, (1, 3), (3, 1), (1, 4), (4, 1))


class BeadCost(Protocol):
    """Cost of beads: lower is better. ``cost(a, b, i, js)`` is the cost of the bead that consumes source
    segments ``i-a .. i-1`` and target segments ``j-b .. j-1`` for each ``j`` in ``js`` (an int array)."""

    bead_types: Sequence[BeadType]

    def cost(self, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Band:
    """Allowed target positions per source position: row ``i`` may use columns ``lo[i]..hi[i]``."""

    lo: np.ndarray  # shape (n + 1,), non-decreasing
    hi: np.ndarray  # shape (n + 1,), non-decreasing, hi >= lo

    @classmethod
    def full(cls, n: int, m: int) -> Band:
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @classmethod
    def around(cls, path_j: np.ndarray, m: int, width: int) -> Band:
        """A band of ``±width`` target positions around an expected position ``path_j[i]`` per row."""
        centre = np.maximum.accumulate(np.clip(np.rint(path_j).astype(np.int64), 0, m))
        lo = np.clip(centre - width, 0, m)
        hi = np.clip(centre + width, 0, m)
        lo[0], hi[-1] = 0, m  # the path must start at (0, 0) and end at (n, m)
        lo = np.minimum.accumulate(lo[::-1])[::-1]  # keep both edges monotone after the fix-ups
        hi = np.maximum.accumulate(hi)
        return cls(lo, hi)

    @property
    def cells(self) -> int:
        return int(np.sum(self.hi - self.lo + 1))


def diagonal(n: int, m: int) -> np.ndarray:
    """The straight path from (0, 0) to (n, m), as expected column per row."""
    return np.linspace(0, m, n + 1) if n else np.zeros(1)


def search(n: int, m: int, cost: BeadCost, band: Band) -> tuple[list[Bead], bool]:
    """Cheapest bead sequence from (0, 0) to (n, m) inside ``band``.

    Returns the beads and whether the path ran along the band's edge (a sign the band was too narrow).
    """
    types = list(cost.bead_types)
    lo, hi = band.lo, band.hi
    rows: list[np.ndarray] = []
    back: list[np.ndarray] = []
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        best = np.full(js.shape, np.inf)
        choice = np.full(js.shape, -1, dtype=np.int16)
        if i == 0:
            best[js == 0] = 0.0
        for t, (a, b) in enumerate(types):
            if a == 0 or a > i:
                continue  # same-row beads (0-b) are relaxed below, left to right
            prev_row = i - a
            index = js - b - lo[prev_row]
            valid = (js - b >= 0) & (index >= 0) & (index < len(rows[prev_row]))
            if not valid.any():
                continue
            candidate = np.full(js.shape, np.inf)
            previous = rows[prev_row][index[valid]]
            finite = np.isfinite(previous)
            if not finite.any():
                continue
            where = np.flatnonzero(valid)[finite]
            candidate[where] = previous[finite] + cost.cost(a, b, i, js[where])
            better = candidate < best
            best[better] = candidate[better]
            choice[better] = t
        # 0-b beads stay in the same row: relax left to right (each step moves right, so one sweep is exact).
        for t, (a, b) in enumerate(types):
            if a != 0:
                continue
            step_costs = cost.cost(0, b, i, js)
            for k in range(b, len(js)):
                value = best[k - b] + step_costs[k]
                if value < best[k]:
                    best[k] = value
                    choice[k] = t
        rows.append(best)
        back.append(choice)

    if not np.isfinite(rows[n][m - lo[n]]):
        raise RuntimeError("alignment search found no path inside the band")  # cannot happen with a full band
    beads: list[Bead] = []
    touched_edge = False
    i, j = n, m
    while i > 0 or j > 0:
        k = j - lo[i]
        if 0 < i < n and ((j == lo[i] and lo[i] > 0) or (j == hi[i] and hi[i] < m)):
            touched_edge = True
        a, b = types[back[i][k]]
        beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    beads.reverse()
    return beads, touched_edge


def align_in_band(n: int, m: int, cost: BeadCost, path_j: np.ndarray | None = None, width: int = 30,
                  max_width: int | None = None) -> list[Bead]:
    """Search in a band around ``path_j`` (default: the diagonal), widening it while the path hits its edge.

    Small documents get the full lattice, which is cheap and never misses.
    """
    if n == 0 or m == 0 or (n + 1) * (m + 1) <= 4 * (width * 2 + 1) ** 2:
        beads, _ = search(n, m, cost, Band.full(n, m))
        return beads
    path_j = diagonal(n, m) if path_j is None else path_j
    # Widening stops at 8× the first width, so the work stays linear in document length even when the path
    # keeps running along the edge (a document whose two sides do not correspond).
    max_width = max_width or 8 * width
    while True:
        beads, touched = search(n, m, cost, Band.around(path_j, m, width))
        if not touched or width >= max_width:
            return beads
        width = min(width * 2, max_width)
