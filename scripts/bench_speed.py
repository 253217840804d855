"""Time secreview against Bandit and ruff on the same tree, in one run.

    python scripts/bench_speed.py TREE [--secreview CMD] [--bandit CMD] [--ruff CMD] [--repeat N]

For each tool: wall time and peak memory (max RSS of the process), then the
ratios secreview / peer.  Every tool reviews the whole TREE with its default
settings; output goes to a temporary file, so terminal speed does not count.
secreview's own exit status 0/1 (findings) counts as success, 2 is reported
(an incomplete run still took the time it took).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measurement:
    tool: str
    wall: float
    peak_mb: float
    status: int


def measure(tool: str, argv: list[str], env: dict | None = None) -> Measurement:
    """Run argv once; wall time and the child's own peak RSS (os.wait4 rusage)."""
    with tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=sink, stderr=sink, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    return Measurement(tool, wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def best_of(repeat: int, tool: str, argv: list[str], env: dict | None = None) -> Measurement:
    runs = [measure(tool, argv, env) for _ in range(repeat)]
    return min(runs, key=lambda m: m.wall)


def commands(args: argparse.Namespace, tree: Path, out: Path) -> dict[str, list[str]]:
    secreview = shlex.split(args.secreview) if args.secreview else [sys.executable, "-m", "secreview"]
    return {
        "secreview": [*secreview, "--format", "json", "--output", str(out / "secreview.json"), str(tree)],
        "bandit": [*shlex.split(args.bandit), "-r", str(tree), "-f", "json", "-o", str(out / "bandit.json"), "-q"],
        "ruff-S": [*shlex.split(args.ruff), "check", "--select", "S", "--no-cache", "--isolated", "--exit-zero",
                   "--output-format", "json", "--output-file", str(out / "ruff.json"), str(tree)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--secreview", help="command prefix for secreview (default: this Python -m secreview)")
    parser.add_argument("--bandit", default="bandit")
    parser.add_argument("--ruff", default="ruff")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest counts (default 1)")
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="secreview-speed-") as tmp:
        results = {name: best_of(args.repeat, name, command, env)
                   for name, command in commands(args, args.tree, Path(tmp)).items()}
    print(f"tree: {args.tree}  ({sum(1 for _ in args.tree.rglob('*.py'))} .py files)")
    print(f"{'tool':<12}{'wall s':>10}{'peak MB':>10}{'exit':>6}")
    for result in results.values():
        print(f"{result.tool:<12}{result.wall:>10.2f}{result.peak_mb:>10.0f}{result.status:>6}")
    mine = results["secreview"]
    for peer in ("bandit", "ruff-S"):
        other = results[peer]
        print(f"secreview / {peer}: wall {mine.wall / other.wall:.2f}, peak memory {mine.peak_mb / other.peak_mb:.2f}")
    return 0 if mine.status in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
