"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Rules carry help from their docstrings, CWE tags and the pillar; results
carry stable partialFingerprints, codeFlows for dataflow traces and fixes
when a rule proposes an edit.  Files that were not analysed become
toolExecutionNotifications, and `executionSuccessful` is false when the run
is incomplete.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from secreview import __version__, cwe
from secreview.model import LLM_RULE_ID, FileProblem, Finding, LlmSummary, Location, Report, Severity
from secreview.report import summary
from secreview.rules import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/secreview/"
FINGERPRINT_KEY = "secreview/v1"

_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub ranks security alerts by this CVSS-like score.
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def artifact_uri(path: str) -> str:
    cleaned = path.replace("\\", "/")
    if cleaned == "<stdin>":
        return "stdin"
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    return quote(cleaned, safe="/:")


def _region(location: Location) -> dict:
    return {
        "startLine": location.start_line,
        "startColumn": location.start_column,
        "endLine": location.end_line,
        "endColumn": max(location.end_column, 1),
    }


def _physical(location: Location, snippet: str | None = None) -> dict:
    region = _region(location)
    if snippet:
        region["snippet"] = {"text": snippet}
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(location.path)}, "region": region}}


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def rule_descriptor(rule: type[Rule]) -> dict:
    entry = cwe.lookup(rule.cwe)
    documentation = rule.documentation()
    return {
        "id": rule.id,
        "name": _rule_name(rule.id),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": " ".join(rule.description.split())},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", f"external/cwe/cwe-{rule.cwe}", f"CWE-{rule.cwe}", f"pillar/CWE-{entry.pillar}"],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[rule.confidence.value],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "cwe": {"id": rule.cwe, "name": entry.name},
            "pillar": {"id": entry.pillar, "name": entry.pillar_name},
            "language": rule.language,
        },
    }


def llm_rule_descriptor() -> dict:
    """The rule of findings only the model reviewer reported; each result carries its own CWE."""
    text = ("A defect reported by the optional LLM reviewer and verified by secreview: its line exists, "
            "its quoted evidence is in the code, and its CWE is a known weakness. The CWE and pillar of "
            "each result are in its properties.")
    return {
        "id": LLM_RULE_ID,
        "name": _rule_name(LLM_RULE_ID),
        "shortDescription": {"text": "Defect reported by the LLM reviewer, verified against the code."},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["security", "llm"], "precision": "medium"},
    }


def _result(finding: Finding, rule_index: int) -> dict:
    flagged = "\n".join(line.text for line in finding.excerpt if line.flagged)
    message = f"{finding.message}\n\n{finding.description}\n\nSolution: {finding.solution}"
    if finding.annotations:
        message += "\n\nModel review: " + "\n".join(finding.annotations)
    result: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [_physical(finding.location, flagged)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "cwe": {"id": finding.cwe, "name": finding.cwe_name},
            "pillar": {"id": finding.pillar, "name": finding.pillar_name},
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "origin": finding.origin.value,
            "evidence": None if finding.evidence is None else finding.evidence.value,
            "solution": finding.solution,
        },
    }
    if finding.rule_id == LLM_RULE_ID:
        # One rule for every model finding, so the CWE tags go on the result itself.
        result["properties"]["tags"] = ["security", f"external/cwe/cwe-{finding.cwe}",
                                        f"pillar/CWE-{finding.pillar}"]
        result["properties"]["security-severity"] = _SECURITY_SEVERITY[finding.severity]
    if finding.annotations:
        result["properties"]["annotations"] = list(finding.annotations)
    if finding.suppression is not None:
        # Kept, so code scanning shows the decision (and closes the alert) instead of losing it.
        result["suppressions"] = [{
            "kind": "inSource" if finding.suppression.because.in_source else "external",
            "status": "accepted",
            "justification": finding.suppression.justification,
        }]
        result["properties"]["hiddenBecause"] = finding.suppression.because.value
    if finding.trace:
        result["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": {**_physical(step.location), "message": {"text": step.note}}}
            for step in finding.trace]}]}]
    if finding.fix is not None:
        result["fixes"] = [{
            "description": {"text": finding.fix.description},
            "artifactChanges": [{
                "artifactLocation": {"uri": artifact_uri(finding.location.path)},
                "replacements": [{"deletedRegion": _region(edit.location),
                                  "insertedContent": {"text": edit.replacement}}
                                 for edit in finding.fix.edits],
            }],
        }]
    return result


