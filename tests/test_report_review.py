"""The reviewer's loop in a real headless Chromium: dismiss findings in the HTML report, download the
decisions as a baseline, and `mtqa check --baseline` no longer fails on them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_html import CHROMIUM_ARGS, _browser

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "samples" / "liaoning-cecep" / "glossary.tsv"
SOURCE = "会议讨论了双碳目标。\n\n我们走访了辽宁的三个城市。\n\n他们还谈到了辽沈战役。\n"
TARGET = ("The meeting discussed the double carbon goal.\n\nWe visited three cities in Liaoning.\n\n"
          "They also talked about the Liaoshen Battle.\n")


def mtqa(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtqa", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd)


@pytest.mark.browser
def test_dismissed_in_the_page_no_longer_fails_the_gate(tmp_path):
    playwright, chromium = _browser()
    (tmp_path / "source.zh.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "target.en.txt").write_text(TARGET, encoding="utf-8")
    common = ["check", "source.zh.txt", "target.en.txt", "--glossary", str(GLOSSARY), "--no-model",
              "--aligner", "length"]
    first = mtqa(*common, "-f", "html=report.html", "-f", "json=before.json", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    majors = [f for f in json.loads((tmp_path / "before.json").read_text())["findings"]
              if f["severity"] == "major"]
    assert sorted(f["target_span"]["text"] for f in majors) == ["Liaoshen Battle", "double carbon"]

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto((tmp_path / "report.html").as_uri())
            page.fill("#reviewer", "Ana")
            for text, reason in (("double carbon", "client style guide allows it"),
                                 ("Liaoshen Battle", "quoted from the source document")):
                item = page.locator("li.finding", has_text=text)
                item.locator("button.review-button[data-state=dismissed]").click()
                assert item.get_attribute("data-state") == "dismissed"
                item.locator("input.review-reason").fill(reason)
            total = page.locator("li.finding").count()
            # Filter by state: hide the dismissed ones.
            page.locator('input.filter-state[value="dismissed"]').uncheck()
            assert page.locator("#visible-count").inner_text() == f"{total - 2} of {total} findings shown"
            page.locator('input.filter-state[value="dismissed"]').check()
            # Reload: the decisions come back from local storage.
            page.reload()
            assert page.locator('li.finding[data-state="dismissed"]').count() == 2
            assert page.locator("li.finding", has_text="double carbon").locator("input.review-reason") \
                .input_value() == "client style guide allows it"
            with page.expect_download() as download_info:
                page.click("#download-baseline")
            baseline = tmp_path / "mtqa-baseline.json"
            download_info.value.save_as(baseline)
            assert errors == []
        finally:
            browser.close()

    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["mtqa_baseline"] == 1
    assert sorted((e["state"], e["author"], e["target"]) for e in data["findings"]) == \
        [("dismissed", "Ana", "Liaoshen Battle"), ("dismissed", "Ana", "double carbon")]
    second = mtqa(*common, "--baseline", "mtqa-baseline.json", "-f", "json", cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    report = json.loads(second.stdout)
    states = {f["target_span"]["text"]: f["baseline_state"] for f in report["findings"] if f["target_span"]}
    assert states["double carbon"] == states["Liaoshen Battle"] == "unchanged"
    assert report["summary"]["passed"] is True
    # Without the baseline the same text still fails: the baseline, not a change, made it pass.
    assert mtqa(*common, "-q", cwd=tmp_path).returncode == 1
