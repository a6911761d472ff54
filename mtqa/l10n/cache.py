"""The incremental cache: results of checking one (source, target) string, reused while nothing that could
change them has changed.

A row is keyed by a hash of the source text, the target text, the language pair, the glossary's content,
the check version (the code of the enabled checks and their options) and the model version, so an edit
to any of them misses the cache instead of serving a stale result. The cache is one SQLite file under
``.mtqa-cache/`` (standard library, safe for concurrent readers); a damaged file is replaced, not trusted.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from mtqa.data import Glossary
from mtqa.errors import MtqaError

CACHE_DIR_NAME = ".mtqa-cache"
CACHE_FILE = "results.sqlite3"
_BATCH = 500  # SQLite's default limit on bound parameters is 999 (older builds)


def unit_key(
    source: str,
    target: str,
    source_lang: str,
    target_lang: str,
    glossary_version: str,
    check_version: str,
    model_version: str,
) -> str:
    parts = (source, target, source_lang, target_lang, glossary_version, check_version, model_version)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def glossary_version(glossary: Glossary | None) -> str:
    if glossary is None:
        return "none"
    digest = hashlib.sha256()
    for entry in glossary.entries:
        fields = (entry.source, entry.target, "|".join(entry.forbidden), entry.note)
        digest.update("\x1f".join(fields).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


class ResultCache:
    """key → JSON payload in one SQLite file. Use as a context manager, or call ``close``."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / CACHE_FILE
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._connection = self._open()
        except (OSError, sqlite3.Error) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise MtqaError(
                f"{self.directory}: cannot use it as the cache directory ({reason}); give --cache-dir DIR "
                "or --no-cache"
            ) from None

    def _open(self) -> sqlite3.Connection:
        try:
            connection = self._connect()
            connection.execute("SELECT key, payload FROM results LIMIT 1").fetchall()
            return connection
        except sqlite3.DatabaseError:
            # Damaged or foreign file: a cache is only a cache, start a new one.
            self.path.unlink(missing_ok=True)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, payload TEXT NOT NULL)")
        connection.commit()
        return connection

    def get_many(self, keys: Sequence[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        unique = list(dict.fromkeys(keys))
        for index in range(0, len(unique), _BATCH):
            batch = unique[index : index + _BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._connection.execute(f"SELECT key, payload FROM results WHERE key IN ({marks})", batch)
            for key, payload in rows:
                try:
                    found[key] = json.loads(payload)
                except ValueError:
                    continue  # unreadable row: recomputed and overwritten
        return found

    def put_many(self, items: Iterable[tuple[str, dict]]) -> None:
        rows = [(key, json.dumps(payload, ensure_ascii=False)) for key, payload in items]
        if rows:
            self._connection.executemany("INSERT OR REPLACE INTO results (key, payload) VALUES (?, ?)", rows)
            self._connection.commit()

    def __len__(self) -> int:
        return self._connection.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
