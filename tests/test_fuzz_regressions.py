"""Hostile inputs that hung or blew up the analysis (issue 16), minimised; each must finish in seconds.

Each runs the command line in its own process with a short limit, so that a regression fails
the test (a timeout, or the file reported `limit-exceeded`) instead of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SECONDS = 20  # generous for a loaded machine: each case takes well under a second when fixed


def review(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "secreview", "--no-cache", "--no-config", "--profile", "audit",
                           "--file-timeout", "10",
                           *args], capture_output=True, text=True, cwd=REPO, timeout=SECONDS)


def test_half_typed_method_under_an_error_root_does_not_loop(tmp_path: Path) -> None:
    """The parser's recovery makes the tree's root an ERROR node: looking for an enclosing module looped."""
    path = tmp_path / "t.py"
    path.write_text("def f(url):\n    return x.get(url)\nclass A:\n    def g(se")
    result = review(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "parse-errors" in result.stdout and "limit-exceeded" not in result.stdout


def test_forty_nested_decrements_lower_in_linear_time(tmp_path: Path) -> None:
    """`----x` lowered each operand twice (as the updated place and as the value): 2**40 steps."""
    path = tmp_path / "t.c"
    path.write_text("int f(int x) { return " + "--" * 40 + "x; }\n")
    result = review(str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_prompt_numbered_from_nearly_ten_million_is_reviewed(tmp_path: Path) -> None:
    """The language guess backtracked over the ten million blank lines that keep the prompt's numbers."""
    lines = ["Please review this code:", "9999997 import os", "9999998 ", "9999999 os.system(input())"]
    path = tmp_path / "prompt.txt"
    path.write_text("\n".join(lines) + "\n")
    result = review("--prompt", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{path}:9999999" in result.stdout


def test_huge_literal_and_deep_nesting_cost_only_their_own_files(tmp_path: Path) -> None:
    """A long one-line literal blows the parser's memory (scaled down here with a lower limit), 20,000-deep
    nesting overflows the analysis' recursion: both are reported, and the other file keeps its finding."""
    vulnerable = 'import os\n\n\ndef run(name):\n    os.system("ls " + name)\n'
    (tmp_path / "huge.py").write_text(vulnerable + "x = [" + "1, " * 200_000 + "]\n")
    (tmp_path / "deep.py").write_text(vulnerable + "x = " + "[" * 20_000 + "]" * 20_000 + "\n")
    (tmp_path / "plain.py").write_text(vulnerable)
    result = review("--jobs", "1", "--file-memory-limit", "32", "--format", "json", str(tmp_path))
    report = json.loads(result.stdout)
    assert {error["path"]: error["kind"] for error in report["errors"]} == {
        str(tmp_path / "huge.py"): "limit-exceeded", str(tmp_path / "deep.py"): "limit-exceeded"}
    assert str(tmp_path / "plain.py") in {finding["location"]["path"] for finding in report["findings"]}


def test_fuzz_harness_runs_seeded_cases(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "fuzz.py"), "--max-cases", "3", "--seconds", "60",
                             "--out", str(tmp_path / "out"), "--file-timeout", "5"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert "3 cases in" in result.stdout and "verdict:" in result.stdout, result.stdout + result.stderr
    assert result.returncode in (0, 1), result.stderr  # 1: a case was kept, which the long runs are for
