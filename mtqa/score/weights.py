"""The file format of mtqa's shipped trained heads (quality head, span tagger): one compressed npz whose
``meta`` entry holds JSON (format, version, training data) and whose other entries are float arrays.

``allow_pickle=False`` everywhere: a weights file is data, never code.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np

from mtqa.errors import MtqaError


def write_weights(path: str | Path, arrays: Mapping[str, np.ndarray], meta: dict) -> None:
    entries = dict(arrays)
    entries["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **entries)
    Path(path).write_bytes(buffer.getvalue())


def read_weights(data: bytes, origin: str, what: str, format_version: int) -> tuple[Mapping, dict]:
    """``(arrays, meta)`` of a weights file; an MtqaError names ``what`` when the format is not this one's."""
    arrays = np.load(io.BytesIO(data), allow_pickle=False)
    meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
    if meta.get("format") != format_version:
        raise MtqaError(f"{origin}: {what} format {meta.get('format')}, this mtqa reads {format_version}")
    return arrays, meta


def weights_bytes(path: str | Path | None, resource: str, what: str) -> tuple[bytes, str] | None:
    """The bytes of the file at ``path`` (unreadable: MtqaError), else of the shipped resource (None when
    the package ships none), with the name to use in messages."""
    if path is not None:
        try:
            return Path(path).read_bytes(), str(path)
        except OSError as exc:
            raise MtqaError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    # Read-only package data; the scorer holds the parsed head for its lifetime.
    shipped = resources.files("mtqa").joinpath("resources", resource)
    if not shipped.is_file():
        return None
    return shipped.read_bytes(), f"mtqa/resources/{resource}"
