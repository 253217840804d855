"""Counts every reporter states the same way: what was found, and what was not shown and why."""

from __future__ import annotations

from collections import Counter

from secreview.model import Finding, HiddenBecause, Report

SEVERITIES = ("critical", "high", "medium", "low")

HIDDEN_LABELS = {
    HiddenBecause.INLINE: "suppressed in the code",
    HiddenBecause.FOREIGN: "suppressed by nosec/noqa/nosemgrep comments",
    HiddenBecause.PER_PATH: "ignored by per-path-ignores",
    HiddenBecause.BASELINE: "in the baseline",
    HiddenBecause.TEST_CODE: "in test code (--include-tests shows them)",
    HiddenBecause.AUDIT: "audit checks without evidence (--profile audit shows them)",
    HiddenBecause.FILTER: "below the severity/confidence filters",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def by_severity(findings: tuple[Finding, ...]) -> str:
    counts = Counter(f.severity.value for f in findings)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])


def not_shown(report: Report) -> str:
    """`Not shown: 2 in the baseline, 40 in test code (...), 7 outside the changed lines.` or ''."""
    parts = [f"{count} {HIDDEN_LABELS[because]}" for because, count in report.hidden_counts().items()]
    if report.out_of_scope:
        parts.append(f"{report.out_of_scope} outside the reviewed change")
    return f"Not shown: {', '.join(parts)}." if parts else ""


def headline(report: Report) -> str:
    """`3 security defects found (1 high, 2 medium) in 12 files reviewed`."""
    count = len(report.findings)
    found = plural(count, "security defect")
    detail = f" ({by_severity(report.findings)})" if count else ""
    return f"{found} found{detail} in {plural(report.files_analysed, 'file')} reviewed"
