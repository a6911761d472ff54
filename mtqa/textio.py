"""Reading input documents: encoding detection and the input errors translators hit.

Files are only ever opened for reading: mtqa never modifies what the user gives it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from mtqa.errors import InputError

# Larger inputs are refused rather than read into memory: a news article or a string file is far smaller.
MAX_INPUT_BYTES = 50 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_bytes(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), "no such file")
    if p.is_dir():
        raise InputError(str(path), "is a directory, expected a file")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(str(path), f"file is too large ({size / 1e6:.0f} MB; the limit is "
                                        f"{max_bytes / 1e6:.0f} MB)")
        return p.read_bytes()
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None


def decode(data: bytes, path: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; return ``(text, encoding)``.

    Order: an explicit encoding, a BOM, UTF-16 without BOM (NUL pattern), strict UTF-8, then GB18030 (a
    superset of GBK and GB2312, the legacy Chinese encodings), then charset-normalizer's guess.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(path, f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputError(path, f"cannot decode as {encoding} (byte {exc.start})") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                raise InputError(
                    path, f"has a {name} byte-order mark but does not decode as {name}"
                ) from None
    utf16 = _sniff_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            raise InputError(path, f"looks like {utf16} but does not decode as it") from None
    if b"\x00" in data:
        raise InputError(path, "looks like binary data, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _plausible_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and _plausible_text(str(best)):
        return str(best), best.encoding
    raise InputError(path, "cannot decode the text (not UTF-8, UTF-16 or GB18030); give --encoding")


# Characters real text is made of: ASCII, Latin, general punctuation, CJK punctuation, kana, CJK ideographs,
# Hangul, full-width forms. UTF-16 read with the wrong byte order, or bytes of another encoding read as
# UTF-16, fall far outside these ranges.
_COMMON_TEXT = re.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u3000-\u30ff\u4e00-\u9fff\uac00-\ud7a3\uff00-\uffef]"
)


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: even-length data with NUL bytes that decodes to common text."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    # In UTF-16 text the NUL bytes are the high bytes of ASCII characters: all on one parity. Binary data
    # scatters them.
    sample = data[:8000]
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if even_nuls and odd_nuls:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        text = data[:8000].decode(name, errors="replace")
        if len(_COMMON_TEXT.findall(text)) > 0.95 * len(text):
            return name
    return None


def _plausible_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(text) < 0.01


def check_text(text: str, path: str | None) -> str:
    """Refuse text that cannot be a document (empty, whitespace only, control-character soup)."""
    if not text.strip():
        raise InputError(path, "is empty" if not text else "contains only whitespace")
    if not _plausible_text(text):
        raise InputError(path, "looks like binary data, not text")
    return text


def read_text(path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode one text document; return ``(text, encoding)``. Raises InputError with one line."""
    data = read_bytes(path)
    text, used = decode(data, str(path), encoding)
    # Normalise line endings: offsets are into this decoded text, and \r\n would double-count breaks.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return check_text(text, str(path)), used
