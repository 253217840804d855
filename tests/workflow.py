"""Helpers for the review-workflow tests: real git repositories and in-process runs of the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from secreview import cli

# No user or system git configuration: a missing file reads as empty (safer than /dev/null, which
# a misbehaving process on a shared machine can turn into a regular file).
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": "/nonexistent/secreview-tests/gitconfig"}

SHELL_DEFECT = 'subprocess.run("ls " + {name}, shell=True)'


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False,
                               env={**os.environ, **GIT_ENV})
    assert completed.returncode == 0, f"git {' '.join(args)} in {repo}: {completed.stderr}"
    return completed.stdout


def new_repo(path: Path, files: dict[str, str]) -> Path:
    """A git repository on branch main with `files` committed."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    write(path, files)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "base")
    return path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)

    def findings(self) -> list[tuple[str, int, str]]:
        """(path, line, rule) of the reported findings of a JSON run."""
        return [(f["location"]["path"], f["location"]["start_line"], f["rule_id"]) for f in self.json["findings"]]


def secreview(cwd: Path, *args: str, stdin: bytes = b"", capsys=None, monkeypatch=None,
              profile: str | None = "audit") -> Run:
    """Run the command line in this process (fast: no interpreter start, rules imported once).

    Reviews run with `--profile audit` unless told otherwise: these tests exercise the workflow (diffs,
    baselines, suppressions, caches) on small examples whose findings need no evidence; the evidence
    gate itself is tested with `profile="default"`, or `None` for no flag at all.
    """
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    capsys.readouterr()
    if profile is not None and (not args or args[0] not in cli.SUBCOMMANDS):
        args = ("--profile", profile, *args)
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def numbered(*lines: str) -> str:
    return "\n".join(lines) + "\n"
