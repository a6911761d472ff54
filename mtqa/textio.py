"""Reading input documents: encoding detection and the input errors translators hit.

Files are only ever opened for reading: mtqa never modifies what the user gives it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from mtqa.errors import InputError

_MB = 1024 * 1024
# Larger inputs are refused by their size, before a byte is read. Documents are segmented and aligned as
# wholes (time and memory grow with their length): a news article or a book chapter is far below this.
MAX_INPUT_BYTES = 50 * _MB
# Localisation files are checked string by string, and translation memories (TMX) run to tens of MB.
MAX_STRING_FILE_BYTES = 200 * _MB
# A source, translation or reference document that `mtqa check` / `mtqa align` segments and aligns: time and
# memory are linear in its length, but the sentence encoder costs about 3 CPU-minutes per MB of translation
# (benchmarks/scale.py, docs/performance.md), so 4 MB is about 12 CPU-minutes, where a run still finishes
# in minutes on a 2-core laptop; longer texts are refused with this limit named, not left to run for hours.
MAX_DOCUMENT_BYTES = 4 * _MB

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def check_size(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> int:
    """Refuse missing, non-regular and oversized files by their metadata, before reading a byte."""
    p = Path(path)
    try:
        stat = p.stat()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    if p.is_dir():
        raise InputError(str(path), "is a directory, expected a file")
    if stat.st_size > max_bytes:
        raise InputError(
            str(path),
            f"file is too large ({stat.st_size / _MB:.0f} MB; the limit is {max_bytes / _MB:.0f} MB)",
        )
    return stat.st_size


def read_limited(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The one size-guarded reader of every input file (documents, glossaries, localisation files)."""
    check_size(path, max_bytes)
    try:
        with open(path, "rb") as handle:
            # Read one byte past the limit: a file that grew since stat() is still refused.
            data = handle.read(max_bytes + 1)
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(str(path), f"file is too large (over {max_bytes / _MB:.0f} MB)")
    return data


# Encoding detection refuses rather than guesses. Two readings of the same bytes "compete" when their
# charset-normalizer mess ratios (share of characters that look out of place) are within this margin of the
# best one; when competing readings give different text, the file is refused with the candidates named. On
# WMT21 news (zh in GBK/GB18030/Big5, en in Latin-1/cp1252 with accented loanwords), a wrong reading never
# beat the right one by more than 0.02, while for Chinese of three sentences or more the nearest wrong reading
# was 0.09 or more above the right one (docs/inputs.md).
AMBIGUITY_MARGIN = 0.05
# Legacy double-byte text (GBK, Big5, Shift-JIS) is valid UTF-8 only by accident, and each further non-ASCII
# character makes the accident about ten times less likely: from this many multi-byte characters on, valid
# UTF-8 is UTF-8. Below it, it is accepted when every non-ASCII character is a common one (see _COMMON_TEXT);
# "双碳" in GBK is valid UTF-8 that reads "˫̼" (a modifier letter and a combining mark), which is not.
UTF8_SURE_CHARACTERS = 6
# Codecs that are subsets of one superset read the same bytes with a few different punctuation mappings
# (gb2312 A1A4 is U+30FB, gb18030 U+00B7): one candidate per family, the superset, so that the difference does
# not count as an ambiguity.
_FAMILIES = {
    "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "gb18030": "gb18030",
    "big5": "cp950", "big5hkscs": "cp950", "cp950": "cp950",
}


@dataclass(frozen=True)
class Reading:
    """One way to decode the input: the codec, the text it gives, and how garbled that text looks."""

    encoding: str
    text: str
    chaos: float


