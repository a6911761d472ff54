"""The pipeline: prepare (languages, segments) → align → score → check → summarise, as stage functions.

Every entry point composes these: ``check`` below (the public API, ``mtqa check``), ``mtqa align`` (prepare
and align), the localisation checker (its files are already segmented and aligned: align with the identity
aligner, then score, check and summarise), and the reference metrics (segment and align a reference).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mtqa.align import Aligner, create_aligner
from mtqa.checks import CheckContext, CheckInfo, all_checks
from mtqa.data import (
    AlignedPair,
    Document,
    Finding,
    Glossary,
    PairScore,
    Report,
    Severity,
    Signature,
    Summary,
)
from mtqa.errors import InputError, MtqaError
from mtqa.languages import Language, detect_language, get_language
from mtqa.score import Scorer
from mtqa.segment import segment_document
from mtqa.signature import make_signature

# The aligner every entry point uses unless told otherwise: the encoder aligner when its package is
# installed, else the length aligner with a one-line warning (see ``mtqa.align.create_aligner``).
DEFAULT_ALIGNER = "auto"


@dataclass
class CheckOptions:
    """What to run and when a run fails; the config file and CLI flags fill this."""

    fail_on: Severity | None = Severity.MAJOR  # None: never fail on findings
    min_score: float | None = None
    enabled_checks: set[str] | None = None  # None: every check enabled by default
    disabled_checks: set[str] = field(default_factory=set)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)  # check name → severity
    check_settings: dict[str, dict] = field(default_factory=dict)
    # Input already has one segment per line (corpora, alignment golds).
    pre_segmented: bool = False
    # From the config file (mtqa/config.py): ignore rules (objects with ``matches(finding) -> bool``), the
    # most findings a check may report before the gate fails, minimum document-mean model scores.
    ignore: list = field(default_factory=list)
    max_findings: dict[str, int] = field(default_factory=dict)
    min_adequacy: float | None = None
    min_fluency: float | None = None


def resolve_language(code: str | None, text: str, path: str | None, side: str) -> Language:
    if code:
        return get_language(code)
    detected = detect_language(text)
    if detected is None:
        raise InputError(path, f"cannot detect the {side} language; give --{side}-lang")
    return get_language(detected)


@dataclass
class Prepared:
    """Two segmented documents and their languages: what the align, score and check stages take.

    Usually a source and its translation (``prepare``); the reference metrics use it for a translation and
    a reference in one language, the localisation checker for a file's units laid out one per segment.
    """

    source: Document
    target: Document
    source_language: Language
    target_language: Language


def segment(text: str, language: Language, path: str | None = None, *,
            pre_segmented: bool = False) -> Document:
    """The segment stage: one document in ``language``, split into sentences (or lines)."""
    document = Document(text, language.code, path)
    document.segments = segment_document(text, language, pre_segmented=pre_segmented)
    return document


def prepare(
    source_text: str,
    target_text: str,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    source_path: str | None = None,
    target_path: str | None = None,
    pre_segmented: bool = False,
) -> Prepared:
    """Languages (given or detected), segments, and the refusal of texts that cannot be a translation pair
    (one language on both sides, wildly different lengths)."""
    source_language = resolve_language(source_lang, source_text, source_path, "source")
    target_language = resolve_language(target_lang, target_text, target_path, "target")
    if source_language.code == target_language.code:
        raise MtqaError(
            f"source and target are both {source_language.name} ({source_path or 'source'}, "
            f"{target_path or 'target'}); give two languages"
        )
    source = segment(source_text, source_language, source_path, pre_segmented=pre_segmented)
    target = segment(target_text, target_language, target_path, pre_segmented=pre_segmented)
    _refuse_unrelated(source, target, source_language, target_language)
    return Prepared(source, target, source_language, target_language)


def default_aligner() -> Aligner:
    return create_aligner(DEFAULT_ALIGNER)


def align(
    prepared: Prepared, aligner: Aligner | None = None, glossary: Glossary | None = None
) -> list[AlignedPair]:
    """The align stage: beads over both documents (``DEFAULT_ALIGNER`` when no aligner is given); refuses
    documents whose beads say, by the encoder's similarity, that they do not belong together."""
    if aligner is None:
        aligner = default_aligner()
    pairs = aligner.align(prepared.source, prepared.target, prepared.source_language,
                          prepared.target_language, glossary)
    _refuse_dissimilar(pairs, prepared.source, prepared.target)
    return pairs


