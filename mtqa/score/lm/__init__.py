"""The model layer: a small ``LanguageModel`` protocol (``protocol.py``) and its implementations, created by
name through a registry.

- ``protocol.py``: ``Request``, ``PieceScores``, ``LanguageModel``: what the neural scorer asks of a model;
- ``gemma.py``: Gemma 3 270M inference (transformers + torch), registered as ``gemma3-270m``;
- ``prepare.py``: the one-time GGUF → safetensors conversion into the cache, and its verification;
- ``threads.py``: how many threads the model uses on a shared machine.

A model is created once by its caller (``create_model``) and passed down; nothing here keeps one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from mtqa.errors import MtqaError
from mtqa.score.lm.protocol import LanguageModel, PieceScores, Request

ModelFactory = Callable[..., LanguageModel]

# The modules of the built-in models, imported on first use (each registers its names when imported).
BUILTIN_MODELS = ("mtqa.score.lm.gemma",)
_MODELS: dict[str, ModelFactory] = {}


def register_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    """Decorator: ``factory(**options)`` builds the language model called ``name``; it raises
    ``ModelUnavailableError`` when the model is not installed."""

    def decorate(factory: ModelFactory) -> ModelFactory:
        _MODELS[name] = factory
        return factory

    return decorate


def available_models() -> list[str]:
    _load_builtin()
    return sorted(_MODELS)


def create_model(name: str = "gemma3-270m", **options: object) -> LanguageModel:
    """The language model called ``name`` (loaded lazily on first use, once per object)."""
    _load_builtin()
    factory = _MODELS.get(name)
    if factory is None:
        raise MtqaError(f"unknown language model {name!r} (choose {', '.join(available_models())})")
    return factory(**options)


def _load_builtin() -> None:
    for module in BUILTIN_MODELS:
        importlib.import_module(module)


__all__ = [
    "LanguageModel",
    "PieceScores",
    "Request",
    "available_models",
    "create_model",
    "register_model",
]