def decode(data: bytes, path: str | None = None, encoding: str | None = None,
           flag: str = "--encoding") -> tuple[str, str]:
    """Decode bytes to text; return ``(text, encoding)``.

    Order: an explicit encoding, a BOM, UTF-16 without BOM (NUL pattern), UTF-8 (see
    ``UTF8_SURE_CHARACTERS``), then the legacy encodings charset-normalizer considers, accepted only when
    every reading within ``AMBIGUITY_MARGIN`` of the best gives the same text. ``flag`` is the option the
    error message tells the user to give (``--target-encoding``, ``--glossary-encoding``, …).
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(path, f"unknown encoding {encoding!r} ({flag})") from None
        except UnicodeDecodeError as exc:
            raise InputError(path, f"cannot decode as {encoding} (byte {exc.start}); check {flag}") from None
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
    option = flag if "NAME" in flag else f"{flag} NAME"
    utf8 = _utf8_reading(data)
    if utf8 is not None and _utf8_is_sure(utf8):
        return utf8, "utf-8"
    if utf8 is None:
        _refuse_damaged_utf8(data, path, option)
    readings = legacy_readings(data)
    if utf8 is not None:
        from charset_normalizer.md import mess_ratio

        readings.insert(0, Reading("utf-8", utf8, mess_ratio(utf8[:_SAMPLE_CHARS], 1.0)))
    if not readings:
        raise InputError(path, f"cannot decode the text (not UTF-8, UTF-16 or a known legacy encoding); "
                               f"give {option}")
    best = min(readings, key=lambda r: r.chaos)
    margin = ambiguity_margin(data)
    rivals = [r for r in readings if r.chaos <= best.chaos + margin and r.text != best.text]
    if not rivals and _plausible_text(best.text):
        return best.text, best.encoding
    if not rivals:
        raise InputError(path, f"cannot decode the text (read as {best.encoding} it looks garbled); "
                               f"give {option}")
    raise InputError(path, f"cannot tell the encoding, candidates read {_describe([best, *rivals])}; "
                           f"give {option} (or convert the file to UTF-8)")


def ambiguity_margin(data: bytes) -> float:
    """How close to the best reading another one must come to compete: ``AMBIGUITY_MARGIN``, widened for
    short inputs, where one odd character moves a mess ratio by about one over the number of characters the
    readings disagree on (the non-ASCII ones)."""
    non_ascii = sum(1 for byte in data[:_SAMPLE_CHARS] if byte > 0x7F)
    return max(AMBIGUITY_MARGIN, 1 / max(non_ascii, 1))


# Mess ratios are measured on the start of the text: enough for a verdict, bounded for 50 MB inputs.
_SAMPLE_CHARS = 100_000


def _utf8_reading(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _refuse_damaged_utf8(data: bytes, path: str | None, option: str) -> None:
    """UTF-8 with a few invalid bytes (a truncated copy, one Latin-1 line pasted in) is damaged UTF-8, not
    a legacy encoding: say so rather than list legacy readings. GBK or Big5 text read as UTF-8 has about
    one valid multi-byte sequence per ten invalid ones (a byte pair is valid UTF-8 by chance about one time
    in twelve); damaged UTF-8 has more than four valid characters per invalid one."""
    text = data[:_SAMPLE_CHARS].decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(_NON_ASCII.findall(text)) - invalid
    if valid >= UTF8_SURE_CHARACTERS and invalid * 4 < valid:
        invalid = data.decode("utf-8", errors="replace").count("\ufffd")
        raise InputError(path, f"is UTF-8 except for {invalid} invalid byte sequence(s), the first at byte "
                               f"{_first_invalid_utf8(data)}; repair the file or give {option}")


def _first_invalid_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _utf8_is_sure(text: str) -> bool:
    non_ascii = []
    for match in _NON_ASCII.finditer(text):  # stops early: a 50 MB text is not walked character by character
        non_ascii.append(match.group())
        if len(non_ascii) >= UTF8_SURE_CHARACTERS:
            return True
    return all(_COMMON_TEXT.match(ch) for ch in non_ascii)


def legacy_readings(data: bytes) -> list[Reading]:
    """Every legacy-encoding reading of ``data`` that decodes strictly, one per distinct text, least garbled
    first. charset-normalizer proposes the codecs and measures their chaos; GB18030 is always tried because
    it is the superset of the encodings Chinese files come in."""
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    proposed: list[tuple[str, float]] = []
    for match in from_bytes(data):
        proposed += [(name, match.chaos) for name in match.could_be_from_charset]
    proposed.append(("gb18030", -1.0))  # chaos measured below
    readings: dict[str, Reading] = {}
    tried: set[str] = set()
    for name, chaos in proposed:
        codec = _FAMILIES.get(name, name)
        if codec in tried or codec in ("utf_8", "utf-8", "ascii"):
            continue
        tried.add(codec)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            if codec == name:
                continue
            try:  # the superset refused the bytes: keep the family member that proposed itself
                codec, text = name, data.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
        if chaos < 0 or codec != name:
            chaos = mess_ratio(text[:_SAMPLE_CHARS], 1.0)
        chaos += _rare_share(text[:_SAMPLE_CHARS])
        if text not in readings or chaos < readings[text].chaos:
            readings[text] = Reading(_display_name(codec), text, chaos)
    return sorted(readings.values(), key=lambda r: r.chaos)


# Characters that legacy-encoding misreadings produce and real text almost never holds, which
# charset-normalizer's mess ratio does not count: half-width katakana (Big5 and GBK bytes read as Shift-JIS
# come out as them; Japanese text has used full-width kana since the 1990s), C1 controls, private use.
_RARE = re.compile(r"[\uff61-\uff9f\x80-\x9f\ue000-\uf8ff]")


def _rare_share(text: str) -> float:
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7F)
    return len(_RARE.findall(text)) / non_ascii if non_ascii else 0.0


def _display_name(codec: str) -> str:
    return codecs.lookup(codec).name


def _describe(readings: list[Reading], shown: int = 4) -> str:
    """``cp1250 'naďve', cp1252 'naïve' (and 2 more)``: the first word where the readings differ."""
    first = readings[0].text
    # Where the two least garbled readings part: the word a user recognises as right or wrong.
    position = _first_difference(first, readings[1].text)
    parts = []
    for reading in readings[:shown]:
        # The readings agree up to the first difference (ASCII reads alike), so the position is shared.
        word = _word_at(reading.text, min(position, max(len(reading.text) - 1, 0)))
        parts.append(f"{reading.encoding} {word!r}")
    more = f" (and {len(readings) - shown} more)" if len(readings) > shown else ""
    return ", ".join(parts) + more


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _word_at(text: str, position: int, limit: int = 12) -> str:
    start = position
    while start > 0 and not text[start - 1].isspace() and position - start < limit:
        start -= 1
    end = position
    while end < len(text) and not text[end].isspace() and end - position < limit:
        end += 1
    return text[start:end]


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


# Control characters other than white space, and private-use characters: binary data decoded as text.
_IMPLAUSIBLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


def _plausible_text(text: str) -> bool:
    if not text:
        return True
    return len(_IMPLAUSIBLE.findall(text)) / len(text) < 0.01


def check_text(text: str, path: str | None) -> str:
    """Refuse text that cannot be a document (empty, whitespace only, control-character soup)."""
    if not text.strip():
        raise InputError(path, "is empty" if not text else "contains only whitespace")
    if not _plausible_text(text):
        raise InputError(path, "looks like binary data, not text")
    return text


def read_text(path: str | Path, encoding: str | None = None, flag: str = "--encoding",
              max_bytes: int = MAX_INPUT_BYTES) -> tuple[str, str]:
    """Read and decode one text document; return ``(text, encoding)``. Raises InputError with one line.

    ``flag``: the option that sets this file's encoding, named in the error when detection is unsure;
    ``max_bytes``: larger files are refused (``MAX_DOCUMENT_BYTES`` for documents that are aligned)."""
    data = read_limited(path, max_bytes)
    text, used = decode(data, str(path), encoding, flag)
    # Normalise line endings: offsets are into this decoded text, and \r\n would double-count breaks.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return check_text(text, str(path)), used
