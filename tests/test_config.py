"""The config file: discovery, strict keys, and that its thresholds and overrides change the exit code as
documented (0 passed, 1 gate failed, 2 usage/config error), with command-line flags on top."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mtqa.config import find_config, load_config, parse_config
from mtqa.data import PairScore, Severity
from mtqa.errors import ConfigError
from mtqa.pipeline import CheckOptions, summarise

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "liaoning-cecep"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder holding the sample, as the working directory."""
    for name in ("source.zh.txt", "translation.en.txt", "glossary.tsv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, glossary: bool = True) -> tuple[int, str]:
    """``mtqa check`` on the sample in the working directory, in process; returns (exit code, JSON)."""
    from mtqa.cli import main

    if glossary:
        args = ("--glossary", "glossary.tsv", *args)

    out = Path("out.json")
    if out.exists():
        out.unlink()
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "source.zh.txt", "translation.en.txt", "--no-model", "--aligner", "length",
              "-f", f"json={out}", *args])
    return exit_info.value.code, out.read_text(encoding="utf-8") if out.exists() else ""


def findings(text: str) -> list[dict]:
    return json.loads(text)["findings"]


def _starts(finding: dict, prefix: str) -> bool:
    return bool(finding["target_span"]) and finding["target_span"]["text"].startswith(prefix)


def test_discovery_walks_up_and_prefers_mtqa_toml(tmp_path):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) is None or not str(find_config(nested)).startswith(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text("[tool.mtqa]\nfail_on = 'minor'\n", encoding="utf-8")
    assert find_config(nested) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert find_config(nested) == tmp_path / "pyproject.toml"  # no [tool.mtqa]: passed over
    (tmp_path / "a" / "mtqa.toml").write_text("fail_on = 'never'\n", encoding="utf-8")
    assert find_config(nested) == tmp_path / "a" / "mtqa.toml"
    assert load_config(start=nested).fail_on == "never"
    assert load_config(tmp_path / "pyproject.toml").fail_on == "minor"


def test_every_key_parses(tmp_path):
    path = tmp_path / "mtqa.toml"
    path.write_text(
        """
glossary = ["terms.tsv", "more/names.csv"]
source_lang = "zh"
target_lang = "en"
fail_on = "minor"
min_score = 90
enable = ["placeholders"]
disable = ["punctuation"]
max_findings = { terminology = 2 }
ignore = ["terminology-0123456789"]
[severity]
numbers = "minor"
[thresholds]
adequacy = 40
fluency = 30.5
[settings.alignment]
absolute_low = 0.2
[[ignore]]
pattern = "^See also"
check = "alignment"
""".replace('ignore = ["terminology-0123456789"]\n', ""),
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.glossaries == [tmp_path / "terms.tsv", tmp_path / "more" / "names.csv"]
    assert (config.source_lang, config.target_lang) == ("zh", "en")
    assert (config.fail_on, config.min_score) == ("minor", 90)
    options = config.to_options()
    assert options.fail_on is Severity.MINOR and options.min_score == 90
    assert "placeholders" in options.enabled_checks and "terminology" in options.enabled_checks
    assert options.disabled_checks == {"punctuation"}
    assert options.severity_overrides == {"numbers": Severity.MINOR}
    assert options.max_findings == {"terminology": 2}
    assert (options.min_adequacy, options.min_fluency) == (40.0, 30.5)
    assert options.check_settings == {"alignment": {"absolute_low": 0.2}}
    assert len(options.ignore) == 1 and options.ignore[0].check == "alignment"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("fial_on = 'major'\n", "fial_on"),
        ("[severity]\nterminolgy = 'minor'\n", "severity.terminolgy"),
        ("[thresholds]\nbleu = 3\n", "thresholds.bleu"),
        ("[[ignore]]\nregex = 'x'\n", "ignore[0].regex"),
        ("fail_on = 'sometimes'\n", "fail_on"),
        ("min_score = 'high'\n", "min_score"),
        ("disable = ['nonsense']\n", "disable"),
        ("[[ignore]]\npattern = '(unclosed'\n", "ignore[0].pattern"),
        ("max_findings = { terminology = -1 }\n", "max_findings.terminology"),
    ],
)
def test_bad_keys_name_the_key(tmp_path, toml, key):
    path = tmp_path / "mtqa.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: {key}:" in str(error.value)


def test_pyproject_keys_are_named_with_their_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.mtqa]\nfail_on = 'major'\nthreshold = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tool\.mtqa\.threshold: unknown key"):
        load_config(path)


def test_unknown_key_is_exit_2_with_one_line(project):
    (project / "mtqa.toml").write_text("fail_on = 'major'\nmin_scor = 80\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mtqa", "check", "source.zh.txt", "translation.en.txt", "--no-model"],
        capture_output=True, text=True, cwd=project, timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "mtqa.toml: min_scor: unknown key" in lines[0]


