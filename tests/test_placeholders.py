"""The placeholder/tag check: what it recognises, what it reports, and that prose is left alone."""

from __future__ import annotations

import pytest

import mtqa
from mtqa.checks import all_checks
from mtqa.checks.placeholders import find_tokens
from mtqa.formats import BilingualFile, BilingualUnit
from mtqa.l10n import L10nChecker, mask_codes


def keys(text):
    return [token.key for token in find_tokens(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello {name}, {0} and {count, number}", ["{name}", "{0}", "{count, number}"]),
        ("%s of %d, %(user)s, %1$s, %.2f, %@", ["%s", "%d", "%(user)s", "%1$s", "%.2f", "%@"]),
        ("Hi {{ user }}", ["{{user}}"]),
        ("<b>bold</b><br/><a href='x'>link</a>", ["<b>", "</b>", "<br/>", "<a>", "</a>"]),
        ("$HOME and ${USER}", ["$HOME", "$USER"]),
        ("{n, plural, one {# file by {who}} other {# files by {who}}}", ["{n, plural}", "{who}", "{who}"]),
        ("{g, select, male {he} other {they}}", ["{g, select}"]),
    ],
)
def test_tokens(text, expected):
    assert keys(text) == expected


@pytest.mark.parametrize(
    "prose",
    ["50% of users", "use 100%%s", "Cost $5 and 3 < 4 > 2", '{"a": 1}', "增长20%以上", "Price: $Price"],
)
def test_prose_has_no_tokens(prose):
    assert keys(prose) == []


def run(pairs):
    units = [
        BilingualUnit(str(i), source, target, path="t.po", line=i + 1)
        for i, (source, target) in enumerate(pairs)
    ]
    checker = L10nChecker(source_lang="zh", target_lang="en")
    result = checker.check_file(BilingualFile("t.po", "po", units))
    return [f for f in result.report.findings if f.check == "placeholders"]


def test_missing_and_added_placeholders():
    findings = run(
        [
            ("欢迎，{name}！", "Welcome!"),
            ("删除%d个文件", "Delete %s files"),
            ("<b>重要</b>通知", "<b>Important</b> notice"),
        ]
    )
    messages = [(f.pair, f.message) for f in findings]
    assert (0, "placeholder {name} of the source is missing from the translation") in messages
    assert (1, "placeholder %d of the source is missing from the translation") in messages
    assert (1, "placeholder %s in the translation is not in the source") in messages
    assert all(f.pair != 2 for f in findings)
    missing = findings[0]
    assert missing.source_span.text == "{name}" and missing.target_span.text == "Welcome!"
    assert missing.severity.value == "major" and missing.category == "locale/markup"


def test_icu_plural_branches_may_differ_between_languages():
    # Chinese has only "other"; English needs "one" and "other": not an error.
    assert run([("{n, plural, other {#个文件}}", "{n, plural, one {# file} other {# files}}")]) == []
    dropped = run([("{n, plural, other {{who}的#个文件}}", "{n, plural, one {# file} other {# files}}")])
    assert [f.message for f in dropped] == ["placeholder {who} of the source is missing from the translation"]
    renamed = run([("{n, plural, other {#个}}", "{count, plural, other {#}}")])
    assert len(renamed) == 2  # {n, plural} missing, {count, plural} added


def test_off_by_default_for_prose_and_on_for_l10n():
    assert all_checks()["placeholders"].default_enabled is False
    report = mtqa.check("他说：“{名字}很好。”", "He said: “good.”", source_lang="zh", target_lang="en")
    assert all(f.check != "placeholders" for f in report.findings)


def test_other_checks_do_not_see_codes():
    # "{name}" is not an untranslated or missing name, "%1$s" not a number.
    unit = BilingualUnit("k", "欢迎{name}，%1$s", "Welcome %1$s", path="t.po", line=1)
    checker = L10nChecker(source_lang="zh", target_lang="en")
    findings = checker.check_file(BilingualFile("t.po", "po", [unit])).report.findings
    assert [f.check for f in findings] == ["placeholders"]


def test_mask_keeps_length_and_branch_text():
    text = "共{n, plural, other {#个<b>文件</b>}}，%s"
    masked = mask_codes(text)
    assert len(masked) == len(text)
    assert "个" in masked and "文件" in masked
    assert "%s" not in masked and "plural" not in masked and "<b>" not in masked and "  " not in masked
