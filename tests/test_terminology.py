"""The terminology check on hand-built aligned pairs (no aligner involved), and on the bundled sample."""

from __future__ import annotations

from collections import Counter

import pytest

from mtqa.checks import CheckContext
from mtqa.checks.terminology import check_terminology
from mtqa.data import AlignedPair, Document, Glossary, GlossaryEntry, Severity
from mtqa.languages import get_language
from mtqa.terms import find_terms
from tests.conftest import SAMPLE

GLOSSARY = Glossary(
    [
        GlossaryEntry("双碳", "dual carbon", ("double carbon",)),
        GlossaryEntry(
            "中国节能环保集团有限公司",
            "China Energy Conservation and Environmental Protection Group Co., Ltd.",
        ),
        GlossaryEntry("中国节能", "CECEP", ("China Energy Conservation", "CEC")),
        GlossaryEntry("节能环保", "energy conservation and environmental protection"),
        GlossaryEntry("辽沈战役", "Liaoshen Campaign", ("Liaoshen Battle",)),
        GlossaryEntry("央地", "central and local", ("central region",)),
        GlossaryEntry(
            "省人大常委会主任",
            "Chairman of the Standing Committee of the Provincial People's Congress",
            ("Director of the Standing Committee",),
        ),
        GlossaryEntry("老工业基地", "old industrial bases"),
        GlossaryEntry("省长", "Governor"),
    ]
)


def make_context(
    pairs: list[tuple[str | None, str | None]],
    glossary: Glossary = GLOSSARY,
    source_lang: str = "zh",
    target_lang: str = "en",
) -> CheckContext:
    """One line per side and pair; ``None`` on a side makes a one-sided bead (an omission or addition)."""
    aligned = []
    source_parts, target_parts = [], []
    source_offset = target_offset = 0
    for index, (source, target) in enumerate(pairs):
        source_ids = (len(source_parts),) if source is not None else ()
        target_ids = (len(target_parts),) if target is not None else ()
        aligned.append(
            AlignedPair(
                index, source_ids, target_ids,
                source_offset if source is not None else None,
                source_offset + len(source) if source is not None else None,
                target_offset if target is not None else None,
                target_offset + len(target) if target is not None else None,
            )
        )
        if source is not None:
            source_parts.append(source)
            source_offset += len(source) + 1
        if target is not None:
            target_parts.append(target)
            target_offset += len(target) + 1
    source = Document("\n".join(source_parts) + "\n", source_lang)
    target = Document("\n".join(target_parts) + "\n", target_lang)
    languages = get_language(source_lang), get_language(target_lang)
    return CheckContext(source, target, *languages, aligned, glossary)


def run(pairs, **kwargs):
    return list(check_terminology(make_context(pairs, **kwargs)))


def of_kind(findings, severity: Severity, category: str = "terminology"):
    return [f for f in findings if f.severity == severity and f.category == category]


# --- matching ------------------------------------------------------------------------------------------


def test_longest_match_first_on_the_source_side():
    terms = ["中国节能", "节能环保", "中国节能环保集团有限公司"]
    text = "辽宁省与中国节能环保集团有限公司举行会谈，中国节能聚焦节能环保主业。"
    found = [(terms[m.key], text[m.start : m.end]) for m in find_terms(text, terms, word_separated=False)]
    assert found == [
        ("中国节能环保集团有限公司", "中国节能环保集团有限公司"),
        ("中国节能", "中国节能"),
        ("节能环保", "节能环保"),
    ]


def test_full_company_name_is_one_term_and_its_rendering_is_fine():
    findings = run([
        ("辽宁省与中国节能环保集团有限公司举行会谈。",
         "Liaoning Province held talks with China Energy Conservation and Environmental Protection Group "
         "Co., Ltd."),
    ])
    assert findings == []


def test_forbidden_prefix_inside_a_longer_glossary_rendering_is_masked():
    # 中国节能 (short name) in the source, and the target contains its forbidden variant only as the start of
    # the full company name, plus once standing alone: only the standalone one is reported.
    context = make_context([
        ("中国节能环保集团有限公司董事长说，中国节能将坚持绿色发展。",
         "The chairman of China Energy Conservation and Environmental Protection Group Co., Ltd. said that "
         "China Energy Conservation will adhere to green development."),
    ])
    majors = of_kind(check_terminology(context), Severity.MAJOR)
    assert len(majors) == 1
    assert majors[0].target_span.start == context.target.text.rindex("China Energy Conservation")


def test_word_boundaries_in_spaced_scripts():
    # "CEC" (forbidden) must not fire inside "CECEP"; "Governor" counts in "Governors" but not "Governorate".
    findings = run([
        ("中国节能发展良好。", "CECEP is doing well."),
        ("省长出席。", "The Governorate attended."),
    ])
    assert of_kind(findings, Severity.MAJOR) == []
    missing = of_kind(findings, Severity.MINOR)
    assert [f.source_span.text for f in missing] == ["省长"]
    assert run([("各省长出席。", "The Governors attended.")]) == []


