"""What the measurement scripts share: their command lines, and running secreview for its JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path


def split_at_double_dash(argv: list[str] | None) -> tuple[list[str], list[str]]:
    """(the script's arguments, the secreview options after `--`), from `argv` or the command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        return argv, []
    at = argv.index("--")
    return argv[:at], argv[at + 1:]


def review_json(tree: Path, options: list[str], env: Mapping[str, str] | None = None, stdin: str | None = None) -> dict:
    """secreview's JSON report of `tree` (reviewed as `.` from inside it, so paths are relative); `stdin` is
    what secreview reads there (a unified diff for `--diff -`)."""
    with tempfile.TemporaryDirectory(prefix="secreview-run-") as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "secreview", "--format", "json", "--output", str(out), *options, "."]
        completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tree, input=stdin,
                                   env=dict(env) if env is not None else None)
        if not out.is_file():
            raise SystemExit(f"secreview failed on {tree} ({completed.returncode}): {completed.stderr[-800:]}")
        return json.loads(out.read_text(encoding="utf-8"))
