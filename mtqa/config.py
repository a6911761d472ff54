"""The config file: ``[tool.mtqa]`` in ``pyproject.toml`` or the top level of ``mtqa.toml``, found by walking
up from the working directory (the first directory holding either wins; ``mtqa.toml`` before
``pyproject.toml``; a ``pyproject.toml`` without ``[tool.mtqa]`` is passed over).

Every key is checked: an unknown key, a wrong type or an unknown check name is a ``ConfigError`` naming the
file and the key (exit 2). Paths in the file are relative to the file's directory. Command-line flags
override the file (the CLI applies them on top of ``Config.to_options()``).

    glossary = ["terms.tsv"]             # str or list
    source_lang = "zh"
    target_lang = "en"
    fail_on = "major"                    # critical | major | minor | never
    min_score = 90
    enable = ["placeholders"]            # checks that are off by default
    disable = ["punctuation"]
    max_findings = { terminology = 2 }   # per-check limits: more findings fail the gate
    [severity]                           # per-check severity overrides
    punctuation = "minor"
    [thresholds]                         # gate on the document's mean model scores (0-100)
    adequacy = 40
    fluency = 30
    [settings.alignment]                 # free-form settings handed to one check
    absolute_low = 0.2
    [[ignore]]                           # like "# noqa": drop matching findings
    id = "terminology-9ce696c5d8"        # the id every report shows
    [[ignore]]
    pattern = "^See also"                # regex searched in the target text, source text and message
    check = "alignment"                  # optional: only findings of this check
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.data import Finding, Severity, finding_id
from mtqa.errors import ConfigError
from mtqa.pipeline import CheckOptions

CONFIG_FILE = "mtqa.toml"
PYPROJECT = "pyproject.toml"
FAIL_ON_VALUES = ("critical", "major", "minor", "never")
DEFAULT_FAIL_ON = "major"
THRESHOLD_KEYS = ("adequacy", "fluency")
IGNORE_KEYS = ("id", "pattern", "check")
TOP_LEVEL_KEYS = (
    "glossary", "source_lang", "target_lang", "fail_on", "min_score", "enable", "disable", "max_findings",
    "severity", "thresholds", "settings", "ignore",
)


def parse_fail_on(value: str) -> Severity | None:
    """The one reading of a fail-on value (config file and ``--fail-on``); None: never fail on findings."""
    if value not in FAIL_ON_VALUES:
        raise ConfigError(f"fail_on: expected one of {', '.join(FAIL_ON_VALUES)}, got {value!r}")
    return None if value == "never" else Severity(value)


@dataclass(frozen=True)
class IgnoreRule:
    """One ignore entry: a finding id, or a regex (optionally limited to one check)."""

    id: str | None = None
    pattern: re.Pattern | None = None
    check: str | None = None

    def matches(self, finding: Finding) -> bool:
        if self.check is not None and finding.check != self.check:
            return False
        if self.id is not None:
            return finding_id(finding) == self.id
        if self.pattern is None:  # only a check name: every finding of that check
            return True
        texts = [finding.message]
        if finding.target_span is not None:
            texts.append(finding.target_span.text)
        if finding.source_span is not None:
            texts.append(finding.source_span.text)
        return any(self.pattern.search(text) for text in texts)


@dataclass
class Config:
    path: Path | None = None
    glossaries: list[Path] = field(default_factory=list)
    source_lang: str | None = None
    target_lang: str | None = None
    fail_on: str | None = None  # as written; None: not set in the file
    min_score: float | None = None
    enable: set[str] = field(default_factory=set)
    disable: set[str] = field(default_factory=set)
    max_findings: dict[str, int] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    settings: dict[str, dict] = field(default_factory=dict)
    ignore: list[IgnoreRule] = field(default_factory=list)

    def to_options(self) -> CheckOptions:
        options = CheckOptions()
        if self.fail_on is not None:
            options.fail_on = parse_fail_on(self.fail_on)
        options.min_score = self.min_score
        if self.enable:
            from mtqa.checks import all_checks

            options.enabled_checks = {name for name, info in all_checks().items() if info.default_enabled}
            options.enabled_checks |= self.enable
        options.disabled_checks = set(self.disable)
        options.severity_overrides = dict(self.severity)
        options.check_settings = {name: dict(values) for name, values in self.settings.items()}
        options.ignore = list(self.ignore)
        options.max_findings = dict(self.max_findings)
        options.min_adequacy = self.thresholds.get("adequacy")
        options.min_fluency = self.thresholds.get("fluency")
        return options


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``mtqa.toml``, or ``pyproject.toml`` with a ``[tool.mtqa]`` table, from ``start`` up."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_mtqa_table(pyproject):
            return pyproject
    return None


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Load ``path``, or the config found upward from ``start``; an empty ``Config`` when there is none."""
    if path is None:
        path = find_config(start)
        if path is None:
            return Config()
    path = Path(path)
    data = _read_toml(path)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get("mtqa")
        if table is None:
            raise ConfigError(f"{path}: no [tool.mtqa] table")
        return parse_config(table, path, prefix="tool.mtqa.")
    return parse_config(data, path)


