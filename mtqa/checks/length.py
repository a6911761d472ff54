"""Length limits: a translation longer than the space it has (a button, an SMS, a subtitle line).

Two sources of limits:

- the file: an XLIFF 1.2 ``maxwidth`` with ``size-unit="char"`` (characters) or ``"byte"`` (UTF-8 bytes),
  or an XLIFF 2.0 ``slr:sizeRestriction`` (profile ``xliff:codepoints``) or ``slr:storageRestriction``
  (profile ``xliff:utf8``) on a one-segment unit, handed over per unit by the localisation checker
  (``pair_limits``). Pixel and other units need the rendering font, which mtqa does not have: they are not
  checked;
- the config file, per file pattern (a glob on the translation's path; the first pattern that matches
  wins)::

      [[settings.length.limits]]
      files = "android/*.xml"   # default: every file
      max_ratio = 1.4           # target characters / source characters
      max_chars = 40            # target characters
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import PurePath

from mtqa.checks import CheckContext, Setting, register_check
from mtqa.data import Category, Finding, Severity
from mtqa.errors import ConfigError

NAME = "length"
# The MQM category of a string that does not fit: the layout breaks, as with broken markup.
CATEGORY = Category.MARKUP.value


# Inline codes as the XLIFF reader renders them (``<g1>…</g1>``, ``<x2/>``): markup, not text the reader
# sees, so a file's limit does not count them (XLIFF 2.0's code-point profile counts inline codes as 0).
_INLINE_CODE = re.compile(r"</?(?:g|pc|x|bx|ex|ph|bpt|ept|it|sc|ec)[\w.-]*/?>")


def measure(text: str, unit: str) -> int:
    """Size of a translation against a file's limit: UTF-8 bytes, or code points after NFC (XLIFF 2.0's
    ``xliff:codepoints`` profile; a decomposed "é" is one character on screen)."""
    text = _INLINE_CODE.sub("", text)
    return len(text.encode("utf-8")) if unit == "byte" else len(unicodedata.normalize("NFC", text))


def validate_limits(settings: dict) -> list[dict]:
    """The ``limits`` of ``[settings.length]``; a malformed one is a ``ConfigError`` naming it."""
    limits = settings.get("limits", [])
    if not isinstance(limits, list):
        raise ConfigError(f"settings.{NAME}.limits: expected a list of tables ([[settings.{NAME}.limits]])")
    for index, limit in enumerate(limits):
        key = f"settings.{NAME}.limits[{index}]"
        if not isinstance(limit, dict) or set(limit) - {"files", "max_ratio", "max_chars"}:
            raise ConfigError(f"{key}: expected a table with files, max_ratio, max_chars")
        if not isinstance(limit.get("files", "*"), str):
            raise ConfigError(f"{key}.files: expected a glob such as \"*.po\"")
        for name in ("max_ratio", "max_chars"):
            value = limit.get(name)
            wrong = isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            if value is not None and wrong:
                raise ConfigError(f"{key}.{name}: expected a positive number")
    return limits


def _limit_for(ctx: CheckContext) -> dict | None:
    limits = validate_limits(ctx.settings.get(NAME, {}))
    path = ctx.target.path or ""
    for limit in limits:
        pattern = limit.get("files", "*")
        if fnmatch(path, pattern) or fnmatch(PurePath(path).name, pattern):
            return limit
    return None


@register_check(
    NAME,
    description="A translation longer than its limit: XLIFF 1.2 maxwidth (size-unit char or byte), XLIFF 2.0 "
    "slr:sizeRestriction (xliff:codepoints) or slr:storageRestriction (xliff:utf8), or a ratio to "
    "the source or an absolute number of characters set per file pattern in the config.",
    categories=(CATEGORY,),
    severity=Severity.MAJOR.value,
    settings=(Setting("limits", [], "list of {files, max_ratio, max_chars}; the first whose glob matches "
                                    "the translation's path applies"),),
    validate=validate_limits,
)
def check_length(ctx: CheckContext) -> Iterator[Finding]:
    pair_limits = ctx.settings.get(NAME, {}).get("pair_limits", {})
    limit = _limit_for(ctx)
    for pair in ctx.aligned_pairs():
        target = pair.target_text(ctx.target)
        span = ctx.target_span(pair.target_start, pair.target_end)
        if pair.id in pair_limits:
            maximum, unit = pair_limits[pair.id]
            size = measure(target, unit)
            if size > maximum:
                yield Finding(NAME, CATEGORY, Severity.MAJOR,
                              f"{size} {unit}s, over the file's limit of {maximum}", None, pair.id,
                              target_span=span)
                continue
        if limit is None:
            continue
        source = pair.source_text(ctx.source)
        max_chars = limit.get("max_chars")
        max_ratio = limit.get("max_ratio")
        if max_chars is not None and len(target) > max_chars:
            yield Finding(NAME, CATEGORY, Severity.MAJOR,
                          f"{len(target)} characters, over the limit of {max_chars}", None, pair.id,
                          target_span=span)
        elif max_ratio is not None and source and len(target) > max_ratio * len(source):
            yield Finding(NAME, CATEGORY, Severity.MAJOR,
                          f"{len(target)} characters, {len(target) / len(source):.2f}× the source's "
                          f"{len(source)} (limit {max_ratio}×)", None, pair.id, target_span=span)
