"""Hostile inputs (issue 16): only regular files are read, every read is bounded, every decode is total,
nothing is skipped silently.  Each test is a reproducer from the issue, run in process."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from secreview import cli
from secreview.report.text import NO_DEFECTS

VULNERABLE = "import os\nos.system(input())\n"
EXIT_INCOMPLETE = cli.EXIT_ERROR


def review(*args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of one in-process run (no cache, one process)."""
    out, err = io.StringIO(), io.StringIO()
    previous = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        # the audit profile: these inputs test reading and reporting, not the evidence gate
        status = cli.main(["--no-cache", "-j", "1", "--profile", "audit", *args])
    finally:
        sys.stdout, sys.stderr = previous
    return status, out.getvalue(), err.getvalue()


def errors(args: list[str]) -> dict[str, str]:
    status, out, _ = review("-f", "json", *args)
    return {entry["path"]: entry["detail"] for entry in json.loads(out)["errors"]}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secreview.toml").write_text("")
    return tmp_path


@pytest.mark.parametrize("name", ["pipe.py", "pipe"])
def test_a_fifo_in_a_walk_is_reported_never_opened(project: Path, name: str) -> None:
    os.mkfifo(project / name)  # opening it for reading would wait for a writer forever
    (project / "app.py").write_text(VULNERABLE)
    status, out, _ = review(".")
    assert status == EXIT_INCOMPLETE
    assert f"{name}: unreadable: not read: a FIFO (named pipe), not a regular file" in out
    assert "app.py:2" in out