def _notification(problem: FileProblem) -> dict:
    return {
        "level": "error" if problem.incomplete else "warning",
        "message": {"text": f"{problem.kind.value}: {problem.detail}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(problem.path)}}}],
        "descriptor": {"id": problem.kind.value},
    }


def _suppressed_summary(report: Report) -> dict:
    """Why SARIF has more results than the text and JSON reports have findings: the hidden ones are kept."""
    shown, hidden = len(report.findings), len(report.suppressed)
    text = (f"{shown + hidden} results: {summary.plural(shown, 'security defect')} as in the text and JSON "
            f"reports, and {hidden} suppressed (kept with their suppression, not counted as defects). "
            f"{summary.not_shown(report)}")
    return {"level": "note", "message": {"text": text.strip()}, "descriptor": {"id": "suppressed-results"}}


def _not_reviewed_notice(report: Report) -> dict:
    return {"level": "note", "message": {"text": summary.not_reviewed(report)},
            "descriptor": {"id": "test-files-not-reviewed"}}


def _llm_notifications(llm: LlmSummary) -> list[dict]:
    dropped = ", ".join(f"{count} {reason}" for reason, count in llm.dropped)
    summary = (f"LLM review by {llm.model} ({llm.protocol}, prompt {llm.prompt_version}): "
               f"{llm.chunks_reviewed} of {llm.chunks} chunk(s) reviewed in {llm.calls} call(s); "
               f"{llm.added} finding(s) added, {llm.confirmed} confirmed; "
               f"{llm.dropped_total} claim(s) dropped by verification" + (f" ({dropped})" if dropped else ""))
    found = [{"level": "note", "message": {"text": summary}, "descriptor": {"id": "llm-review-summary"}}]
    if llm.incomplete:
        found.append({"level": "error", "message": {"text": f"LLM review incomplete: {llm.incomplete_reason}"},
                      "descriptor": {"id": "llm-review-incomplete"}})
    return found


def _llm_properties(llm: LlmSummary) -> dict:
    return {"protocol": llm.protocol, "model": llm.model, "endpoint": llm.endpoint,
            "promptVersion": llm.prompt_version, "chunks": llm.chunks, "chunksReviewed": llm.chunks_reviewed,
            "calls": llm.calls, "cacheHits": llm.cache_hits, "redactions": llm.redactions,
            "added": llm.added, "confirmed": llm.confirmed, "annotated": llm.annotated,
            "dropped": {"total": llm.dropped_total, "byReason": dict(llm.dropped)},
            "incomplete": llm.incomplete, "incompleteReason": llm.incomplete_reason}


def to_data(report: Report, rules: Sequence[type[Rule]], notes: Sequence[str] = ()) -> dict:
    ordered = sorted(rules, key=lambda r: r.id)
    descriptors = [rule_descriptor(rule) for rule in ordered]
    results = sorted((*report.findings, *report.suppressed), key=lambda f: f.sort_key)
    if any(f.rule_id == LLM_RULE_ID for f in results):
        descriptors.append(llm_rule_descriptor())
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    invocation: dict = {"executionSuccessful": not report.incomplete}
    notifications = [_notification(p) for p in report.problems]
    if report.suppressed:
        notifications.append(_suppressed_summary(report))
    if report.test_files_not_reviewed:
        notifications.append(_not_reviewed_notice(report))
    if report.llm is not None:
        notifications += _llm_notifications(report.llm)
        invocation["properties"] = {"llm": _llm_properties(report.llm)}
    notifications += [{"level": "note", "message": {"text": note}} for note in notes]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "secreview",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "invocations": [invocation],
            "results": [_result(f, index[f.rule_id]) for f in results],
            "columnKind": "unicodeCodePoints",
        }],
    }


def render(report: Report, rules: Sequence[type[Rule]], notes: Sequence[str] = ()) -> str:
    return json.dumps(to_data(report, rules, notes), indent=2, ensure_ascii=False) + "\n"
