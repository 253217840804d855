"""Reports under hostile names (issue 16): every name escaped, findings in reading order, counts stated."""

from __future__ import annotations

import dataclasses
import json

from secreview import engine
from secreview.model import FileProblem, HiddenBecause, Location, ProblemKind, Report, Suppression
from secreview.report import markdown, render, summary, text
from secreview.report.text import NO_DEFECTS
from secreview.rules import all_rules
from secreview.sources import SourceFile

CODE = ('import subprocess, yaml, hashlib\n\n\ndef handler(name, blob):\n'
        '    subprocess.run("ls " + name, shell=True)\n'
        '    hashlib.md5(blob).hexdigest()\n'
        '    return yaml.load(blob, Loader=yaml.Loader)\n')
HOSTILE_NAME = "evil\n1. fake.py:1  CRITICAL\x1b[2J\u202e.py"


def _report(path: str = "app.py") -> Report:
    return engine.analyze([SourceFile(path, CODE, "python")], all_rules(), engine.Settings(profile="audit"))


def test_text_and_markdown_open_with_the_most_severe_finding() -> None:
    report = _report()
    low_first = dataclasses.replace(report, findings=tuple(sorted(report.findings, key=lambda f: f.severity)))
    ranks = [f.severity.rank for f in summary.reading_order(low_first.findings)]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) > 1
    first = summary.reading_order(low_first.findings)[0]
    assert text.render(low_first).startswith(f"1. {first.location.path}:{first.location.start_line}  "
                                             f"{first.severity.value.upper()}")
    assert f"#### 1. `{first.location.path}:{first.location.start_line}`" in markdown.render(low_first)


def test_json_and_sarif_keep_the_location_order() -> None:
    report = _report()
    data = json.loads(render(report, "json", all_rules()))
    lines = [f["location"]["start_line"] for f in data["findings"]]
    assert lines == sorted(lines)


def test_names_with_newlines_and_escapes_are_escaped_in_text_and_markdown() -> None:
    report = _report(HOSTILE_NAME)
    problem = FileProblem(HOSTILE_NAME, ProblemKind.UNREADABLE, "detail\x1b]0;title\x07")
    report = dataclasses.replace(report, problems=(problem,))
    for rendered in (text.render(report), markdown.render(report)):
        assert "\x1b" not in rendered and "\u202e" not in rendered and "\x07" not in rendered
        assert "\n1. fake.py" not in rendered
        assert "evil\\n1. fake.py:1  CRITICAL\\x1b[2J\\u202e.py" in rendered.replace("\\\\", "\\")


def test_code_with_terminal_escapes_is_shown_escaped_in_the_text_excerpt() -> None:
    code = 'import os\nos.system(input() + "\x1b[2J")\n'
    report = engine.analyze([SourceFile("app.py", code, "python")], all_rules(), engine.Settings(profile="audit"))
    rendered = text.render(report)
    assert report.findings and "\x1b" not in rendered and "\\x1b[2J" in rendered


def test_the_no_defect_sentence_only_when_everything_was_reviewed() -> None:
    missing = Report(findings=(), problems=(FileProblem("gone.py", ProblemKind.NOT_FOUND, "no such file"),))
    for fmt in ("text", "markdown", "github"):
        rendered = render(missing, fmt, all_rules())
        assert NO_DEFECTS not in rendered and summary.NOT_ALL_REVIEWED in rendered, fmt
    partial = Report(findings=(), problems=(FileProblem("a.py", ProblemKind.PARSE_ERRORS, "line 3"),))
    assert text.render(partial).startswith(NO_DEFECTS)  # parsed where it could be: reviewed


def test_sarif_states_its_suppressed_results_in_the_summary() -> None:
    report = _report()
    hidden = dataclasses.replace(report.findings[0], location=Location("app.py", 1, 1, 1, 2))
    hidden = dataclasses.replace(hidden, suppression=Suppression(HiddenBecause.INLINE, "ok"))
    report = dataclasses.replace(report, suppressed=(hidden,))
    data = json.loads(render(report, "sarif", all_rules()))
    run = data["runs"][0]
    assert len(run["results"]) == len(report.findings) + 1
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    stated = [t for t in texts if "suppressed" in t]
    assert stated and f"{len(report.findings)} security defects" in stated[0] and "1 suppressed" in stated[0]


def test_github_annotations_escape_terminal_controls() -> None:
    report = _report(HOSTILE_NAME)
    rendered = render(report, "github", all_rules())
    assert "\x1b" not in rendered and "\u202e" not in rendered
    assert all(line.startswith("::") for line in rendered.splitlines()[:-1])
