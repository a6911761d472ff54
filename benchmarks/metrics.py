"""Correlation figures shared by the calibration fit and the MQM benchmark (numpy; benchmarks only).

The eval pack's ``eval_helpers`` gives the reference implementations (Kendall τ-b, grouped correlation,
span and segment P/R/F1); this adds what it lacks: the partial rank correlation with length held fixed
(MQM sums penalties, so length alone correlates with it) and a rank-to-normal transform for targets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np


def ranks(values: Sequence[float]) -> np.ndarray:
    """Average ranks (ties share the mean rank), 0-based."""
    a = np.asarray(values, dtype=float)
    order = np.argsort(a, kind="mergesort")
    r = np.empty(len(a))
    sorted_a = a[order]
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and sorted_a[j + 1] == sorted_a[i]:
            j += 1
        r[order[i : j + 1]] = (i + j) / 2
        i = j + 1
    return r


def gaussianise(values: Sequence[float]) -> np.ndarray:
    """Ranks mapped to standard-normal quantiles: per-dataset scale differences vanish, order stays."""
    r = ranks(values)
    n = len(r)
    dist = NormalDist()
    return np.array([dist.inv_cdf((x + 0.5) / n) for x in r])


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return pearson(ranks(x), ranks(y))


def partial_spearman(x: Sequence[float], y: Sequence[float], control: Sequence[float]) -> float:
    """Rank correlation of x and y with ``control`` (e.g. target length) held fixed: the partial Pearson
    correlation of the ranks."""
    rx, ry, rz = ranks(x), ranks(y), ranks(control)
    rxy, rxz, ryz = pearson(rx, ry), pearson(rx, rz), pearson(ry, rz)
    den = math.sqrt(max(1e-12, (1 - rxz**2) * (1 - ryz**2)))
    return (rxy - rxz * ryz) / den
