#!/usr/bin/env python3
"""Local process pool vs Dask LocalCluster on the same checkouts: same findings? how fast? how much memory?

    python scripts/bench_scan.py DIR_OF_CHECKOUTS [--workers 2] [--only a,b,c]

Each immediate subdirectory of DIR_OF_CHECKOUTS is one repository.  Both executors review every repository
with the result cache off (a TOML manifest with `settings = { cache = false }`), into their own SQLite store
in a temporary directory.  Printed: wall time, repositories and lines per second, the largest peak memory of a
worker, and whether the two stores hold the same findings (repository, path, line, rule, fingerprint, and why
hidden if it is), shown and hidden by the profile alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="comma-separated subdirectory names")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    names = sorted(p.name for p in args.checkouts.iterdir() if p.is_dir() and not p.name.startswith("."))
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n in wanted]
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as scratch:
        manifest = Path(scratch, "repositories.toml")
        manifest.write_text("".join(
            f'[[repository]]\nlocation = {json.dumps(str((args.checkouts / n).resolve()))}\n'
            f'settings = {{ cache = false }}\n\n' for n in names), encoding="utf-8")
        results = {executor: _run(executor, manifest, Path(scratch), args.workers) for executor in ("local", "dask")}
    same = results["local"].pop("findings") == results["dask"].pop("findings")
    print(f"{len(names)} repositories, {results['local']['lines']} lines, {args.workers} workers")
    print("| executor | wall s | repositories/s | lines/s | peak MiB per worker | shown | recorded | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for executor, r in results.items():
        print(f"| {executor} | {r['seconds']:.1f} | {r['repositories'] / r['seconds']:.2f} | "
              f"{r['lines'] / r['seconds']:.0f} | {r['peak_kib'] / 1024:.0f} | {r['shown']} | {r['recorded']} | "
              f"{r['failed']} |")
    print(f"same findings (shown and hidden) in both stores: {'yes' if same else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({"repositories": names, "workers": args.workers, "same_findings": same,
                                         "results": results}, indent=2) + "\n", encoding="utf-8")
    return 0 if same else 1


def _run(executor: str, manifest: Path, scratch: Path, workers: int) -> dict:
    database = scratch / f"{executor}.db"
    command = [sys.executable, "-m", "secreview", "scan", str(manifest), "--executor", executor, "--workers",
               str(workers), "--db", str(database), "--work-dir", str(scratch / "work"), "--quiet"]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{executor} scan failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    with sqlite3.connect(database) as connection:
        findings = sorted(connection.execute(
            "SELECT r.name, f.path, f.line, f.rule, f.fingerprint, coalesce(f.hidden, '') FROM findings f JOIN "
            "repository_scans rs ON f.repository_scan_id = rs.id JOIN repositories r ON rs.repository_id = r.id"))
        lines, peak, repositories, failed = connection.execute(
            "SELECT (SELECT coalesce(sum(lines), 0) FROM files), max(peak_memory_kib), count(*), "
            "sum(status = 'failed') FROM repository_scans").fetchone()
    return {"seconds": round(seconds, 2), "lines": lines, "peak_kib": peak or 0, "repositories": repositories,
            "failed": failed or 0, "shown": sum(1 for row in findings if not row[-1]), "recorded": len(findings),
            "findings": findings}


if __name__ == "__main__":
    sys.exit(main())
