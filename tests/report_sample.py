"""A small hand-built Report for the report-format tests: they must not depend on the aligner or the checks.

Spans are real document offsets, and the texts carry what breaks naive renderers: markup, ``%``, commas
and colons, a second line, CJK text.
"""

from __future__ import annotations

from mtqa.data import AlignedPair, Document, Finding, PairScore, Report, Segment, Severity, Span, Summary

SOURCE = "辽宁省与中国节能举行会谈。\n\n双碳目标<b>稳步推进</b>，增长20%。\n"
TARGET = (
    "Liaoning held talks with China Energy Conservation.\n\n"
    "The double carbon goals <script>alert(1)</script> advance, up 20%.\n"
    "See also: 100% green, more news\n"
)


def _segments(text: str, pieces: list[str]) -> list[Segment]:
    segments = []
    paragraph = 0
    for i, piece in enumerate(pieces):
        start = text.index(piece)
        if i and "\n\n" in text[segments[-1].end:start]:
            paragraph += 1
        segments.append(Segment(i, start, start + len(piece), piece, paragraph))
    return segments


def _span(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start, start + len(needle), needle)


def sample_report(*, passed: bool = False, path_prefix: str = "samples/x/") -> Report:
    source = Document(SOURCE, "zh", f"{path_prefix}source.zh.txt")
    target = Document(TARGET, "en", f"{path_prefix}translation.en.txt")
    source.segments = _segments(SOURCE, ["辽宁省与中国节能举行会谈。", "双碳目标<b>稳步推进</b>，增长20%。"])
    target.segments = _segments(TARGET, [
        "Liaoning held talks with China Energy Conservation.",
        "The double carbon goals <script>alert(1)</script> advance, up 20%.",
        "See also: 100% green, more news",
    ])
    s, t = source.segments, target.segments
    pairs = [
        AlignedPair(0, (0,), (0,), s[0].start, s[0].end, t[0].start, t[0].end),
        AlignedPair(1, (1,), (1,), s[1].start, s[1].end, t[1].start, t[1].end),
        AlignedPair(2, (), (2,), None, None, t[2].start, t[2].end),
    ]
    findings = [
        Finding("terminology", "terminology", Severity.MAJOR,
                "forbidden rendering \"China Energy Conservation\" of 中国节能", "CECEP", 0,
                _span(SOURCE, "中国节能"), _span(TARGET, "China Energy Conservation")),
        Finding("terminology", "terminology", Severity.MAJOR,
                "forbidden rendering \"double carbon\" of 双碳, 50% of: the uses\nsecond line",
                "dual carbon", 1,
                _span(SOURCE, "双碳"), _span(TARGET, "double carbon")),
        Finding("numbers", "locale/number", Severity.MINOR, "number <20> check", None, 1,
                _span(SOURCE, "20%"), _span(TARGET, "20%")),
        Finding("additions", "accuracy/addition", Severity.MAJOR,
                "target text with no source counterpart (page furniture)", None, 2,
                None, _span(TARGET, "See also: 100% green, more news")),
        Finding("omissions", "accuracy/omission", Severity.MINOR, "稳步推进 not rendered", None, 1,
                _span(SOURCE, "稳步推进"), None),
        Finding("consistency", "fluency/inconsistency", Severity.MINOR,
                "term rendered two ways\x0b across the document", None, None, None, None),
    ]
    counts = {"critical": 0, "major": 3, "minor": 3}
    summary = Summary(pairs=3, words=24, findings=counts, score=12.5, passed=passed)
    scores = {0: PairScore(adequacy=80.0, fluency=90.0, estimate=85.0),
              1: PairScore(adequacy=55.0, fluency=70.0, estimate=60.0)}
    return Report(source, target, pairs, findings, summary, scores)
