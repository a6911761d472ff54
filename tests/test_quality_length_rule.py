"""The length eligibility rule of the quality head's design choice (``tools/train_quality.choose_design``,
head 2.3): a candidate whose out-of-fold estimate ranks by target length on any held-out training set is
not eligible, whatever its criterion score; with none eligible the criterion chooses among all and says so.
The fits are replaced by stand-ins, so the rule itself is what is tested (no data, no model)."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

# The training script puts tools/ and benchmarks/ on sys.path and sets BLAS thread variables on import:
# undo both, so that nothing leaks into the other tests (the modules it imported stay loaded).
_path, _environ = list(sys.path), dict(os.environ)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import train_quality as tq  # noqa: E402

importlib.import_module("metrics")  # benchmarks/metrics.py, imported lazily by the rule: load it now

sys.path[:] = _path
os.environ.clear()
os.environ.update(_environ)


@dataclass
class Item:
    dataset: str
    target: str


def _items() -> list[Item]:
    rng = np.random.default_rng(0)
    return [Item(d, "x" * int(n)) for d in ("a", "b", "c") for n in rng.integers(5, 400, size=400)]


# Out-of-fold estimate per design: "long" ranks by length on every set, "half" on set "b" only, "free" by
# noise (400 items a set: a chance correlation of 0.3 is about 6 standard errors).
def _predict(kind: str, items) -> np.ndarray:
    length = np.log([len(i.target) for i in items])
    noise = np.random.default_rng(ord(items[0].dataset)).normal(size=len(items))
    if kind == "long" or (kind == "half" and items[0].dataset == "b"):
        return -length
    return noise


@pytest.fixture
def choose(monkeypatch):
    scores = {"long": 0.5, "half": 0.45, "free": 0.4}
    monkeypatch.setattr(tq, "fit_head", lambda train, contrast, design: design.name)
    monkeypatch.setattr(tq, "predict", lambda head, items: _predict(head, items))
    monkeypatch.setattr(tq, "selection_score", lambda items, p, contrast, head: {"score": scores[head]})

    def run(names, **kwargs):
        lines = []
        candidates = [tq.Design(n) for n in names]
        design, choice = tq.choose_design(_items(), [], ("a", "b", "c"), candidates=candidates,
                                          log=lines.append, **kwargs)
        return design.name, choice, "\n".join(lines)

    return run


def test_a_design_that_ranks_by_length_is_not_eligible(choose):
    name, choice, log = choose(["long", "half", "free"])
    assert name == "free"
    rule = choice["length_rule"]
    assert rule["eligible"] == ["free"] and not rule["fallback_to_all"]
    assert rule["length_rho"]["long"] == pytest.approx(-1.0)
    # "half" ranks by length on one held-out set only: the set furthest from 0 decides.
    assert rule["length_rho"]["half"] == pytest.approx(-1.0)
    assert abs(rule["length_rho"]["free"]) <= tq.LENGTH_RHO_MAX
    assert "excluded" in log and "eligible" in log


def test_without_an_eligible_design_the_criterion_chooses_among_all_and_says_so(choose):
    name, choice, log = choose(["half", "long"])
    assert name == "long"
    assert choice["length_rule"]["fallback_to_all"]
    assert "chooses among all" in log


def test_the_rule_can_be_switched_off(choose):
    name, choice, _ = choose(["long", "half", "free"], max_length_rho=None)
    assert name == "long" and choice["length_rule"] is None
