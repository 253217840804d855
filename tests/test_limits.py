"""Bounded work per file, enforced from outside the analysis (issue 16).

A file whose analysis runs away (a long call into C, a memory blow-up, a crash, a
hostile nesting depth) is reported `limit-exceeded` (or `internal-error` for a crash);
the other files of the run, and with one job too, keep their findings.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from workflow import secreview, write

from secreview import engine
from secreview.model import Confidence, ProblemKind, Report, Severity
from secreview.rules import Rule, all_rules
from secreview.sources import SourceFile

VULNERABLE = 'import subprocess\n\n\ndef run(name):\n    subprocess.run("ls " + name, shell=True)\n'
RUNAWAY = "# runaway\n" + VULNERABLE  # the test rules below misbehave on this file only


class _Misbehaving(Rule):
    cwe = 400
    severity = Severity.LOW
    confidence = Confidence.HIGH
    message = description = solution = "x"

    def check(self, file):
        if file.text.startswith("# runaway"):
            self.misbehave()
        yield from ()

    def misbehave(self) -> None:
        raise NotImplementedError


class _LongCallIntoC(_Misbehaving):
    id = "long-call-into-c"

    def misbehave(self) -> None:
        # Like a long parse: the alarm that stops a file's rules cannot get in.
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        time.sleep(60)


class _MemoryHog(_Misbehaving):
    id = "memory-hog"

    def misbehave(self) -> None:
        bytearray(64 * 2**30)


class _Crash(_Misbehaving):
    id = "crash"

    def misbehave(self) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


class _Abort(_Misbehaving):
    id = "abort"

    def misbehave(self) -> None:
        os.abort()  # what the parser does when it cannot allocate


class _TooDeep(_Misbehaving):
    id = "too-deep"

    def misbehave(self) -> None:
        def down(depth: int) -> int:
            return down(depth + 1) + 1
        down(0)


def _shell_rules() -> list[type[Rule]]:
    return [rule for rule in all_rules() if rule.id == "subprocess-shell-true"]


def _review(misbehaving: type[Rule], **limits: object) -> Report:
    """A runaway file between two ordinary ones, with one job (the serial path is bounded too)."""
    files = [SourceFile("a.py", VULNERABLE, "python"), SourceFile("runaway.py", RUNAWAY, "python"),
             SourceFile("b.py", VULNERABLE, "python")]
    settings = engine.Settings(**{"file_timeout": engine.DEFAULT_FILE_TIMEOUT, "profile": "audit",  # type: ignore
                                  **limits})
    return engine.analyze(files, [*_shell_rules(), misbehaving], settings, jobs=1)


def _problem_of(report: Report) -> tuple[ProblemKind, str]:
    assert [problem.path for problem in report.problems] == ["runaway.py"]
    return report.problems[0].kind, report.problems[0].detail


def _finding_paths(report: Report) -> list[str]:
    return sorted(finding.location.path for finding in report.findings)


def test_a_long_call_into_c_is_killed_and_the_run_goes_on() -> None:
    started = time.monotonic()
    report = _review(_LongCallIntoC, file_timeout=0.5)
    assert time.monotonic() - started < engine.hard_deadline(0.5) + 5
    kind, detail = _problem_of(report)
    assert kind is ProblemKind.LIMIT_EXCEEDED and "killed" in detail and "--file-timeout 0.5" in detail
    assert _finding_paths(report) == ["a.py", "b.py"], "the killed worker is replaced for the next file"


@pytest.mark.skipif(not engine.file_memory_supported(), reason="the memory limit needs Linux")
def test_a_memory_blow_up_stops_the_file_and_keeps_its_finished_rules() -> None:
    report = _review(_MemoryHog, file_memory=256)
    kind, detail = _problem_of(report)
    assert kind is ProblemKind.LIMIT_EXCEEDED
    assert "--file-memory-limit 256 MiB" in detail and "not finished: memory-hog" in detail
    assert _finding_paths(report) == ["a.py", "b.py", "runaway.py"]


def test_a_crashed_worker_costs_only_its_file() -> None:
    report = _review(_Crash)
    kind, detail = _problem_of(report)
    assert kind is ProblemKind.INTERNAL_ERROR and "SIGKILL" in detail
    assert _finding_paths(report) == ["a.py", "b.py"]


@pytest.mark.skipif(not engine.file_memory_supported(), reason="the memory limit needs Linux")
def test_a_worker_dead_under_the_memory_limit_is_reported_as_over_it() -> None:
    report = _review(_Abort, file_memory=256)
    kind, detail = _problem_of(report)
    assert kind is ProblemKind.LIMIT_EXCEEDED and "SIGABRT" in detail and "--file-memory-limit 256 MiB" in detail
    assert _finding_paths(report) == ["a.py", "b.py"]


def test_too_deep_a_recursion_loses_only_that_rule() -> None:
    report = _review(_TooDeep)
    kind, detail = _problem_of(report)
    assert kind is ProblemKind.LIMIT_EXCEEDED and "RecursionError" in detail
    assert _finding_paths(report) == ["a.py", "b.py", "runaway.py"]


def test_bounded_and_unbounded_runs_report_the_same() -> None:
    files = [SourceFile(f"v{n}.py", VULNERABLE.replace("ls", f"ls{n}"), "python") for n in range(9)]
    unbounded = engine.analyze(files, all_rules(), engine.Settings(profile="audit"), jobs=1)
    bounded = engine.Settings(file_timeout=engine.DEFAULT_FILE_TIMEOUT, file_memory=engine.DEFAULT_FILE_MEMORY,
                              profile="audit")
    assert unbounded == engine.analyze(files, all_rules(), bounded, jobs=1)
    assert unbounded == engine.analyze(files, all_rules(), bounded, jobs=2)


@pytest.mark.parametrize("option, value", [
    ("--file-timeout", "nan"), ("--file-timeout", "inf"), ("--file-timeout", "-1"), ("--file-timeout", "1e300"),
    ("--file-memory-limit", "-1"), ("--file-memory-limit", str(2**80))])
def test_limits_must_be_finite_and_not_negative(tmp_path: Path, capsys, monkeypatch, option: str,
                                                value: str) -> None:
    write(tmp_path, {"a.py": "x = 1\n"})
    result = secreview(tmp_path, option, value, "a.py", capsys=capsys, monkeypatch=monkeypatch)
    assert result.status == 2 and option in result.stderr


@pytest.mark.parametrize("setting", ["file-timeout = nan", "file-timeout = inf", "file-memory-limit = -5",
                                     "file-memory-limit = 1.5"])
def test_limits_in_the_configuration_are_checked(tmp_path: Path, capsys, monkeypatch, setting: str) -> None:
    write(tmp_path, {"a.py": "x = 1\n", "secreview.toml": setting + "\n"})
    result = secreview(tmp_path, "a.py", capsys=capsys, monkeypatch=monkeypatch)
    assert result.status == 2 and setting.split(" ")[0] in result.stderr


def test_limits_default_and_zero_means_none(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"a.py": "x = 1\n", "secreview.toml": "file-timeout = 0\n"})
    shown = secreview(tmp_path, "config", "--file-memory-limit", "0", capsys=capsys, monkeypatch=monkeypatch)
    assert "file-timeout = 0.0" in shown.stdout and "file-memory-limit = 0  # --file-memory-limit" in shown.stdout
    defaults = secreview(tmp_path, "config", "--no-config", capsys=capsys, monkeypatch=monkeypatch)
    assert f"file-timeout = {engine.DEFAULT_FILE_TIMEOUT}  # default" in defaults.stdout
    assert f"file-memory-limit = {engine.DEFAULT_FILE_MEMORY}  # default" in defaults.stdout
