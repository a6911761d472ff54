"""End to end on the bundled sample: the CLI's JSON carries the findings the foundation issue lists."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_report():
    result = subprocess.run(
        [sys.executable, "-m", "mtqa", "check", SAMPLE / "source.zh.txt", SAMPLE / "translation.en.txt",
         "--glossary", SAMPLE / "glossary.tsv", "--format", "json", "--no-model", "--aligner", "length"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def target_text():
    return (SAMPLE / "translation.en.txt").read_text(encoding="utf-8")


def terminology(report):
    return [f for f in report["findings"] if f["category"] == "terminology"]


def test_contract_shape(sample_report):
    assert sample_report["version"] == 1
    assert set(sample_report["summary"]) >= {"pairs", "words", "findings", "score", "passed"}
    assert sample_report["summary"]["passed"] is False
    text = target_text()
    for finding in sample_report["findings"]:
        span = finding["target_span"]
        if span:
            assert text[span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize(
    ("variant", "count"),
    [
        ("double carbon", 3),
        ("China Energy Conservation", 2),
        ("Liaoshen Battle", 1),
        ("central region", 1),
        ("Director of the Standing Committee", 1),
        ("green water and lush mountains", 1),
    ],
)
def test_forbidden_terms_reported_at_their_spans(sample_report, variant, count):
    hits = [f for f in terminology(sample_report)
            if f["severity"] == "major" and f["target_span"]
            and f["target_span"]["text"].lower() == variant.lower()]
    assert len(hits) == count, [f["target_span"] for f in terminology(sample_report)]


def test_company_name_never_flagged_inside_full_name(sample_report):
    text = target_text()
    full = "China Energy Conservation and Environmental Protection Group Co., Ltd."
    full_spans = []
    start = text.find(full)
    while start >= 0:
        full_spans.append((start, start + len(full)))
        start = text.find(full, start + 1)
    for finding in terminology(sample_report):
        span = finding["target_span"]
        if span and finding["severity"] == "major":
            assert not any(a <= span["start"] < b for a, b in full_spans), span


def test_no_terminology_finding_on_preferred_renderings(sample_report):
    preferred = ["dual carbon", "CECEP", "Liaoshen Campaign", "Hao Peng", "Li Lecheng", "Song Xin",
                 "Shenyang"]
    for finding in terminology(sample_report):
        span = finding["target_span"]
        if span:
            assert span["text"] not in preferred, finding


def test_page_furniture_is_reported_as_additions(sample_report):
    additions = [f["target_span"]["text"] for f in sample_report["findings"]
                 if f["category"] == "accuracy/addition" and f["target_span"]]
    joined = "\n".join(additions)
    for furniture in ["See also", "You may also like", "Leave a Comment", "cookies", "Akismet",
                      "Privacy & Cookies Policy", "How Donald Trump monetized his impeachment"]:
        assert furniture in joined, furniture
    # The article's own sentences are not additions.
    assert "Relevant comrades in charge of CECEP" not in joined
    assert "Strengthen cooperation in governance" not in joined


def test_no_omissions_of_real_sentences(sample_report):
    omissions = [f for f in sample_report["findings"] if f["category"] == "accuracy/omission"
                 and f["check"] == "alignment"]
    assert omissions == []