# --- forbidden and missing -----------------------------------------------------------------------------


def test_forbidden_variant_is_major_with_suggestion_and_exact_spans():
    context = make_context([
        ("辽宁省与中国节能举行会谈。", "Liaoning held talks."),
        ("实现“双碳”目标。", "Achieve the “double carbon” goal."),
    ])
    findings = list(check_terminology(context))
    assert len(findings) == 2
    missing, forbidden = findings
    assert forbidden.severity == Severity.MAJOR
    assert forbidden.category == "terminology"
    assert forbidden.check == "terminology"
    assert forbidden.suggestion == "dual carbon"
    assert forbidden.pair == 1
    span = forbidden.target_span
    assert span.text == "double carbon" == context.target.text[span.start : span.end]
    assert context.target.text.index("double carbon") == span.start
    assert forbidden.source_span.text == "双碳" == context.source.text[forbidden.source_span.start :
                                                                       forbidden.source_span.end]
    assert "dual carbon" in forbidden.message and "double carbon" in forbidden.message
    # The pair without any rendering of 中国节能 gets a minor "missing" finding, no forbidden one.
    assert missing.severity == Severity.MINOR and missing.pair == 0
    assert missing.source_span.text == "中国节能" and missing.suggestion == "CECEP"
    assert missing.target_span is None


def test_forbidden_variant_is_not_also_missing():
    findings = run([("助力打赢新时代“辽沈战役”。", "Help win the “Liaoshen Battle” in the new era.")])
    assert [(f.severity, f.target_span.text) for f in findings] == [(Severity.MAJOR, "Liaoshen Battle")]


def test_forbidden_variant_needs_its_source_term_in_the_pair():
    # "central region" is a fine rendering of 中部地区: only a pair with 央地 in its source makes it wrong.
    assert run([("中部地区发展迅速。", "The central region is developing fast.")]) == []
    findings = run([("发挥央地优势", "Give full play to the advantages of the central region")])
    assert [f.target_span.text for f in of_kind(findings, Severity.MAJOR)] == ["central region"]


def test_each_forbidden_occurrence_is_reported_and_paired_with_its_source_occurrence():
    context = make_context([
        ("中国节能与辽宁合作良好，我们愿与中国节能一道前进，支持中国节能发展。",
         "China Energy Conservation and Liaoning cooperate well; we will work with CECEP and support "
         "China energy conservation's development."),
    ])
    findings = list(check_terminology(context))
    majors = of_kind(findings, Severity.MAJOR)
    assert [f.target_span.text for f in majors] == ["China Energy Conservation", "China energy conservation"]
    source = context.source.text
    assert [f.source_span.start for f in majors] == [source.index("中国节能"), source.rindex("中国节能")]
    assert of_kind(findings, Severity.MINOR) == []  # one consistency finding only, below
    assert [f.category for f in findings if f not in majors] == ["fluency/inconsistency"]


def test_missing_term_is_minor_once_per_pair():
    findings = run([
        ("中国节能聚焦主业。中国节能产业链完整。",
         "The group focuses on its main business. It has a complete chain."),
    ])
    assert len(findings) == 1
    assert findings[0].severity == Severity.MINOR
    assert "2 occurrences" in findings[0].message


def test_missing_can_be_switched_off():
    context = make_context([("中国节能聚焦主业。", "The group focuses on its main business.")])
    context.settings = {"terminology": {"missing": False}}
    assert list(check_terminology(context)) == []


def test_consistency_can_be_switched_off():
    context = make_context([("中国节能", "CECEP"), ("中国节能", "China Energy Conservation")])
    context.settings = {"terminology": {"consistency": False}}
    assert [f.category for f in check_terminology(context)] == ["terminology"]


def test_single_character_and_quoted_terms():
    glossary = Glossary([
        GlossaryEntry("省", "province", ("provence",)),
        GlossaryEntry("“双碳”", "“dual carbon”", ("\"double carbon\"",)),
    ])
    pair = ("全省实现“双碳”目标", 'The Provence achieves the "double carbon" goal')
    findings = run([pair], glossary=glossary)
    assert [f.target_span.text for f in findings] == ["Provence", '"double carbon"']


def test_forbid_only_entry_reports_without_suggestion_and_never_missing():
    glossary = Glossary([GlossaryEntry("央地", "", ("central region",))])
    assert run([("央地合作", "cooperation between the centre and the provinces")], glossary=glossary) == []
    findings = run([("央地合作", "central region cooperation")], glossary=glossary)
    assert [(f.severity, f.suggestion) for f in findings] == [(Severity.MAJOR, None)]