def test_a_fifo_or_device_given_as_a_path_is_reported(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    found = errors(["pipe.py", "/dev/zero"])
    assert found == {"pipe.py": "not read: a FIFO (named pipe), not a regular file",
                     "/dev/zero": "not read: a character device, not a regular file"}


def test_stdin_is_bounded_by_max_file_size(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x = 1\n" * 100)))
    status, out, _ = review("--language", "python", "--max-file-size", "100", "-")
    assert status == EXIT_INCOMPLETE
    assert "<stdin>: too-large: more than 100 bytes" in out


@pytest.mark.parametrize("codec", ["unicode_escape", "raw_unicode_escape", "utf-7", "punycode", "utf-16"])
def test_a_code_running_or_odd_declared_encoding_is_not_honoured(project: Path, codec: str) -> None:
    (project / "app.py").write_text(f"# coding: {codec}\n{VULNERABLE}")
    status, out, _ = review("app.py")
    assert status == cli.EXIT_FINDINGS and "app.py:3" in out  # reviewed as the UTF-8 a reader sees


def test_an_odd_declared_encoding_on_bytes_that_are_not_utf8_is_reported(project: Path) -> None:
    (project / "app.py").write_bytes(b"# coding: punycode\nx = '\xff'\n")
    assert errors(["app.py"]) == {
        "app.py": "declares encoding 'punycode', which secreview does not honour, and is not UTF-8"}


def test_a_file_name_that_is_not_utf8_is_reviewed_under_an_escaped_name(project: Path) -> None:
    (project / os.fsdecode(b"bad\xffname.py")).write_text(VULNERABLE)
    for fmt in ("text", "json", "sarif", "markdown", "github"):
        status, out, _ = review("-f", fmt, ".")
        assert status == cli.EXIT_FINDINGS, fmt
        assert "xffname.py" in out, fmt  # escaped as each format escapes a backslash


def test_an_unreadable_subdirectory_makes_the_run_incomplete(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "locked").mkdir()
    (project / "locked" / "app.py").write_text(VULNERABLE)
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    status, out, _ = review(".")
    assert status == EXIT_INCOMPLETE
    assert NO_DEFECTS not in out
    assert "locked: unreadable: directory not reviewed: Permission denied" in out


def test_a_symlinked_directory_is_listed_with_the_reason(project: Path) -> None:
    (project / "real").mkdir()
    (project / "real" / "app.py").write_text(VULNERABLE)
    (project / "linked").symlink_to("real")
    found = errors(["."])
    assert found["./linked"].startswith("symbolic link to a directory, not followed")


def test_a_file_in_a_directory_that_cannot_be_entered_is_not_not_found(project: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if "locked" in os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    assert errors(["locked/app.py"]) == {"locked/app.py": "cannot be looked at: Permission denied"}


def test_a_missing_path_never_prints_the_no_defect_sentence(project: Path) -> None:
    (project / "app.py").write_text("x = 1\n")
    status, out, _ = review("app.py", "missing.py")
    assert status == EXIT_INCOMPLETE
    assert NO_DEFECTS not in out
    assert "missing.py: not-found" in out


def test_prompt_given_a_directory_is_an_error(project: Path) -> None:
    status, _, err = review("--prompt", ".")
    assert status == cli.EXIT_ERROR
    assert "--prompt takes a file, not a directory" in err


@pytest.mark.parametrize("flag, value, message", [
    ("--file-timeout", "nan", "--file-timeout: must be a number of seconds from 0"),
    ("--file-timeout", "inf", "--file-timeout: must be a number of seconds from 0"),
    ("--max-file-size", "1000000000000", "--max-file-size: must be at most 1073741824"),
    ("--exclude", "!", "--exclude: has an invalid gitignore pattern '!'"),
    ("--llm-timeout", "nan", "'timeout' must be a finite number of seconds"),
    ("--llm-base-url", "http://127.0.0.1:99999/v1", "is not a valid URL"),
    ("--llm-base-url", "http://[::1", "is not a valid URL"),
])
def test_bad_numbers_and_patterns_are_usage_errors(project: Path, flag: str, value: str, message: str) -> None:
    (project / "app.py").write_text("x = 1\n")
    status, out, err = review("--llm", "--llm-model", "m", flag, value, "app.py")
    assert status == cli.EXIT_ERROR and out == ""
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("content, message", [
    (b"max-file-size = \xff\n", "not valid UTF-8 (byte 0xff"),
    (b"exclude = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
    (b'exclude = ["!"]\n', "invalid gitignore pattern"),
    (b"file-timeout = nan\n", "'file-timeout' must be a number of seconds from 0"),
    (b'per-path-ignores = {"!" = ["os-system-non-literal"]}\n', "invalid gitignore pattern"),
    (b'cache-dir = "a\\u0000b"\n', "'cache-dir' must be a path, without NUL characters"),
    (b'baseline = "a\\u0000b"\n', "'baseline' must be a path, without NUL characters"),
])
def test_bad_configuration_files_are_usage_errors(project: Path, content: bytes, message: str) -> None:
    (project / "secreview.toml").write_bytes(content)
    (project / "app.py").write_text("x = 1\n")
    status, _, err = review("app.py")
    assert status == cli.EXIT_ERROR and message in err


def test_a_fifo_configuration_or_baseline_is_refused(project: Path) -> None:
    (project / "app.py").write_text("x = 1\n")
    os.mkfifo(project / "pipe.toml")
    status, _, err = review("--config", "pipe.toml", "app.py")
    assert status == cli.EXIT_ERROR and "not read: a FIFO (named pipe)" in err
    status, _, err = review("--baseline", "pipe.toml", "app.py")
    assert status == cli.EXIT_ERROR and "not read: a FIFO (named pipe)" in err
    status, _, err = review("--baseline", "/dev/zero", "app.py")
    assert status == cli.EXIT_ERROR and "not read: a character device" in err


@pytest.mark.parametrize("content, message", [
    (b'{"tool": "secreview", "version": 1, "findings": [\xff]}', "not UTF-8 text (byte 0xff"),
    ('{"tool": "secreview", "version": 1, "findings": []}'.encode("utf-16"), "not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b" " * 200, "over the limit of 100 bytes"),
])
def test_bad_baselines_are_usage_errors(project: Path, content: bytes, message: str) -> None:
    (project / "app.py").write_text("x = 1\n")
    (project / "baseline.json").write_bytes(content)
    size = ["--max-file-size", "100"] if len(content) == 200 else []
    status, _, err = review("--baseline", "baseline.json", *size, "app.py")
    assert status == cli.EXIT_ERROR and message in err and "Traceback" not in err


def test_an_unreadable_directory_given_as_a_path_is_reported(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "locked").mkdir()
    real_stat, real_scandir = os.stat, os.scandir

    def stat(path, *args, **kwargs):
        if os.path.dirname(os.fspath(path)).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    status, out, _ = review("locked")
    assert status == EXIT_INCOMPLETE
    assert "locked: unreadable: directory not reviewed: Permission denied" in out


def test_a_diff_on_stdin_is_bounded_by_max_file_size(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diff = b"--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n" * 10
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(diff)))
    status, _, err = review("--diff", "-", "--max-file-size", "100")
    assert status == cli.EXIT_ERROR and "the diff on stdin is over 100 bytes" in err


def test_a_prompt_is_bounded_by_max_file_size(project: Path) -> None:
    prompt = project / "prompt.txt"
    prompt.write_text("Review this:\n" + "".join(f"{n} x = {n}\n" for n in range(1, 50)))
    assert errors(["--prompt", "prompt.txt", "--max-file-size", "100"])["prompt.txt"].startswith(
        f"{prompt.stat().st_size} bytes is over the limit of 100 bytes")


def test_a_gitignore_with_an_invalid_pattern_keeps_its_other_lines(project: Path) -> None:
    (project / ".gitignore").write_text("!\nignored.py\n")
    (project / "app.py").write_text(VULNERABLE)
    (project / "ignored.py").write_text(VULNERABLE)
    status, out, _ = review(".")
    assert status == cli.EXIT_FINDINGS and "app.py:2" in out and "ignored.py" not in out


def test_a_gitignore_that_is_a_fifo_is_not_read(project: Path) -> None:
    os.mkfifo(project / ".gitignore")
    (project / "app.py").write_text(VULNERABLE)
    status, out, _ = review(".")
    assert status == EXIT_INCOMPLETE and "app.py:2" in out  # no hang; the FIFO is listed like any other
    assert ".gitignore: unreadable: not read: a FIFO (named pipe)" in out


def test_config_shows_control_characters_as_toml_escapes(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["config", "--exclude", "a\nb\x1b"]) == cli.EXIT_CLEAN
    out = capsys.readouterr().out
    assert 'exclude = ["a\\u000ab\\u001b"]' in out and "\x1b" not in out