def test_invalid_toml_is_exit_2(project):
    (project / "mtqa.toml").write_text("fail_on = \n", encoding="utf-8")
    code, _ = run()
    assert code == 2


def test_thresholds_and_overrides_change_the_exit_code(project):
    config = project / "mtqa.toml"
    code, text = run()
    assert code == 1  # the sample has major findings: the default gate fails
    report = json.loads(text)
    score = report["summary"]["score"]
    major_checks = sorted({f["check"] for f in report["findings"] if f["severity"] != "minor"})
    assert major_checks

    config.write_text("fail_on = 'never'\n", encoding="utf-8")
    assert run()[0] == 0
    # The flag beats the file.
    assert run("--fail-on", "major")[0] == 1

    config.write_text(f"fail_on = 'never'\nmin_score = {score + 1}\n", encoding="utf-8")
    assert run()[0] == 1
    config.write_text(f"fail_on = 'never'\nmin_score = {score - 1}\n", encoding="utf-8")
    assert run()[0] == 0
    assert run("--min-score", str(score + 1))[0] == 1

    # Per-check severity overrides: the checks that found major problems now report them as minor.
    overrides = "".join(f"{name} = 'minor'\n" for name in major_checks)
    config.write_text(f"[severity]\n{overrides}", encoding="utf-8")
    code, text = run()
    assert code == 0
    assert {f["severity"] for f in findings(text)} == {"minor"}
    config.write_text(f"fail_on = 'minor'\n[severity]\n{overrides}", encoding="utf-8")
    assert run()[0] == 1

    # Per-check limit: more terminology findings than allowed fails an otherwise lenient gate.
    terminology = sum(1 for f in report["findings"] if f["check"] == "terminology")
    config.write_text(f"fail_on = 'never'\nmax_findings = {{ terminology = {terminology - 1} }}\n",
                      encoding="utf-8")
    assert run()[0] == 1
    config.write_text(f"fail_on = 'never'\nmax_findings = {{ terminology = {terminology} }}\n",
                      encoding="utf-8")
    assert run()[0] == 0


def test_ignore_rules_drop_findings(project):
    from mtqa.data import Finding, Span
    from mtqa.report.locations import finding_id

    config = project / "mtqa.toml"
    _, text = run()
    majors = [f for f in findings(text) if f["severity"] != "minor"]
    see_also = [f for f in findings(text) if _starts(f, "See also")]
    assert see_also

    def rebuild(f: dict) -> Finding:
        span = lambda s: Span(s["start"], s["end"], s["text"]) if s else None  # noqa: E731
        return Finding(f["check"], f["category"], Severity(f["severity"]), f["message"], f["suggestion"],
                       f["pair"], span(f["source_span"]), span(f["target_span"]))

    ids = sorted({finding_id(rebuild(f)) for f in majors})
    config.write_text("ignore = [" + ", ".join(f'"{i}"' for i in ids) + "]\n", encoding="utf-8")
    code, text = run()
    assert code == 0
    assert all(f["severity"] == "minor" for f in findings(text))

    config.write_text("[[ignore]]\npattern = '^See also'\ncheck = 'alignment'\n", encoding="utf-8")
    _, text = run()
    assert not [f for f in findings(text) if _starts(f, "See also")]
    assert [f for f in findings(text) if f["check"] == "terminology"]  # other findings stay


def test_disable_and_glossary_from_config(project):
    config = project / "mtqa.toml"
    config.write_text("glossary = 'glossary.tsv'\n", encoding="utf-8")
    _, with_glossary = run(glossary=False)
    assert any(f["check"] == "terminology" for f in findings(with_glossary))
    config.write_text("glossary = 'glossary.tsv'\ndisable = ['terminology']\n", encoding="utf-8")
    _, without = run(glossary=False)
    assert not any(f["check"] == "terminology" for f in findings(without))


def test_model_score_thresholds_gate_on_the_document_mean():
    from mtqa.data import Document
    from mtqa.languages import get_language

    target = Document("One two three four.", "en")
    scores = {0: PairScore(adequacy=50.0, fluency=70.0), 1: PairScore(adequacy=30.0, fluency=90.0)}
    language = get_language("en")

    def passed(**thresholds) -> bool:
        options = CheckOptions(**thresholds)
        return summarise(target, [], [], scores, options, language).passed

    assert passed(min_adequacy=40.0, min_fluency=80.0)
    assert not passed(min_adequacy=40.1)
    assert not passed(min_fluency=80.1)
    # Without a model there is no mean to compare: the threshold cannot fail the gate.
    assert summarise(target, [], [], {}, CheckOptions(min_adequacy=99.0), language).passed


def test_parse_config_accepts_an_empty_table(tmp_path):
    assert parse_config({}, tmp_path / "mtqa.toml").to_options().fail_on is Severity.MAJOR
