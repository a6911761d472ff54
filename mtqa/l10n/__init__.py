"""Localisation files: PO, XLIFF, TMX, CSV/TSV and JSON string files checked string by string.

``discover`` finds a repository's files, ``checker`` checks one file through the pipeline's stage
functions (a file's units are already aligned), ``cache`` keeps per-string results between runs and
``scan`` runs the checker over many files in one process.
"""

from mtqa.l10n.checker import FileResult, L10nChecker, mask_codes
from mtqa.l10n.discover import is_localisation_input, locale_group
from mtqa.l10n.scan import ScanResult, ScanSummary, scan, scan_json_pair

__all__ = [
    "FileResult",
    "L10nChecker",
    "ScanResult",
    "ScanSummary",
    "is_localisation_input",
    "locale_group",
    "mask_codes",
    "scan",
    "scan_json_pair",
]
