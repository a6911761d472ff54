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

__version__ = "0.1.0"


def load_glossary(path: str, source_lang: str = "zh", target_lang: str = "en") -> Glossary:
    """Load a glossary file (TSV/CSV with columns source, target, forbidden, note; or TBX, whose language
    sections ``source_lang``/``target_lang`` pick)."""
    from mtqa.glossary import load_glossary as _load

    return _load(path, source_lang, target_lang)


def create_aligner(name: str = "auto"):
    """The aligner the CLI uses: "encoder" (multilingual sentence encoder), "length", or "auto"."""
    from mtqa.align.encoder_aligner import create_aligner as _create

    return _create(name)


def load_scorer(*, quiet: bool = True):
    """The neural scorer on the bundled model (loaded lazily, once per scorer object)."""
    from mtqa.score.neural import load_scorer as _load

    return _load(quiet=quiet, required=True)


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
    "load_glossary",
    "load_scorer",
]
