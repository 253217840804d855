"""Markdown for a pull-request comment: a summary table by pillar, then each finding.

Each finding: location, severity, rule, CWE and pillar, the description, the
numbered excerpt, the dataflow trace (folded), and the solution.  Text from the
reviewed code only ever appears inside code spans or fences; our own texts are
escaped so that `<stdin>` stays visible and `@name` never notifies anyone.
GitHub refuses comments over 65,536 characters, so findings that do not fit are
counted instead of shown.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence

from secreview import cwe
from secreview.model import Finding, Report
from secreview.report import summary
from secreview.report.summary import visible
from secreview.report.text import NO_DEFECTS

MAX_CHARS = 60_000  # under GitHub's 65,536-character limit for a comment, with room for the tail
_LANGUAGE_HINT = {".py": "python", ".pyw": "python", ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp",
                  ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp"}
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_SPECIAL = re.compile(r"([\\*_\[\]<>#|~])")
_MENTION = re.compile(r"@(?=\w)")


def render(report: Report, notes: Sequence[str] = ()) -> str:
    blocks = [_title(report)]
    if report.findings:
        blocks.append(_pillar_table(report.findings))
    blocks.extend(_finding_blocks(summary.reading_order(report.findings)))
    if report.problems:
        blocks.append(_problems(report))
    if report.llm is not None:
        blocks.append(_escape(f"LLM review by {report.llm.model}: {report.llm.added} finding(s) added, "
                              f"{report.llm.confirmed} confirmed, {report.llm.dropped_total} claim(s) dropped by "
                              "verification" + (" (incomplete)" if report.llm.incomplete else "") + "."))
    if notes:
        blocks.append("<details><summary>Notes</summary>\n\n" + "\n".join(f"- {_escape(n)}" for n in notes)
                      + "\n\n</details>")
    return "\n\n".join(blocks) + "\n"


def _title(report: Report) -> str:
    if not report.findings:
        title = f"### secreview: {NO_DEFECTS if summary.all_reviewed(report) else summary.NOT_ALL_REVIEWED}"
    else:
        title = f"### secreview: {summary.plural(len(report.findings), 'security defect')} found"
    lines = [title, "", _escape(summary.headline(report) + ".")]
    hidden = summary.left_out(report)
    if hidden:
        lines[-1] += " " + _escape(hidden)
    if report.incomplete:
        lines.append("")
        lines.append("**The review is incomplete**: some code was not analysed (see the end of this comment).")
    return "\n".join(lines)


def _pillar_table(findings: Sequence[Finding]) -> str:
    counts = Counter((f.pillar, f.severity.value) for f in findings)
    rows = ["| CWE-1000 pillar | critical | high | medium | low | total |", "|---|--:|--:|--:|--:|--:|"]
    for pillar in sorted({f.pillar for f in findings}):
        cells = [str(counts[(pillar, s)] or "") for s in summary.SEVERITIES]
        total = sum(counts[(pillar, s)] for s in summary.SEVERITIES)
        rows.append(f"| CWE-{pillar}: {_escape(cwe.PILLARS[pillar])} | " + " | ".join(cells) + f" | {total} |")
    totals = Counter(f.severity.value for f in findings)
    rows.append("| **total** | " + " | ".join(str(totals[s] or "") for s in summary.SEVERITIES)
                + f" | **{len(findings)}** |")
    return "\n".join(rows)


def _finding_blocks(findings: Sequence[Finding]) -> list[str]:
    blocks: list[str] = []
    used = 0
    for number, finding in enumerate(findings, start=1):
        block = _finding(number, finding)
        if used + len(block) > MAX_CHARS:
            left = len(findings) - number + 1
            blocks.append(f"_{summary.plural(left, 'more finding')} not shown here: this comment would be too "
                          "long for GitHub. The JSON or SARIF report has them all._")
            break
        blocks.append(block)
        used += len(block)
    return blocks


def _finding(number: int, finding: Finding) -> str:
    loc = finding.location
    lines = str(loc.start_line) if loc.end_line == loc.start_line else f"{loc.start_line}-{loc.end_line}"
    parts = [
        f"#### {number}. {_code(f'{visible(loc.path)}:{lines}')} · {finding.severity.value.upper()} · "
        f"{_code(finding.rule_id)}",
        f"**{_escape(finding.message)}**",
        f"CWE-{finding.cwe}: {_escape(finding.cwe_name)} · pillar CWE-{finding.pillar}: "
        f"{_escape(finding.pillar_name)} · confidence {finding.confidence.value}",
        *(_escape(paragraph) for paragraph in _paragraphs(finding.description)),
        _excerpt(finding),
    ]
    if finding.trace:
        steps = "\n".join(f"1. {_code(f'{visible(s.location.path)}:{s.location.start_line}')} {_escape(s.note)}"
                          for s in finding.trace)
        parts.append(f"<details><summary>Data flow</summary>\n\n{steps}\n\n</details>")
    parts.append("**Solution:** " + " ".join(_escape(p) for p in _paragraphs(finding.solution)))
    if finding.annotations:
        parts.append("**Model review:** " + _escape(" ".join(finding.annotations)))
    return "\n\n".join(part for part in parts if part)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _excerpt(finding: Finding) -> str:
    if not finding.excerpt:
        return ""
    width = len(str(finding.excerpt[-1].number))
    rows = [f"{'>' if line.flagged else ' '} {line.number:>{width}} | {visible(line.text.rstrip())}"
            for line in finding.excerpt]
    body = "\n".join(rows)
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    hint = _LANGUAGE_HINT.get(os.path.splitext(finding.location.path)[1].lower(), "")
    return f"{fence}{hint}\n{body}\n{fence}"


def _problems(report: Report) -> str:
    title = ("**Incomplete: some files were not analysed**" if any(p.incomplete for p in report.problems)
             else "**Notes on analysed files**")
    rows = [f"- {_code(visible(p.path))}: {p.kind.value}: {_escape(p.detail)}" for p in report.problems]
    return title + "\n\n" + "\n".join(rows)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _code(text: str) -> str:
    """An inline code span that holds any text (backticks included)."""
    fence = "`" * (_longest_backtick_run(text) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _escape(text: str) -> str:
    """Escape Markdown outside code spans; code spans (our texts quote code in them) stay as written.

    Unprintable characters become escapes everywhere: a newline would end a list item or a table row."""
    text = visible(text)
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_escape_plain(text[last:span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    escaped = _SPECIAL.sub(r"\\\1", text)
    # A zero-width space after @ keeps GitHub from turning @name into a notification.
    return _MENTION.sub("@\u200b", escaped)
