"""Reporters: pure functions from a Report to text.  Only cli.py writes it out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from secreview.model import Report
from secreview.report import github, json_report, markdown, sarif, summary, text
from secreview.rules import Rule

FORMATS = ("text", "json", "sarif", "markdown", "github")


def render(report: Report, fmt: str, rules: Sequence[type[Rule]], *, color: bool = False,
           notes: Sequence[str] = ()) -> str:
    if fmt == "text":
        return text.render(report, color=color)
    if fmt == "json":
        return json_report.render(report, notes=notes)
    if fmt == "sarif":
        return sarif.render(report, rules, notes=notes)
    if fmt == "markdown":
        return markdown.render(report, notes=notes)
    if fmt == "github":
        return github.render(report, notes=notes)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


# How each format begins (a previous report may be replaced by `-o` without --force).
_TEXT_FINDING = re.compile(r"1\. .*:\d+(-\d+)?  (CRITICAL|HIGH|MEDIUM|LOW) \(confidence (low|medium|high)\)  \[")
_GITHUB_COMMAND = re.compile(r"::(error|warning|notice) ")
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_JSON_START = '{\n  "schema_version": '
_SARIF_START = '{\n  "$schema": "' + sarif.SCHEMA_URI + '"'


def is_report(start: str) -> bool:
    """Whether a file beginning with `start` is a report secreview wrote, in any format."""
    start = _COLOUR.sub("", start)  # a text report written with --color always
    first_line = start.split("\n", 1)[0]
    if first_line in (text.NO_DEFECTS, summary.NOT_ALL_REVIEWED + ".") or _TEXT_FINDING.match(first_line):
        return True
    if start.startswith("### secreview: "):
        return True
    if start.startswith(_JSON_START):
        return '"tool": {\n    "name": "secreview"' in start
    if start.startswith(_SARIF_START):
        return '"name": "secreview"' in start
    return bool(_GITHUB_COMMAND.match(first_line)) and "title=" in first_line
