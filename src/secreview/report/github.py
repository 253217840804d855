"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

    ::error file=app.py,line=26,endLine=26,col=12,endColumn=55,title=subprocess-shell-true (CWE-78)::message

Critical and high findings are errors, medium warnings, low notices.  Values are
escaped the way the Actions toolkit does (`%`, CR and LF everywhere; `:` and `,`
in properties), so no text from the reviewed code can end an annotation early or
inject a workflow command of its own.  Files that were not analysed are
annotated too; a plain summary line ends the output.
"""

from __future__ import annotations

from collections.abc import Sequence

from secreview.model import FileProblem, Finding, Report, Severity
from secreview.report import summary
from secreview.report.text import NO_DEFECTS

_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def render(report: Report, notes: Sequence[str] = ()) -> str:
    lines = [_finding(f) for f in report.findings]
    lines.extend(_problem(p) for p in report.problems)
    if report.llm is not None and report.llm.incomplete:
        reason = report.llm.incomplete_reason or ""
        lines.append(command("error", {"title": "secreview"}, f"LLM review incomplete: {reason}"))
    if report.findings:
        headline = summary.headline(report) + "."
    else:
        headline = NO_DEFECTS if summary.all_reviewed(report) else summary.NOT_ALL_REVIEWED + "."
    hidden = summary.left_out(report)
    lines.append(f"{headline} {hidden}".strip())
    return "\n".join(lines) + "\n"


def _finding(finding: Finding) -> str:
    loc = finding.location
    properties = {
        "file": workspace_path(loc.path),
        "line": loc.start_line,
        "endLine": loc.end_line,
        "title": f"{finding.rule_id} (CWE-{finding.cwe}, {finding.severity.value})",
    }
    if loc.start_line == loc.end_line:  # GitHub ignores columns on multi-line annotations
        properties["col"] = loc.start_column
        properties["endColumn"] = max(loc.end_column, loc.start_column)
    message = (f"{finding.message}\n\nCWE-{finding.cwe}: {finding.cwe_name} (pillar CWE-{finding.pillar}: "
               f"{finding.pillar_name})\n\n{' '.join(finding.description.split())}\n\n"
               f"Solution: {' '.join(finding.solution.split())}")
    return command(_LEVEL[finding.severity], properties, message)


def _problem(problem: FileProblem) -> str:
    level = "error" if problem.incomplete else "warning"
    return command(level, {"file": workspace_path(problem.path), "title": f"secreview: {problem.kind.value}"},
                   problem.detail)


def workspace_path(path: str) -> str:
    """`./app.py` as `app.py`: annotations name files relative to the workspace, without a dot prefix."""
    while path.startswith("./"):
        path = path[2:]
    return path


def command(level: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    # Other control characters (ESC would drive the terminal showing the log) become visible escapes.
    return summary.visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
