"""The pull-request outputs (markdown, GitHub annotations), the committed example, and the CI entry points."""

from __future__ import annotations

import dataclasses
import importlib.util

from conftest import REPO

from secreview import engine
from secreview.model import FileProblem, Location, ProblemKind, Report
from secreview.report import github, markdown, summary
from secreview.report.text import NO_DEFECTS
from secreview.rules import all_rules
from secreview.sources import SourceFile

CODE = ('import subprocess, yaml\n\n\ndef handler(name, blob):\n    subprocess.run("ls " + name, shell=True)\n'
        '    return yaml.load(blob, Loader=yaml.Loader)\n')


def _report() -> Report:
    return engine.analyze([SourceFile("app.py", CODE, "python")], all_rules(), engine.Settings(profile="audit"))


def test_markdown_has_a_pillar_table_then_each_finding() -> None:
    text = markdown.render(_report())
    assert text.startswith("### secreview: 2 security defects found\n")
    assert "| CWE-707: Improper Neutralization |  | 1 |  |  | 1 |" in text
    assert "| CWE-664: Improper Control of a Resource Through its Lifetime |  | 1 |  |  | 1 |" in text
    assert ". `app.py:5` · HIGH · `subprocess-shell-true`" in text  # numbered in reading order
    assert ('```python\n  3 | \n  4 | def handler(name, blob):\n'
            '> 5 |     subprocess.run("ls " + name, shell=True)') in text
    assert "**Solution:**" in text


def test_markdown_escapes_our_text_but_not_code() -> None:
    finding = dataclasses.replace(_report().findings[0], message="read from <stdin> by @admin | *now*",
                                  location=Location("<stdin>", 5, 1, 5, 10))
    text = markdown.render(Report(findings=(finding,), files_analysed=1))
    assert r"read from \<stdin\> by @" + "\u200badmin \\| \\*now\\*" in text
    assert '> 5 |     subprocess.run("ls " + name, shell=True)' in text, "code is shown as written"
    assert "`<stdin>:5`" in text


def test_markdown_without_findings_and_with_problems() -> None:
    report = Report(findings=(), problems=(FileProblem("bad.py", ProblemKind.UNDECODABLE, "not valid utf-8"),))
    text = markdown.render(report)
    assert text.startswith(f"### secreview: {summary.NOT_ALL_REVIEWED}\n")  # never the no-defect sentence
    assert NO_DEFECTS not in text
    assert "**The review is incomplete**" in text and "- `bad.py`: undecodable: not valid utf-8" in text


def test_markdown_stays_under_githubs_comment_limit() -> None:
    finding = _report().findings[0]
    many = tuple(dataclasses.replace(finding, location=Location("app.py", n, 1, n, 2)) for n in range(1, 200))
    text = markdown.render(Report(findings=many, files_analysed=1))
    assert len(text) < 65_536
    assert "more findings not shown here" in text


def test_github_annotations_are_escaped() -> None:
    finding = dataclasses.replace(_report().findings[0], message="bad: 100%\n::error::injected",
                                  location=Location("dir,with:odd/a.py", 5, 3, 5, 9))
    text = github.render(Report(findings=(finding,), files_analysed=1))
    first = text.splitlines()[0]
    assert first.startswith("::error file=dir%2Cwith%3Aodd/a.py,line=5,endLine=5,"
                            "title=subprocess-shell-true (CWE-78%2C high),col=3,endColumn=9::bad: 100%25%0A::error::")
    assert len(text.splitlines()) == 2, "one annotation, one summary line: nothing injected"
    assert github.render(Report(findings=())).strip() == NO_DEFECTS


def test_github_levels_follow_severity() -> None:
    levels = [line.split(" ", 1)[0] for line in github.render(_report()).splitlines()[:-1]]
    assert levels == ["::error", "::error"]


def test_example_pr_comment_is_current() -> None:
    spec = importlib.util.spec_from_file_location("render_example", REPO / "scripts" / "render_example_pr_comment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (REPO / "docs" / "example-pr-comment.md").read_text(encoding="utf-8")
    assert committed == module.render(), "run: python scripts/render_example_pr_comment.py"


def test_ci_entry_points_run_secreview_on_the_change() -> None:
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: secreview\n" in hooks and "entry: secreview --diff HEAD" in hooks
    action = (REPO / "action.yml").read_text(encoding="utf-8")
    assert "using: composite" in action and "github/codeql-action/upload-sarif@v3" in action
    assert '--format sarif --output "$SARIF"' in action and '"--diff=$BASE"' in action
