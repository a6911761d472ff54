"""The HTML report: escaped, self-contained, spans mapped into the pair texts; and, in a real headless
Chromium, findings visible and the filters working on the bundled sample (screenshot to docs/)."""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_sample import sample_report

from mtqa.data import Finding, Severity
from mtqa.report.html import highlight, render_html

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "liaoning-cecep"
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


class _Marks(HTMLParser):
    """Collects the text under each finding id, per side (the ``lang`` of the enclosing side cell)."""

    def __init__(self) -> None:
        super().__init__()
        self.side: str | None = None
        self.depth = 0
        self.mark: list[str] | None = None
        self.text: dict[tuple[str, str], str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and "side" in (attributes.get("class") or "").split():
            self.side, self.depth = attributes.get("lang"), 0
        elif tag == "div" and self.side is not None:
            self.depth += 1
        if tag == "mark":
            self.mark = (attributes.get("data-f") or "").split()

    def handle_endtag(self, tag):
        if tag == "mark":
            self.mark = None
        elif tag == "div" and self.side is not None:
            if self.depth == 0:
                self.side = None
            else:
                self.depth -= 1

    def handle_data(self, data):
        if self.mark is not None and self.side is not None:
            for fid in self.mark:
                key = (self.side, fid)
                self.text[key] = self.text.get(key, "") + data


def test_untrusted_text_is_escaped():
    page = render_html(sample_report())
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "目标&lt;b&gt;<mark" in page and "</mark>&lt;/b&gt;" in page
    assert page.count("<script>") == 1  # ours only
    assert "<b>" not in page


def test_page_is_self_contained():
    page = render_html(sample_report())
    assert '<meta charset="utf-8">' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "Noto Sans CJK SC" in page  # a CJK-capable font stack


def test_spans_are_highlighted_on_both_sides():
    report = sample_report()
    parser = _Marks()
    parser.feed(render_html(report))
    for index, finding in enumerate(report.findings):
        if finding.pair is None:
            continue
        if finding.target_span is not None:
            assert parser.text[("en", str(index))] == finding.target_span.text
        if finding.source_span is not None:
            assert parser.text[("zh", str(index))] == finding.source_span.text


def test_overlapping_spans_split_into_pieces():
    minor = Finding("a", "terminology", Severity.MINOR, "m<1>")
    major = Finding("b", "terminology", Severity.MAJOR, "m2")
    out = highlight("x<abcdef", 10, [(11, 15, 0, minor), (13, 17, 1, major), (40, 45, 2, major)])
    marks = re.findall(r'<mark class="sev-(\w+)" data-f="([\d ]+)" title="[^"]*">(.*?)</mark>', out)
    assert marks == [("minor", "0", "&lt;a"), ("major", "0 1", "bc"), ("major", "1", "de")]
    assert out.startswith("x<mark") and out.endswith("</mark>f")
    assert "m&lt;1&gt;" in out


def test_pairs_without_findings_are_collapsed():
    report = sample_report()
    report.findings = [f for f in report.findings if f.pair != 2]
    page = render_html(report)
    assert '<details class="quiet"><summary>1 pair without findings (pair 2)</summary>' in page


def test_reference_metrics_are_shown():
    from mtqa.metrics import CorpusScore, ReferenceMetrics

    reference = ReferenceMetrics(
        "ref<1>.txt",
        [CorpusScore("BLEU", 41.5, "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
                     "BLEU = 41.50")],
        {0: 55.25, 1: 88.0},
    )
    page = render_html(sample_report(), reference)
    assert "ref&lt;1&gt;.txt" in page and "tok:13a" in page and "41.50" in page
    assert "<span>chrF 55.2</span>" in page or "<span>chrF 55.3</span>" in page
    assert "Per-pair model estimate" in page  # the model's estimate comes first where there is one
    report = sample_report()
    report.scores = {}
    assert "Per-pair chrF against the reference" in render_html(report, reference)


def _browser():
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("no Chromium binary (apt-get install chromium); the browser test needs one")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    return playwright, shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.browser
def test_sample_report_in_headless_chromium(tmp_path, monkeypatch):
    playwright, chromium = _browser()
    from mtqa.cli import main

    page_path = tmp_path / "report.html"
    monkeypatch.chdir(ROOT)  # the paths in the page read as a user in the repository would type them
    sample = SAMPLE.relative_to(ROOT)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(sample / "source.zh.txt"), str(sample / "translation.en.txt"),
              "--glossary", str(sample / "glossary.tsv"), "--no-model", "--format", f"html={page_path}"])
    assert exit_info.value.code == 1  # the sample fails the default gate
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_path.as_uri())
            findings = page.locator("li.finding")
            total = findings.count()
            assert total > 10
            assert page.locator("#visible-count").inner_text() == f"{total} of {total} findings shown"
            double_carbon = page.locator("mark", has_text="double carbon").first
            assert double_carbon.is_visible()
            assert "sev-major" in double_carbon.get_attribute("class")
            assert page.get_by_text("中国节能").first.is_visible()  # CJK text is in the page

            # Clicking a span selects its finding.
            double_carbon.click()
            active = page.locator("li.finding.active")
            assert active.count() >= 1 and "double carbon" in active.first.inner_text()

            # Category filter: hide the additions; terminology stays.
            additions = page.locator('li.finding[data-category="accuracy/addition"]')
            n_additions = additions.count()
            assert n_additions > 0 and additions.first.is_visible()
            page.locator('input.filter-category[value="accuracy/addition"]').uncheck()
            assert not additions.first.is_visible()
            assert page.locator("#visible-count").inner_text() == \
                f"{total - n_additions} of {total} findings shown"
            assert double_carbon.is_visible()
            # A pair that had only additions is hidden, its spans unhighlighted.
            hidden_pairs = page.locator("section.pair.hidden")
            assert hidden_pairs.count() > 0

            # Severity filter: hide minor findings.
            minor = page.locator('li.finding[data-severity="minor"]:not(.hidden)')
            assert minor.count() > 0
            page.locator('input.filter-severity[value="minor"]').uncheck()
            assert page.locator('li.finding[data-severity="minor"]:not(.hidden)').count() == 0
            page.locator('input.filter-severity[value="minor"]').check()

            assert errors == []
            page.locator("#filters").scroll_into_view_if_needed()
            # The committed screenshot is refreshed only on request, so a test run leaves the tree clean.
            update = os.environ.get("MTQA_UPDATE_SCREENSHOT")
            screenshot = SCREENSHOT if update else page_path.with_suffix(".png")
            screenshot.parent.mkdir(exist_ok=True)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    assert screenshot.stat().st_size > 10_000
