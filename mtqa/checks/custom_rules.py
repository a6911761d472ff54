"""Custom rules from the config file, as Verifika and Xbench have them: where a source regex matches, a target
regex (with the source match's groups put in) must match the aligned target::

    [[settings.custom_rules.rules]]
    source = '(\\d+)亿'                       # Python regex on the source text of a pair
    target = '\\1 hundred million|\\d+(\\.\\d+)? billion'   # \\1, \\g<name>: the source match's groups
    message = "亿 is a hundred million"       # shown with the finding
    severity = "major"                        # minor | major | critical (default major)
    category = "locale/number"                # default accuracy/mistranslation
    absent = false                            # true: the target regex must NOT match (a banned form)

Group values are inserted escaped, so a "." or "+" taken from the source matches itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from mtqa.checks import CheckContext, Setting, register_check
from mtqa.data import Category, Finding, Severity
from mtqa.errors import ConfigError

NAME = "custom_rules"
RULE_KEYS = {"source", "target", "message", "severity", "category", "absent"}
_GROUP = re.compile(r"\\(\d{1,2})|\\g<(\w+)>")


@dataclass(frozen=True)
class Rule:
    source: re.Pattern[str]
    target: str
    message: str
    severity: Severity
    category: str
    absent: bool


def parse_rules(settings: dict) -> list[Rule]:
    """The rules of ``[settings.custom_rules]``; a malformed one is a ``ConfigError`` naming it (exit 2)."""
    raw = settings.get("rules", [])
    if not isinstance(raw, list):
        raise ConfigError(f"settings.{NAME}.rules: expected a list of tables ([[settings.{NAME}.rules]])")
    rules = []
    for index, item in enumerate(raw):
        key = f"settings.{NAME}.rules[{index}]"
        if not isinstance(item, dict) or set(item) - RULE_KEYS or not {"source", "target"} <= set(item):
            raise ConfigError(f"{key}: expected a table with source, target and optionally message, "
                              "severity, category, absent")
        try:
            source = re.compile(item["source"])
            re.compile(_GROUP.sub("x", item["target"]))
        except (re.error, TypeError) as exc:
            raise ConfigError(f"{key}: invalid regular expression ({exc})") from None
        severity = item.get("severity", "major")
        if severity not in ("minor", "major", "critical"):
            raise ConfigError(f"{key}.severity: expected minor, major or critical, got {severity!r}")
        rules.append(Rule(source, str(item["target"]), str(item.get("message", "custom rule")),
                          Severity(severity), str(item.get("category", Category.MISTRANSLATION.value)),
                          bool(item.get("absent", False))))
    return rules


def target_pattern(template: str, match: re.Match[str]) -> re.Pattern[str]:
    def group(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2)
        try:
            value = match.group(int(name) if name.isdigit() else name)
        except IndexError:
            raise ConfigError(f"settings.{NAME}: the target refers to group {name}, which the source regex "
                              "does not have") from None
        return re.escape(value or "")

    return re.compile(_GROUP.sub(group, template), re.IGNORECASE)


@register_check(
    NAME,
    description="Rules from the config file: where a source regex matches, a target regex (with the source's "
    "groups) must match the translation (or must not, with absent = true).",
    categories=(Category.MISTRANSLATION.value,),
    severity=Severity.MAJOR.value,
    settings=(Setting("rules", [], "list of {source, target, message, severity, category, absent}"),),
    validate=parse_rules,
)
def check_custom_rules(ctx: CheckContext) -> Iterator[Finding]:
    rules = parse_rules(ctx.settings.get(NAME, {}))
    if not rules:
        return
    for pair in ctx.aligned_pairs():
        source = pair.source_text(ctx.source)
        target = pair.target_text(ctx.target)
        for rule in rules:
            for match in rule.source.finditer(source):
                found = target_pattern(rule.target, match).search(target)
                if (found is None) == rule.absent:
                    continue
                start = pair.source_start
                source_span = ctx.source_span(start + match.start(), start + match.end())
                target_span = None
                if found is not None:
                    target_span = ctx.target_span(pair.target_start + found.start(),
                                                  pair.target_start + found.end())
                yield Finding(NAME, rule.category, rule.severity,
                              f"{rule.message} (rule {rule.source.pattern!r})", None, pair.id,
                              source_span=source_span, target_span=target_span)
