"""The JSON report, schema version 1 (documented in docs/json-schema.json).

Stable, sorted, without timestamps: two runs over the same code give the
same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from secreview import __version__
from secreview.model import FileProblem, Finding, LlmSummary, Location, Report

SCHEMA_VERSION = "1"


def location_dict(location: Location) -> dict:
    return {
        "path": location.path,
        "start_line": location.start_line,
        "start_column": location.start_column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }


def finding_dict(finding: Finding) -> dict:
    return {
        "rule_id": finding.rule_id,
        "cwe": {"id": finding.cwe, "name": finding.cwe_name},
        "pillar": {"id": finding.pillar, "name": finding.pillar_name},
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "location": location_dict(finding.location),
        "message": finding.message,
        "description": finding.description,
        "solution": finding.solution,
        "origin": finding.origin.value,
        "trace": [{"location": location_dict(step.location), "note": step.note} for step in finding.trace],
        "fix": None if finding.fix is None else {
            "description": finding.fix.description,
            "safe": finding.fix.safe,
            "edits": [{"location": location_dict(e.location), "replacement": e.replacement}
                      for e in finding.fix.edits],
        },
        "excerpt": [{"line": line.number, "text": line.text, "flagged": line.flagged}
                    for line in finding.excerpt],
        "fingerprint": finding.fingerprint,
        "annotations": list(finding.annotations),
        "evidence": None if finding.evidence is None else finding.evidence.value,
        "suppression": None if finding.suppression is None else {
            "reason": finding.suppression.because.value,
            "kind": "inSource" if finding.suppression.because.in_source else "external",
            "justification": finding.suppression.justification,
        },
    }


def problem_dict(problem: FileProblem) -> dict:
    return {"path": problem.path, "kind": problem.kind.value, "detail": problem.detail,
            "incomplete": problem.incomplete}


def llm_dict(llm: LlmSummary) -> dict:
    return {
        "protocol": llm.protocol,
        "model": llm.model,
        "endpoint": llm.endpoint,
        "prompt_version": llm.prompt_version,
        "chunks": llm.chunks,
        "chunks_reviewed": llm.chunks_reviewed,
        "calls": llm.calls,
        "cache_hits": llm.cache_hits,
        "redactions": llm.redactions,
        "added": llm.added,
        "confirmed": llm.confirmed,
        "annotated": llm.annotated,
        "dropped": {"total": llm.dropped_total, "by_reason": dict(llm.dropped)},
        "incomplete": llm.incomplete,
        "incomplete_reason": llm.incomplete_reason,
    }


def to_data(report: Report, notes: Sequence[str] = ()) -> dict:
    data = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secreview", "version": __version__},
        "summary": {
            "findings": len(report.findings),
            "files_analysed": report.files_analysed,
            "test_files_not_reviewed": report.test_files_not_reviewed,
            "hidden_by_filters": report.hidden_by_filters,
            "suppressed": {because.value: count for because, count in report.hidden_counts().items()},
            "out_of_scope": report.out_of_scope,
            "incomplete": report.incomplete,
        },
        "findings": [finding_dict(f) for f in report.findings],
        "suppressed": [finding_dict(f) for f in report.suppressed],
        "errors": [problem_dict(p) for p in report.problems],
        "notes": list(notes),
    }
    if report.llm is not None:  # only runs with --llm have this key
        data["llm"] = llm_dict(report.llm)
    return data


def render(report: Report, notes: Sequence[str] = ()) -> str:
    return json.dumps(to_data(report, notes), indent=2, ensure_ascii=False) + "\n"
