"""The text report: the contract for people.

Each defect: location, CWE id and name, pillar id and name, severity and
confidence, a description, a numbered code excerpt, and a solution.  With no
defect the report is exactly `NO_DEFECTS`.  Files that could not be analysed
are always listed after the findings.
"""

from __future__ import annotations

import textwrap
from collections import Counter

from secreview.model import Finding, LlmSummary, Report
from secreview.report import summary
from secreview.report.summary import visible

NO_DEFECTS = "No security defects are detected in the code"
WIDTH = 88

_STYLES = {"bold": "1", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "magenta": "35"}
_SEVERITY_STYLE = {"critical": "red", "high": "red", "medium": "yellow", "low": "cyan"}


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


def render(report: Report, *, color: bool = False) -> str:
    paint = _Painter(color)
    blocks = [_finding_block(number, finding, paint)
              for number, finding in enumerate(summary.reading_order(report.findings), start=1)]
    if not blocks:
        blocks.append(NO_DEFECTS if summary.all_reviewed(report) else summary.NOT_ALL_REVIEWED + ".")
    else:
        blocks.append(_summary(report))
    if report.llm is not None:
        blocks.append(_llm_block(report.llm, paint))
    if report.problems:
        blocks.append(_problems_block(report, paint))
    return "\n\n".join(blocks) + "\n"


def _finding_block(number: int, finding: Finding, paint: _Painter) -> str:
    loc = finding.location
    lines_text = str(loc.start_line) if loc.end_line == loc.start_line else f"{loc.start_line}-{loc.end_line}"
    severity = finding.severity.value
    header = (f"{number}. {paint(f'{visible(loc.path)}:{lines_text}', 'bold')}  "
              f"{paint(severity.upper(), _SEVERITY_STYLE[severity])} "
              f"(confidence {finding.confidence.value})  [{finding.rule_id}]  {visible(finding.message)}")
    parts = [
        header,
        f"   CWE-{finding.cwe}: {finding.cwe_name}",
        f"   Pillar: CWE-{finding.pillar}: {finding.pillar_name}",
        _wrapped("Description", finding.description),
        _excerpt(finding, paint),
    ]
    if finding.trace:
        parts.append("   Data flow:\n" + "\n".join(
            f"     {visible(step.location.path)}:{step.location.start_line}: {visible(step.note)}"
            for step in finding.trace))
    parts.append(_wrapped("Solution", finding.solution))
    if finding.fix is not None:
        how = "safe, --fix applies it" if finding.fix.safe else "needs a look, --fix --unsafe-fixes applies it"
        parts.append(_wrapped("Fix", f"{finding.fix.description} ({how})"))
    if finding.annotations:
        parts.append(_wrapped("Model review", "\n\n".join(finding.annotations)))
    return "\n".join(part for part in parts if part)


def _wrapped(label: str, body: str) -> str:
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    wrapped = [textwrap.fill(visible(" ".join(p.split())), WIDTH, initial_indent="     ", subsequent_indent="     ")
               for p in paragraphs]
    return f"   {label}:\n" + "\n\n".join(wrapped)


def _excerpt(finding: Finding, paint: _Painter) -> str:
    if not finding.excerpt:
        return ""
    width = len(str(finding.excerpt[-1].number))
    rows = []
    for line in finding.excerpt:
        marker = ">" if line.flagged else " "
        row = f"   {marker} {line.number:>{width}} | {visible(line.text.rstrip())}"
        rows.append(paint(row, "magenta") if line.flagged else paint(row, "dim"))
    return "   Code:\n" + "\n".join(rows)


def _summary(report: Report) -> str:
    by_pillar = Counter(f.pillar for f in report.findings)
    pillars = ", ".join(f"CWE-{p}: {n}" for p, n in sorted(by_pillar.items()))
    text = f"{summary.headline(report)}; by pillar: {pillars}."
    hidden = summary.left_out(report)
    return f"{text} {hidden}" if hidden else text


def _llm_block(llm: LlmSummary, paint: _Painter) -> str:
    """What the model reviewer did, what verification dropped, and whether it finished."""
    where = f"at {llm.endpoint} (code left this machine)" if llm.endpoint else "on this machine"
    dropped = ", ".join(f"{count} {reason}" for reason, count in llm.dropped)
    rows = [
        f"   model {llm.model} ({llm.protocol} protocol) {where}; prompt {llm.prompt_version}",
        f"   {llm.chunks_reviewed} of {llm.chunks} chunk(s) reviewed; {llm.calls} call(s), "
        f"{llm.cache_hits} answer(s) from cache; {llm.redactions} secret(s) redacted before sending",
        f"   {llm.added} finding(s) added, {llm.confirmed} static finding(s) confirmed, "
        f"{llm.annotated} annotated; static findings are never removed",
        f"   {llm.dropped_total} claim(s) dropped by verification" + (f" ({dropped})" if dropped else ""),
    ]
    title = paint("LLM review", "bold")
    if llm.incomplete:
        title = paint("INCOMPLETE: LLM review did not finish", "bold")
        rows.append(f"   {visible(llm.incomplete_reason or '')}")
    return title + "\n" + "\n".join(rows)


def _problems_block(report: Report, paint: _Painter) -> str:
    # Only the files' own problems decide this title; an unfinished LLM review has its own block.
    title = ("INCOMPLETE: some files were not analysed" if any(p.incomplete for p in report.problems)
             else "Notes on analysed files")
    rows = [f"   {visible(p.path)}: {p.kind.value}: {visible(p.detail)}" for p in report.problems]
    return paint(title, "bold") + "\n" + "\n".join(rows)
