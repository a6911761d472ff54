from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests never touch the network: model loaders must find everything on disk.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "liaoning-cecep"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
