"""Time secreview against Bandit and ruff on the same tree, in one run.

    python scripts/bench_speed.py TREE [--secreview CMD] [--peers LIST] [--bandit CMD] [--ruff CMD]
        [--cppcheck CMD] [--repeat N]

secreview runs four ways on TREE:

- cold:      default jobs (the number of CPUs), empty result cache;
- cached:    the same again, with the cache the cold run filled (an unchanged re-run);
- --jobs 1:  one process, no cache;
- --jobs 2:  two processes, no cache;

then the peers (`--peers`, default `bandit,ruff-S`: `bandit -r TREE` and
`ruff check --select S TREE`; for a C/C++ tree `--peers cppcheck` runs cppcheck with
the checks and options scripts/bench_juliet.py uses, on all CPUs).  For each: wall time, peak
memory of the largest process and of all its processes together (workers included),
CPU time, and the exit status.  Then the ratios, and a check that the four secreview runs reported
exactly the same findings (shown and hidden); the script exits 1 if they did not.

secreview runs from a frozen copy of this checkout's src/ (unless --secreview is given),
so that edits made to the working copy during the benchmark cannot change the rule-set
version between runs.  Outputs go to temporary files: terminal speed does not count.
secreview's exit status 0/1 (findings) counts as success, 2 is reported (an incomplete
run still took the time it took).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Measurement:
    tool: str
    wall: float
    peak_mb: float        # the largest single process
    tree_peak_mb: float   # all processes of the run together, sampled
    cpu: float            # user + system seconds of the run's processes (workers included)
    status: int


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _tree_rss_mb(root: int) -> float:
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_mb(pid)
        todo.extend(_children(pid))
    return total


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants (Linux /proc; 0 elsewhere)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, _tree_rss_mb(self.pid))


def measure(tool: str, argv: list[str], env: dict | None = None) -> Measurement:
    """Run argv once: wall time, peak RSS of the largest process (os.wait4) and of the process tree."""
    with tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=sink, stderr=sink, env=env)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime  # the child's and every descendant it waited for
    return Measurement(tool, wall, peak, max(sampler.peak, peak), cpu, os.waitstatus_to_exitcode(status))


def best_of(repeat: int, tool: str, argv: list[str], env: dict | None = None,
            before_each=None) -> Measurement:
    runs = []
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        runs.append(measure(tool, argv, env))
    return min(runs, key=lambda m: m.wall)


def _frozen_copy(target: Path) -> Path:
    """A copy of src/ compiled to bytecode, as `pip install` leaves a package (the peers are timed
    installed, too): without it, an environment with PYTHONDONTWRITEBYTECODE compiles every module
    in every run and process."""
    shutil.copytree(REPO / "src" / "secreview", target / "secreview",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ruff_cache"))
    if not compileall.compile_dir(target, quiet=1):
        raise SystemExit(f"could not compile the frozen copy in {target}")
    return target


def secreview_modes(prefix: list[str], tree: Path, out: Path, cache: Path) -> dict[str, list[str]]:
    def run(name: str, *options: str) -> list[str]:
        return [*prefix, *options, "--quiet", "--format", "json", "--output", str(out / f"{name}.json"), str(tree)]

    return {
        "secreview cold": run("cold", "--cache-dir", str(cache)),
        "secreview cached": run("cached", "--cache-dir", str(cache)),
        "secreview -j1": run("jobs1", "--jobs", "1", "--no-cache"),
        "secreview -j2": run("jobs2", "--jobs", "2", "--no-cache"),
    }


def peer_commands(args: argparse.Namespace, tree: Path, out: Path) -> dict[str, list[str]]:
    commands = {
        "bandit": [*shlex.split(args.bandit), "-r", str(tree), "-f", "json", "-o", str(out / "bandit.json"), "-q"],
        "ruff-S": [*shlex.split(args.ruff), "check", "--select", "S", "--no-cache", "--isolated", "--exit-zero",
                   "--output-format", "json", "--output-file", str(out / "ruff.json"), str(tree)],
        "cppcheck": [*shlex.split(args.cppcheck), "--quiet", "--enable=warning,style,portability", "--max-configs=1",
                     f"-j{os.cpu_count() or 1}", "--suppress=missingIncludeSystem", "--suppress=missingInclude",
                     f"--output-file={out / 'cppcheck.txt'}", str(tree)],
    }
    return {name: commands[name] for name in args.peers}


def _findings_of(path: Path) -> tuple[list, list, list] | None:
    """What a secreview JSON report found (notes and timings aside)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data["findings"], data.get("suppressed", []), data["errors"]


