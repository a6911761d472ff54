"""The JSON contract (version 1): what CI tools parse. Documented in docs/json-contract.md; change it only
additively."""

from __future__ import annotations

import json

from mtqa.data import Report

JSON_VERSION = 1


def report_to_dict(report: Report) -> dict:
    summary = report.summary
    data: dict = {
        "version": JSON_VERSION,
        "source": {"path": report.source.path, "lang": report.source.lang},
        "target": {"path": report.target.path, "lang": report.target.lang},
        "summary": {
            "pairs": summary.pairs,
            "words": summary.words,
            "findings": dict(summary.findings),
            "score": summary.score,
            "passed": summary.passed,
            "adequacy": summary.adequacy,
            "fluency": summary.fluency,
            "estimate": summary.estimate,
        },
        "pairs": [],
        "findings": [finding.to_dict() for finding in report.findings],
    }
    add_baseline_fields(report, data["findings"], data["summary"])
    if report.signature is not None:
        # Additive to version 1: what made the report (see docs/json-contract.md).
        data["signature"] = report.signature.to_dict()
    for pair in report.pairs:
        score = report.scores.get(pair.id)
        data["pairs"].append(
            {
                "id": pair.id,
                "source_segments": list(pair.source_segments),
                "target_segments": list(pair.target_segments),
                "source_text": pair.source_text(report.source),
                "target_text": pair.target_text(report.target),
                "similarity": pair.similarity,
                "adequacy": score.adequacy if score else None,
                "fluency": score.fluency if score else None,
                "estimate": score.estimate if score else None,
                "mqm_estimate": score.features.get("mqm_pred") if score else None,
            }
        )
    return data


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"


def add_baseline_fields(report: Report, entries: list[dict], summary: dict) -> None:
    """Additive to version 1: each finding's stable ``fingerprint`` and, in a run with ``--baseline``, its
    ``baseline_state`` (new | unchanged) with the matched entry's decision, and the counts in the summary."""
    from mtqa.baseline import fingerprints

    match = report.baseline
    for index, (entry, fingerprint) in enumerate(zip(entries, fingerprints(report), strict=True)):
        entry["fingerprint"] = fingerprint
        if match is not None:
            entry["baseline_state"] = match.states[index]
            known = match.entries.get(index)
            if known is not None:
                entry["baseline"] = {"state": known.state, "reason": known.reason, "author": known.author}
    if match is not None:
        summary["baseline"] = {"new": match.states.count("new"), "unchanged": match.states.count("unchanged"),
                               "absent": match.absent}
