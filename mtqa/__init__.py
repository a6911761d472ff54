"""mtqa — an offline machine-translation quality checker.

    >>> import mtqa
    >>> report = mtqa.check(source_text, target_text, glossary=mtqa.load_glossary("glossary.tsv"))
    >>> report.summary.score, [f.message for f in report.findings]
"""

from mtqa.data import (
    AlignedPair,
    Document,
    Finding,
    Glossary,
    GlossaryEntry,
    PairScore,
    Report,
    Segment,
    Severity,
    Span,
    Summary,
)
from mtqa.errors import InputError, MtqaError
from mtqa.pipeline import CheckOptions, check
from mtqa.version import __version__


def load_glossary(path: str, source_lang: str = "zh", target_lang: str = "en") -> Glossary:
    """Load a glossary file (TSV/CSV with columns source, target, forbidden, note; or TBX, whose language
    sections ``source_lang``/``target_lang`` pick)."""
    from mtqa.glossary import load_glossary as _load

    return _load(path, source_lang, target_lang)


def create_aligner(name: str = "auto"):
    """The aligner the CLI uses: "encoder" (multilingual sentence encoder), "length", or "auto"."""
    from mtqa.align import create_aligner as _create

    return _create(name)


def create_scorer(name: str = "neural", **options):
    """The scorer called ``name`` ("neural": the bundled model, loaded lazily, once per scorer object)."""
    from mtqa.score import create_scorer as _create

    return _create(name, **options)


def load_scorer(*, quiet: bool = True):
    """The neural scorer on the bundled model (loaded lazily, once per scorer object)."""
    return create_scorer("neural", quiet=quiet, required=True)


__all__ = [
    "AlignedPair",
    "CheckOptions",
    "Document",
    "Finding",
    "Glossary",
    "GlossaryEntry",
    "InputError",
    "MtqaError",
    "PairScore",
    "Report",
    "Segment",
    "Severity",
    "Span",
    "Summary",
    "__version__",
    "check",
    "create_aligner",
    "create_scorer",
    "load_glossary",
    "load_scorer",
]