def test_rendering_in_an_unaligned_neighbour_is_used():
    # The aligner left the second target sentence unaligned (0-1); it holds the forbidden variant of the
    # term that the first bead's source has.
    context = make_context([
        ("他说，中国节能将聚焦实现“双碳”目标。", "He said that CECEP will adhere to green development."),
        (None, "It will focus on the “double carbon” goal."),
    ])
    findings = list(check_terminology(context))
    assert [(f.severity, f.pair, f.source_span.text, f.target_span.text) for f in findings] == [
        (Severity.MAJOR, 1, "双碳", "double carbon")
    ]


def test_rendering_in_a_misaligned_neighbour_is_used_once():
    context = make_context([
        ("实现“双碳”目标。", "Achieve the goal."),
        ("辽宁愿合作。", "Dual carbon matters. Liaoning is willing to cooperate."),
        ("聚焦“双碳”目标。", "Focus on the goal."),
    ])
    findings = list(check_terminology(context))
    # The one "Dual carbon" in bead 1 explains bead 0's term; bead 2's term stays missing.
    assert [(f.severity, f.pair) for f in findings] == [(Severity.MINOR, 2)]


def test_neighbour_with_its_own_term_is_not_borrowed_from():
    findings = run([
        ("实现“双碳”目标。", "Achieve the goal."),
        ("聚焦“双碳”目标。", "Focus on the dual carbon goal."),
    ])
    assert [(f.severity, f.pair) for f in findings] == [(Severity.MINOR, 0)]


# --- tolerance of the English side ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "It will help win the Liaoshen Campaign in the new era.",
        "The Liaoshen Campaign's lessons remain.",
        "The Liaoshen Campaign’s lessons remain.",  # curly apostrophe
        "the LIAOSHEN campaign",  # case
        "the Liaoshen-Campaign",  # hyphen for a space
    ],
)
def test_preferred_rendering_variants_are_accepted(target):
    assert run([("辽沈战役", target)]) == []


@pytest.mark.parametrize(
    "target",
    [
        "achieve the dual-carbon goals",
        "achieve the Dual Carbon goal",
        "achieve the dual‑carbon goals",  # non-breaking hyphen
    ],
)
def test_hyphen_and_space_variation(target):
    assert run([("实现双碳目标", target)]) == []


def test_forbidden_variants_are_found_with_the_same_tolerance():
    findings = run([
        ("实现双碳目标", "achieve the Double-Carbon goals"),
        ("辽沈战役", "the Liaoshen Battles"),
    ])
    assert [f.target_span.text for f in findings] == ["Double-Carbon", "Liaoshen Battles"]


def test_straight_apostrophe_in_glossary_matches_curly_in_text():
    findings = run([
        ("省人大常委会主任郝鹏",
         "Hao Peng, Chairman of the Standing Committee of the Provincial People’s Congress"),
    ])
    assert findings == []


def test_plural_glossary_term_accepts_singular():
    assert run([("老工业基地", "an old industrial base")]) == []
    assert run([("老工业基地", "old industrial bases")]) == []


def test_tolerance_does_not_hide_a_different_wording():
    # "energy-saving" is not "energy conservation": a real deviation from the glossary stays reported.
    source = "支持节能环保产业集群发展"
    findings = run([(source, "support energy-saving and environmental protection industry")])
    assert [f.severity for f in findings] == [Severity.MINOR]
    assert run([(source, "support energy conservation and environmental protection")]) == []


# --- consistency ---------------------------------------------------------------------------------------


def test_inconsistent_renderings_are_reported_once_with_their_pairs():
    findings = run([
        ("中国节能聚焦主业。", "CECEP focuses on its main business."),
        ("辽宁与中国节能合作良好。", "Liaoning and China Energy Conservation cooperate well."),
        ("希望中国节能发挥优势。", "CECEP will give full play to its advantages."),
        ("中国节能与辽宁合作基础良好。", "China Energy Conservation and Liaoning have a good foundation."),
    ])
    inconsistencies = [f for f in findings if f.category == "fluency/inconsistency"]
    assert len(inconsistencies) == 1
    finding = inconsistencies[0]
    assert finding.severity == Severity.MINOR and finding.check == "terminology"
    assert "“CECEP” in pairs 0, 2" in finding.message
    assert "“China Energy Conservation” in pairs 1, 3" in finding.message
    assert finding.source_span.text == "中国节能" and finding.suggestion == "CECEP"
    assert len(of_kind(findings, Severity.MAJOR)) == 2


def test_long_lists_of_pairs_are_shortened():
    findings = run([("中国节能", "CECEP")] * 7 + [("中国节能", "China Energy Conservation")])
    message = next(f.message for f in findings if f.category == "fluency/inconsistency")
    assert "“CECEP” in pairs 0, 1, 2, 3, 4 and 2 more; “China Energy Conservation” in pair 7" in message


