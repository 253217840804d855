"""Nothing overwritten that is not ours, no crash loses the report (issue 16)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from secreview import cli, llm
from secreview.report import is_report, render
from secreview.rules import all_rules
from test_hostile_inputs import VULNERABLE, review
from test_hostile_reports import _report


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secreview.toml").write_text("")
    (tmp_path / "app.py").write_text(VULNERABLE)
    return tmp_path


def test_the_output_never_replaces_a_reviewed_file(project: Path) -> None:
    status, out, err = review("app.py", "-o", "app.py")
    assert status == cli.EXIT_ERROR and "is an input of this review" in err
    assert (project / "app.py").read_text() == VULNERABLE
    status, _, err = review(".", "-o", "app.py", "--force")  # not even with --force
    assert status == cli.EXIT_ERROR and (project / "app.py").read_text() == VULNERABLE


@pytest.mark.parametrize("flag", ["--baseline", "--write-baseline"])
def test_the_output_never_replaces_the_baseline(project: Path, flag: str) -> None:
    review("app.py", "--write-baseline", "b.json")
    before = (project / "b.json").read_text()
    status, _, err = review("app.py", flag, "b.json", "-o", "b.json")
    assert status == cli.EXIT_ERROR and "is an input of this review" in err
    assert (project / "b.json").read_text() == before


def test_a_file_that_is_not_a_report_is_replaced_only_with_force(project: Path) -> None:
    important = project / "important.txt"
    important.write_text("my notes\n")
    important.chmod(0o640)
    os.link(important, project / "link.txt")
    status, _, err = review("app.py", "-o", "important.txt")
    assert status == cli.EXIT_ERROR and "not a secreview report; use --force" in err
    assert important.read_text() == "my notes\n"
    status, _, _ = review("app.py", "-o", "important.txt", "--force")
    assert status == cli.EXIT_FINDINGS
    assert stat.S_IMODE(important.stat().st_mode) == 0o640, "the mode is kept"
    assert (project / "link.txt").read_text() == important.read_text(), "the hard link is kept"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_an_earlier_report_is_replaced_keeping_its_mode(project: Path, fmt: str) -> None:
    report = project / "report.out"
    review("app.py", "-f", fmt, "-o", "report.out")
    report.chmod(0o604)
    status, _, err = review("app.py", "-f", fmt, "-o", "report.out")
    assert status == cli.EXIT_FINDINGS, err
    assert stat.S_IMODE(report.stat().st_mode) == 0o604


def test_a_new_report_is_readable_under_the_umask(project: Path) -> None:
    previous = os.umask(0o022)
    try:
        review("app.py", "-o", "new.txt")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((project / "new.txt").stat().st_mode) == 0o644
    assert not list(project.glob(".secreview-*")), "no temporary file left"


@pytest.mark.parametrize("target", [".", "/dev/full"])
def test_an_output_that_cannot_be_written_prints_the_report(project: Path, target: str) -> None:
    status, out, err = review("app.py", "-o", target)
    assert status == cli.EXIT_ERROR and "cannot write report" in err
    assert "app.py:2" in out


def test_every_format_is_recognised_as_a_report_and_other_text_is_not() -> None:
    for fmt in ("text", "json", "sarif", "markdown", "github"):
        assert is_report(render(_report(), fmt, all_rules())), fmt
    assert is_report(render(_report(), "text", all_rules(), color=True))
    assert not is_report("my notes\n") and not is_report('{"version": 1, "tool": "secreview", "findings": []}')


def test_a_failure_in_the_llm_reviewer_keeps_the_static_findings(project: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(llm, "run", broken)
    status, out, err = review("--llm", "--llm-model", "m", "app.py")
    assert status == cli.EXIT_ERROR and "app.py:2" in out
    assert "internal error in the LLM reviewer: RuntimeError: a bug" in out


def test_a_failure_outside_file_analysis_has_its_own_exit_status(project: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli.reporting, "render", broken)
    status, _, err = review("app.py")
    assert status == cli.EXIT_INTERNAL == 3
    assert "RuntimeError: a bug" in err and "internal error" in err


def test_write_baseline_never_replaces_a_reviewed_file_or_a_file_that_is_not_a_baseline(project: Path) -> None:
    status, _, err = review("app.py", "--write-baseline", "app.py")
    assert status == cli.EXIT_ERROR and "is an input of this review" in err
    assert (project / "app.py").read_text() == VULNERABLE
    (project / "notes.json").write_text('{"mine": true}\n')
    status, _, err = review("app.py", "--write-baseline", "notes.json")
    assert status == cli.EXIT_ERROR and "not a secreview baseline; use --force" in err
    assert review("app.py", "--write-baseline", "b.json")[0] == cli.EXIT_CLEAN
    assert review("app.py", "--write-baseline", "b.json")[0] == cli.EXIT_CLEAN, "an earlier baseline is ours"


def test_an_output_through_a_symbolic_link_replaces_its_target(project: Path) -> None:
    review("app.py", "-o", "report.txt")
    (project / "latest.txt").symlink_to("report.txt")
    status, _, _ = review("app.py", "-f", "markdown", "-o", "latest.txt")
    assert status == cli.EXIT_FINDINGS
    assert (project / "latest.txt").is_symlink() and (project / "report.txt").read_text().startswith("### ")


def test_a_failing_reporter_still_writes_the_findings_and_exits_3(project, monkeypatch, capsys) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("reporter bug")

    monkeypatch.setattr(cli.reporting, "render", broken)
    status, out, err = review(str(project / "app.py"))
    assert status == cli.EXIT_INTERNAL and "reporter bug" in err
    assert "app.py:2: os-system-non-literal CWE-78" in out
