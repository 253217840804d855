"""Counts every reporter states the same way: what was found, and what was not shown and why; the
order people read findings in; and the escaping that keeps names printable."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from secreview.model import Finding, HiddenBecause, Report

SEVERITIES = ("critical", "high", "medium", "low")

# Said instead of the no-defect sentence when some requested file was not (fully) reviewed.
NOT_ALL_REVIEWED = "No security defects were found in the code that was reviewed, but not all of it was reviewed"

# Control characters (a newline would start a fake line, ESC drives the terminal), bidirectional
# overrides (they reorder what a reader sees) and lone surrogates (they cannot be encoded).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

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


def not_reviewed(report: Report) -> str:
    """`Not reviewed: 842 test files (--include-tests reviews them).` or ''."""
    if not report.test_files_not_reviewed:
        return ""
    return f"Not reviewed: {plural(report.test_files_not_reviewed, 'test file')} (--include-tests reviews them)."


def left_out(report: Report) -> str:
    """What the report leaves out: `not_shown` and `not_reviewed`, as one text (or '')."""
    return " ".join(part for part in (not_shown(report), not_reviewed(report)) if part)


def headline(report: Report) -> str:
    """`3 security defects found (1 high, 2 medium) in 12 files reviewed`."""
    count = len(report.findings)
    found = plural(count, "security defect")
    detail = f" ({by_severity(report.findings)})" if count else ""
    return f"{found} found{detail} in {plural(report.files_analysed, 'file')} reviewed"


def all_reviewed(report: Report) -> bool:
    """True when no requested file was left out or analysed in part only."""
    return not any(problem.incomplete for problem in report.problems)


def reading_order(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then most confident, then by location: a report read top-down opens with
    what matters most (JSON and SARIF keep the location order, for tools)."""
    return sorted(findings, key=lambda f: (-f.severity.rank, -f.confidence.rank, f.sort_key))


def visible(text: str) -> str:
    """`text` with every unprintable character as a `\\n`, `\\x1b` or `\\u202e` escape (tabs stay)."""
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