def parse_config(table: dict, path: Path, prefix: str = "") -> Config:
    """Validate a config table (``[tool.mtqa]`` or a whole ``mtqa.toml``) into a ``Config``."""
    where = str(path)

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where}: {prefix}{key}: {problem}")

    for key in table:
        if key not in TOP_LEVEL_KEYS:
            raise fail(key, f"unknown key (known: {', '.join(TOP_LEVEL_KEYS)})")
    checks = _check_names()
    config = Config(path=path)
    base = path.parent

    if "glossary" in table:
        value = table["glossary"]
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise fail("glossary", "expected a path or a list of paths")
        config.glossaries = [base / v for v in values]
    for key in ("source_lang", "target_lang"):
        if key in table:
            if not isinstance(table[key], str) or not table[key]:
                raise fail(key, "expected a language code such as \"zh\"")
            setattr(config, key, table[key])
    if "fail_on" in table:
        if table["fail_on"] not in FAIL_ON_VALUES:
            raise fail("fail_on", f"expected one of {', '.join(FAIL_ON_VALUES)}, got {table['fail_on']!r}")
        config.fail_on = table["fail_on"]
    if "min_score" in table:
        config.min_score = _number(table["min_score"], fail, "min_score")
    for key in ("enable", "disable"):
        if key in table:
            names = table[key]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise fail(key, "expected a list of check names")
            for name in names:
                _known_check(name, checks, fail, key)
            setattr(config, key, set(names))
    if "max_findings" in table:
        for name, limit in _table(table["max_findings"], fail, "max_findings").items():
            _known_check(name, checks, fail, f"max_findings.{name}")
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise fail(f"max_findings.{name}", "expected a whole number ≥ 0")
            config.max_findings[name] = limit
    if "severity" in table:
        for name, value in _table(table["severity"], fail, "severity").items():
            _known_check(name, checks, fail, f"severity.{name}")
            if value not in ("critical", "major", "minor"):
                raise fail(f"severity.{name}", f"expected critical, major or minor, got {value!r}")
            config.severity[name] = Severity(value)
    if "thresholds" in table:
        for name, value in _table(table["thresholds"], fail, "thresholds").items():
            if name not in THRESHOLD_KEYS:
                raise fail(f"thresholds.{name}", f"unknown key (known: {', '.join(THRESHOLD_KEYS)})")
            config.thresholds[name] = _number(value, fail, f"thresholds.{name}")
    if "settings" in table:
        for name, values in _table(table["settings"], fail, "settings").items():
            _known_check(name, checks, fail, f"settings.{name}")
            config.settings[name] = dict(_table(values, fail, f"settings.{name}"))
            _validate_settings(name, config.settings[name], fail)
    if "ignore" in table:
        entries = table["ignore"]
        if not isinstance(entries, list):
            raise fail("ignore", "expected a list of finding ids or [[ignore]] tables")
        for i, entry in enumerate(entries):
            config.ignore.append(_ignore_rule(entry, checks, fail, f"ignore[{i}]"))
    return config


def _ignore_rule(entry, checks: set[str], fail, key: str) -> IgnoreRule:
    if isinstance(entry, str):
        return IgnoreRule(id=entry)
    if not isinstance(entry, dict):
        raise fail(key, "expected a finding id or a table with id, pattern or check")
    for name in entry:
        if name not in IGNORE_KEYS:
            raise fail(f"{key}.{name}", f"unknown key (known: {', '.join(IGNORE_KEYS)})")
    if not entry:
        raise fail(key, "empty ignore rule: give id, pattern or check")
    if "id" in entry and "pattern" in entry:
        raise fail(key, "give either id or pattern, not both")
    check = entry.get("check")
    if check is not None:
        _known_check(check, checks, fail, f"{key}.check")
    pattern = None
    if "pattern" in entry:
        if not isinstance(entry["pattern"], str) or not entry["pattern"]:
            raise fail(f"{key}.pattern", "expected a regular expression")
        try:
            pattern = re.compile(entry["pattern"])
        except re.error as exc:
            raise fail(f"{key}.pattern", f"invalid regular expression ({exc})") from None
    finding = entry.get("id")
    if finding is not None and (not isinstance(finding, str) or not finding):
        raise fail(f"{key}.id", "expected a finding id such as \"terminology-9ce696c5d8\"")
    return IgnoreRule(id=finding, pattern=pattern, check=check)


def _table(value, fail, key: str) -> dict:
    if not isinstance(value, dict):
        raise fail(key, "expected a table")
    return value


def _number(value, fail, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(key, f"expected a number, got {value!r}")
    return float(value)


def _check_names() -> set[str]:
    from mtqa.checks import all_checks

    return set(all_checks())


def _validate_settings(name: str, values: dict, fail) -> None:
    from mtqa.checks import all_checks

    validate = all_checks()[name].validate
    if validate is None:
        return
    try:
        validate(values)
    except ConfigError as exc:
        raise fail(f"settings.{name}", str(exc).removeprefix(f"settings.{name}").lstrip(".: ")) from None


def _known_check(name: str, checks: set[str], fail, key: str) -> None:
    if name not in checks:
        raise fail(key, f"unknown check {name!r} (known: {', '.join(sorted(checks))})")


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def _has_mtqa_table(pyproject: Path) -> bool:
    try:
        data = _read_toml(pyproject)
    except ConfigError:
        # A broken pyproject.toml of another project further up is not ours to report; one that mentions
        # our table is, and load_config will say what is wrong with it.
        try:
            return "tool.mtqa" in pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "mtqa" in tool