def identical_findings(out: Path) -> tuple[bool, str]:
    reports = {name: _findings_of(out / f"{name}.json") for name in ("cold", "cached", "jobs1", "jobs2")}
    missing = [name for name, found in reports.items() if found is None]
    if missing:
        return False, f"no report from: {', '.join(missing)}"
    reference = reports["jobs1"]
    differing = [name for name, found in reports.items() if found != reference]
    counts = f"{len(reference[0])} shown, {len(reference[1])} hidden, {len(reference[2])} file problems"
    if differing:
        return False, f"findings differ from --jobs 1 in: {', '.join(differing)} ({counts} with --jobs 1)"
    return True, f"identical findings in all four secreview runs ({counts})"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--secreview", help="command prefix for secreview (default: this Python -m secreview, "
                                            "from a frozen copy of src/)")
    parser.add_argument("--bandit", default="bandit")
    parser.add_argument("--ruff", default="ruff")
    parser.add_argument("--cppcheck", default="cppcheck")
    parser.add_argument("--peers", default="bandit,ruff-S", type=lambda text: [p for p in text.split(",") if p],
                        help="peers to time: any of bandit, ruff-S, cppcheck (default: bandit,ruff-S)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; the fastest counts (default 1)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.peers) - {"bandit", "ruff-S", "cppcheck"})
    if unknown:
        parser.error(f"unknown peer(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        out, cache = Path(tmp) / "out", Path(tmp) / "cache"
        out.mkdir()
        env = dict(os.environ)
        if args.secreview:
            prefix = shlex.split(args.secreview)
        else:
            frozen = _frozen_copy(Path(tmp) / "src")
            env["PYTHONPATH"] = str(frozen) + os.pathsep + os.environ.get("PYTHONPATH", "")
            prefix = [sys.executable, "-m", "secreview"]
        modes = secreview_modes(prefix, args.tree, out, cache)
        results: dict[str, Measurement] = {}
        # Each cold run starts from an empty cache; the cached run reuses what the last cold run wrote.
        results["secreview cold"] = best_of(args.repeat, "secreview cold", modes["secreview cold"], env,
                                            before_each=lambda: shutil.rmtree(cache, ignore_errors=True))
        for name in ("secreview cached", "secreview -j1", "secreview -j2"):
            results[name] = best_of(args.repeat, name, modes[name], env)
        for name, command in peer_commands(args, args.tree, out).items():
            results[name] = best_of(args.repeat, name, command, env)
        same, verdict = identical_findings(out)
    _print(args.tree, results, same, verdict)
    ok = all(results[name].status in (0, 1) for name in modes)
    return 0 if ok and same else 1


def _print(tree: Path, results: dict[str, Measurement], same: bool, verdict: str) -> None:
    counts = {suffix: sum(1 for path in tree.rglob(f"*{suffix}") if path.is_file())
              for suffix in (".py", ".c", ".h", ".cpp", ".cc", ".hpp")}
    listed = ", ".join(f"{count} {suffix}" for suffix, count in counts.items() if count)
    print(f"tree: {tree}  ({listed} files); {os.cpu_count()} CPUs")
    # cpu / wall shows how much of the machine a run got: on a busy machine it stays well under
    # the number of processes, and wall-time ratios then say more about the load than the tool.
    print(f"{'run':<18}{'wall s':>9}{'cpu s':>9}{'cpu/wall':>9}{'peak MB':>9}{'all MB':>9}{'exit':>6}")
    for r in results.values():
        print(f"{r.tool:<18}{r.wall:>9.2f}{r.cpu:>9.2f}{_ratio(r.cpu, r.wall):>9}{r.peak_mb:>9.0f}"
              f"{r.tree_peak_mb:>9.0f}{r.status:>6}")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cold, cached = results["secreview cold"], results["secreview cached"]
    one, two = results["secreview -j1"], results["secreview -j2"]
    print(f"cached re-run: {_ratio(cold.wall, cached.wall)}x faster than cold")
    print(f"--jobs 2: {_ratio(one.wall, two.wall)}x faster than --jobs 1")
    for peer in [name for name in ("bandit", "ruff-S", "cppcheck") if name in results]:
        other = results[peer]
        print(f"secreview cold / {peer}: wall {_ratio(cold.wall, other.wall)}, "
              f"peak memory (all processes) {_ratio(cold.tree_peak_mb, other.tree_peak_mb)}; "
              f"cached / {peer}: wall {_ratio(cached.wall, other.wall)}")
    print(("OK: " if same else "MISMATCH: ") + verdict)


if __name__ == "__main__":
    sys.exit(main())
