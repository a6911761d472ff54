"""Versions of what decides a run's result, hashed from code and data rather than kept by hand, so that a
fix to a check or a refitted calibration changes them without anyone remembering to bump anything.

They serve twice: as the ``Signature`` every report carries (printed in the terminal footer and in the
JSON), and as parts of the incremental cache's keys (``mtqa.l10n.cache``).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterable
from pathlib import Path

from mtqa.data import Signature
from mtqa.version import __version__

# Bump when the l10n cache's payload layout changes (part of the check version the cache keys hold).
SCHEMA = 1
_RESOURCES = Path(__file__).parent / "resources"
_LANGUAGES = Path(__file__).parent / "languages"


def _digest_files(digest, files: Iterable[str | Path]) -> None:
    for name in sorted({str(f) for f in files if f}):
        digest.update(name.rsplit("/", 1)[-1].encode())
        digest.update(Path(name).read_bytes())


def _language_files() -> list[str]:
    return [str(p) for p in _LANGUAGES.rglob("*.py")]


def check_version(functions: Iterable, options_repr: str) -> str:
    """Hash of the source files of the checks that run, the language modules they use and the options."""
    files = {inspect.getsourcefile(function) for function in functions}
    digest = hashlib.sha256(f"{SCHEMA}\x1f{__version__}\x1f{options_repr}".encode())
    _digest_files(digest, [*files, *_language_files()])
    return digest.hexdigest()[:16]


def model_version(scorer) -> str:
    """The scorer's own ``version`` if it has one, else a hash of its module's code and of the shipped
    calibration files (a refitted calibration changes every score)."""
    if scorer is None:
        return "none"
    name = getattr(scorer, "name", type(scorer).__name__)
    declared = getattr(scorer, "version", None)
    if declared:
        return f"{name}:{declared}"
    digest = hashlib.sha256(f"{name}\x1f{__version__}\x1f{getattr(scorer, 'calibrated', '')}".encode())
    source = inspect.getsourcefile(type(scorer))
    for path in [Path(source)] if source else []:
        digest.update(path.read_bytes())
    for path in _score_resources():
        digest.update(path.read_bytes())
    # The trained span tagger's weights decide the spans (and their probabilities) as much as the code.
    if getattr(scorer, "tagger", None) is not None:
        for path in sorted(_RESOURCES.glob("span_tagger*")):
            digest.update(path.read_bytes())
    return f"{name}:{digest.hexdigest()[:16]}"


def code_version(obj) -> str:
    """``name@hash`` of an aligner or scorer: its class's module, and for a module inside one of mtqa's
    stage packages (``mtqa/align/``, ``mtqa/score/``) every module of that package, which work together."""
    name = getattr(obj, "name", type(obj).__name__)
    declared = getattr(obj, "version", None)
    if declared:
        return f"{name}@{declared}"
    source = inspect.getsourcefile(type(obj))
    if not source:
        return name
    path = Path(source)
    files = [path]
    package = path.parent
    if package.parent == Path(__file__).parent and package.name in ("align", "score"):
        files = list(package.rglob("*.py"))
    digest = hashlib.sha256()
    _digest_files(digest, files)
    return f"{name}@{digest.hexdigest()[:8]}"


def _score_resources() -> list[Path]:
    """The shipped files that turn model features into scores (the trained quality head)."""
    return sorted([*_RESOURCES.glob("calibration*"), *_RESOURCES.glob("quality_head*")])


def calibration_version(scorer) -> str:
    """Hash of the shipped quality-head files when the scorer uses them, else "none"."""
    if scorer is None or not getattr(scorer, "calibrated", False):
        return "none"
    digest = hashlib.sha256()
    _digest_files(digest, _score_resources())
    return digest.hexdigest()[:8]


def checks_version(functions: Iterable) -> str:
    """Hash of the code of the checks that ran and of the language modules they read."""
    digest = hashlib.sha256()
    _digest_files(digest, [*(inspect.getsourcefile(f) for f in functions), *_language_files()])
    return digest.hexdigest()[:8]


def settings_version(settings_repr: str) -> str:
    return hashlib.sha256(settings_repr.encode()).hexdigest()[:8]


def make_signature(aligner, scorer, check_functions: Iterable, settings_repr: str) -> Signature:
    return Signature(
        version=__version__,
        aligner=code_version(aligner) if aligner is not None else "none",
        scorer=code_version(scorer) if scorer is not None else "none",
        calibration=calibration_version(scorer),
        checks=checks_version(list(check_functions)),
        settings=settings_version(settings_repr),
    )
