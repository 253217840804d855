"""Reporters: pure functions from a Report to text.  Only cli.py writes it out."""

from __future__ import annotations

from collections.abc import Sequence

from secreview.model import Report
from secreview.report import github, json_report, markdown, sarif, text
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
