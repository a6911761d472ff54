"""Where mtqa keeps what it builds once and reuses: the converted neural model, the assembled GGUF file.

The directory is ``platformdirs.user_cache_dir("mtqa")`` unless the ``MTQA_CACHE`` environment variable
names another one (CI, containers, tests).
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "MTQA_CACHE"


def cache_dir() -> Path:
    """The cache directory (not created here: only the code that writes into it creates it)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mtqa"))