def test_spelling_variants_of_one_rendering_are_consistent():
    findings = run([
        ("实现双碳目标", "achieve the dual carbon goals"),
        ("聚焦双碳目标", "focus on the dual-carbon goal"),
    ])
    assert findings == []


def test_consistently_forbidden_rendering_is_not_an_inconsistency():
    findings = run([("实现双碳目标", "the double carbon goal"), ("聚焦双碳目标", "the double carbon goals")])
    assert [f.category for f in findings] == ["terminology", "terminology"]


# --- other languages -----------------------------------------------------------------------------------


def test_latin_words_inside_unspaced_text_keep_their_boundaries():
    glossary = Glossary([GlossaryEntry("CEC", "CEC Group"), GlossaryEntry("COVID-19", "COVID-19")])
    found = find_terms("CECEP公司与CEC公司", ["CEC"], word_separated=False)
    assert [(m.start, m.end) for m in found] == [(8, 11)]
    assert run([("CECEP公司", "CECEP")], glossary=glossary) == []  # no CEC in the source, nothing missing
    # A hyphen variant in the source text is still the term.
    assert [f.source_span.text for f in run([("COVID‑19疫情", "the pandemic")], glossary=glossary)] == [
        "COVID‑19"
    ]


def test_spaced_source_and_unspaced_target():
    # English → Chinese: the source matches on word boundaries with inflection, the target as substrings.
    glossary = Glossary([GlossaryEntry("dual carbon", "双碳", ("两碳",)), GlossaryEntry("Governor", "省长")])
    findings = run(
        [("Achieve the dual-carbon goals.", "实现两碳目标。"), ("The Governorate met.", "会议召开。")],
        glossary=glossary, source_lang="en", target_lang="zh",
    )
    assert [(f.severity, f.source_span.text, f.target_span.text) for f in findings] == [
        (Severity.MAJOR, "dual-carbon", "两碳")
    ]


def test_no_glossary_no_findings():
    assert run([("中国节能", "China Energy Conservation")], glossary=Glossary([])) == []


# --- the bundled sample --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_findings():
    import mtqa
    from mtqa.align.length import LengthAligner
    from mtqa.textio import read_text

    source, _ = read_text(SAMPLE / "source.zh.txt")
    target, _ = read_text(SAMPLE / "translation.en.txt")
    report = mtqa.check(
        source, target,
        glossary=mtqa.load_glossary(str(SAMPLE / "glossary.tsv")),
        source_lang="zh", target_lang="en",
        aligner=LengthAligner(),
        options=mtqa.CheckOptions(enabled_checks={"terminology"}),
    )
    return report


def test_sample_forbidden_terms_at_their_spans(sample_findings):
    target = sample_findings.target.text
    majors = of_kind(sample_findings.findings, Severity.MAJOR)
    assert Counter(f.target_span.text for f in majors) == {
        "double carbon": 3,
        "China Energy Conservation": 2,
        "Liaoshen Battle": 1,
        "central region": 1,
        "Director of the Standing Committee": 1,
        "green water and lush mountains": 1,
    }
    for finding in majors:
        assert target[finding.target_span.start : finding.target_span.end] == finding.target_span.text
    # The two standalone "China Energy Conservation" for 中国节能, never the start of the full name.
    standalone = [f.target_span.start for f in majors if f.target_span.text == "China Energy Conservation"]
    assert all(target[s:].startswith("China Energy Conservation have") or
               target[s:].startswith("China Energy Conservation and Liaoning") for s in standalone)
    assert {f.suggestion for f in majors} == {
        "dual carbon", "CECEP", "Liaoshen Campaign", "central and local",
        "Chairman of the Standing Committee of the Provincial People's Congress",
        "lucid waters and lush mountains are invaluable assets",
    }


def test_sample_missing_terms_are_the_real_deviations(sample_findings):
    # Checked by hand: the translation renders 全面振兴新突破三年行动 as "three-year action of comprehensive
    # revitalization and new breakthroughs" (twice) and one 节能环保 as "energy-saving and environmental
    # protection"; every other glossary term is rendered as preferred (省委书记 → "Secretary of the
    # Provincial Party Committee", 省长 → "Governor of the Province", 老工业基地 → "old industrial bases" …).
    missing = of_kind(sample_findings.findings, Severity.MINOR)
    assert Counter(f.source_span.text for f in missing) == {"全面振兴新突破三年行动": 2, "节能环保": 1}


def test_sample_inconsistencies(sample_findings):
    inconsistent = [f for f in sample_findings.findings if f.category == "fluency/inconsistency"]
    assert sorted(f.source_span.text for f in inconsistent) == ["中国节能", "央地"]
    assert all(f.target_span is None for f in inconsistent)