def score(prepared: Prepared, pairs: list[AlignedPair], scorer: Scorer | None) -> dict[int, PairScore]:
    """The score stage: per-pair model scores and spans; empty without a scorer."""
    if scorer is None:
        return {}
    return scorer.score(prepared.source, prepared.target, pairs, prepared.source_language,
                        prepared.target_language)


def check_context(prepared: Prepared, pairs: list[AlignedPair], scores: dict[int, PairScore],
                  glossary: Glossary | None, options: CheckOptions) -> CheckContext:
    return CheckContext(
        source=prepared.source,
        target=prepared.target,
        source_language=prepared.source_language,
        target_language=prepared.target_language,
        pairs=pairs,
        glossary=glossary,
        scores=scores,
        settings=options.check_settings,
    )


def check(
    source_text: str,
    target_text: str,
    *,
    glossary: Glossary | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
    source_path: str | None = None,
    target_path: str | None = None,
    aligner: Aligner | None = None,
    scorer: Scorer | None = None,
    options: CheckOptions | None = None,
) -> Report:
    """Check a translation against its source; returns the ``Report`` that every output format renders.

    The stages in order: ``prepare`` → ``align`` → ``score`` → ``run_checks`` → ``summarise``. Without an
    ``aligner``, the one the command line uses by default (``DEFAULT_ALIGNER``); without a ``scorer``, no
    model scores.
    """
    options = options or CheckOptions()
    prepared = prepare(source_text, target_text, source_lang=source_lang, target_lang=target_lang,
                       source_path=source_path, target_path=target_path, pre_segmented=options.pre_segmented)
    if aligner is None:
        aligner = default_aligner()
    pairs = align(prepared, aligner, glossary)
    scores = score(prepared, pairs, scorer)
    findings = run_checks(check_context(prepared, pairs, scores, glossary, options), options)
    summary = summarise(prepared.target, pairs, findings, scores, options, prepared.target_language)
    return Report(prepared.source, prepared.target, pairs, findings, summary, scores, glossary,
                  signature=report_signature(aligner, scorer, options))


def enabled_checks(options: CheckOptions) -> dict[str, CheckInfo]:
    """The registered checks ``options`` turn on, in registry order."""
    return {
        name: info
        for name, info in all_checks().items()
        if (info.default_enabled if options.enabled_checks is None else name in options.enabled_checks)
        and name not in options.disabled_checks
    }


def settings_repr(options: CheckOptions) -> str:
    """The options that change a report's findings or verdict, in a stable text form (for signatures)."""
    return repr((
        sorted(enabled_checks(options)),
        sorted((name, severity.value) for name, severity in options.severity_overrides.items()),
        sorted((name, repr(sorted(values.items()))) for name, values in options.check_settings.items()),
        [repr(rule) for rule in options.ignore],
        options.fail_on.value if options.fail_on else "never",
        options.min_score,
        sorted(options.max_findings.items()),
        options.min_adequacy,
        options.min_fluency,
        options.pre_segmented,
    ))


def report_signature(aligner, scorer, options: CheckOptions) -> Signature:
    return make_signature(aligner, scorer, [info.function for info in enabled_checks(options).values()],
                          settings_repr(options))


def run_checks(context: CheckContext, options: CheckOptions) -> list[Finding]:
    findings: list[Finding] = []
    for name, info in enabled_checks(options).items():
        for finding in info.function(context):
            if name in options.severity_overrides:
                finding = _with_severity(finding, options.severity_overrides[name])
            if any(rule.matches(finding) for rule in options.ignore):
                continue
            findings.append(finding)
    findings.sort(key=_finding_order)
    return findings


def _with_severity(finding: Finding, severity: Severity) -> Finding:
    from dataclasses import replace

    return replace(finding, severity=severity)


def _finding_order(finding: Finding) -> tuple:
    pair = finding.pair if finding.pair is not None else -1
    offset = finding.target_span.start if finding.target_span else (
        finding.source_span.start if finding.source_span else -1
    )
    return (pair, offset, finding.check)


def mqm_score(findings: list[Finding], words: int) -> float:
    """MQM-style quality score: 100 − penalty per 100 target words (minor 1, major 5, critical 25)."""
    penalty = sum(f.severity.weight for f in findings)
    return round(100.0 - 100.0 * penalty / max(words, 1), 2)


def summarise(
    target: Document,
    pairs: list,
    findings: list[Finding],
    scores: dict[int, PairScore],
    options: CheckOptions,
    target_language: Language,
) -> Summary:
    counts = {s.value: 0 for s in (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR)}
    for finding in findings:
        counts[finding.severity.value] += 1
    # Words of the translated text only: page furniture the aligner left unaligned still counts, since it
    # was published as part of the translation.
    words = target_language.count_words(target.text)
    score = mqm_score(findings, words)
    passed = True
    if options.fail_on is not None and any(f.severity.at_least(options.fail_on) for f in findings):
        passed = False
    if options.min_score is not None and score < options.min_score:
        passed = False
    per_check: dict[str, int] = {}
    for finding in findings:
        per_check[finding.check] = per_check.get(finding.check, 0) + 1
    if any(per_check.get(name, 0) > limit for name, limit in options.max_findings.items()):
        passed = False
    adequacy = _mean(s.adequacy for s in scores.values())
    fluency = _mean(s.fluency for s in scores.values())
    # Without a model there is no mean score, and a threshold on it cannot fail the gate.
    if options.min_adequacy is not None and adequacy is not None and adequacy < options.min_adequacy:
        passed = False
    if options.min_fluency is not None and fluency is not None and fluency < options.min_fluency:
        passed = False
    return Summary(
        pairs=len(pairs),
        words=words,
        findings=counts,
        score=score,
        passed=passed,
        adequacy=adequacy,
        fluency=fluency,
        estimate=_mean(s.estimate for s in scores.values()),
    )


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 2) if present else None


# Sentence-encoder similarity of real translation pairs sits around 0.5–0.7 and of unrelated sentences
# around 0–0.2 (measured: the sample's beads have a median of 0.68, the sample's source against unrelated
# WMT news 0.17). A median below this over several beads means the documents do not belong together.
UNRELATED_MEDIAN_SIMILARITY = 0.25
MIN_BEADS_FOR_SIMILARITY_TEST = 3


def _refuse_dissimilar(pairs: list, source: Document, target: Document) -> None:
    """Refuse a source and target whose sentences are, by the encoder's measure, unrelated.

    The median runs over every bead holding source text, omissions included (their similarity is that of
    the best candidate the aligner saw), so a pair of unrelated documents cannot pass by being aligned
    mostly as skips.
    """
    similarities = sorted(p.similarity for p in pairs if p.source_segments and p.similarity is not None)
    if len(similarities) < MIN_BEADS_FOR_SIMILARITY_TEST:
        return
    median = similarities[len(similarities) // 2]
    if median < UNRELATED_MEDIAN_SIMILARITY:
        raise InputError(
            target.path,
            f"does not look like a translation of {source.path or 'the source'} "
            f"(median sentence similarity {median:.2f}; translations score about 0.5–0.7)",
        )


def _refuse_unrelated(source: Document, target: Document, src: Language, tgt: Language) -> None:
    """Refuse pairs that obviously do not belong together (wildly different lengths)."""
    src_units = src.count_words(source.text) * src.chars_per_unit
    tgt_units = tgt.count_words(target.text) * tgt.chars_per_unit
    if src_units == 0 or tgt_units == 0:
        return
    ratio = max(src_units, tgt_units) / min(src_units, tgt_units)
    # A real translation with page furniture stays within ~3×; 20× is a different document.
    if ratio > 20 and min(src_units, tgt_units) < 2000:
        raise InputError(
            target.path,
            f"does not look like a translation of {source.path or 'the source'} "
            f"(length ratio {ratio:.0f}:1)",
        )
