"""Review a real tree and write a random sample of findings for manual triage.

    python scripts/precision_sample.py TREE N [--out FILE] [--seed S] [-- secreview options...]

Runs secreview with its default settings (findings hidden by default stay
hidden, as a user would see them) on TREE, draws N findings at random (seeded,
so the draw can be repeated), and writes a Markdown file with, for each: rule,
CWE, pillar, location, message, the code around it, and an empty
"Verdict:" line to fill in with `true defect`, `defensible` or `false alarm`.
`--tally FILE` reads such a file back and prints the precision.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

CONTEXT = 6
VERDICTS = ("true defect", "defensible", "false alarm")


def review(tree: Path, extra: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="secreview-sample-") as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "secreview", "--format", "json", "--output", str(out), *extra, str(tree)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode not in (0, 1, 2) or not out.is_file():
            raise SystemExit(f"secreview failed ({completed.returncode}): {completed.stderr[-400:]}")
        return json.loads(out.read_text(encoding="utf-8"))["findings"]


def context(path: str, line: int) -> str:
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as error:
        return f"(cannot read {path}: {error})"
    first, last = max(1, line - CONTEXT), min(len(lines), line + CONTEXT)
    return "\n".join(f"{'>' if n == line else ' '} {n:5} | {lines[n - 1]}" for n in range(first, last + 1))


def render(sample: list[dict], tree: Path, total: int, seed: int) -> str:
    parts = [f"# Precision sample: {len(sample)} of {total} default-visible findings on `{tree}` (seed {seed})\n",
             "Verdicts: `true defect`, `defensible` (a reviewer could reasonably ask for a change), "
             "`false alarm`.\n"]
    for number, finding in enumerate(sample, 1):
        location = finding["location"]
        parts.append(
            f"## {number}. `{finding['rule_id']}` CWE-{finding['cwe']['id']} (pillar CWE-{finding['pillar']['id']}) "
            f"{finding['severity']}/{finding['confidence']}\n\n"
            f"`{location['path']}:{location['start_line']}`: {finding['message']}\n\n"
            f"```python\n{context(location['path'], location['start_line'])}\n```\n\n"
            "Verdict: \n\nWhy: \n")
    return "\n".join(parts)


def tally(path: Path) -> int:
    verdicts = re.findall(r"^Verdict: *(.*?) *$", path.read_text(encoding="utf-8"), re.M)
    counts = Counter(v.lower() for v in verdicts)
    unknown = [v for v in counts if v not in VERDICTS]
    if unknown or not verdicts:
        print(f"unfilled or unknown verdicts: {unknown or 'none filled'}", file=sys.stderr)
        return 1
    good = counts["true defect"] + counts["defensible"]
    print(", ".join(f"{v}: {counts[v]}" for v in VERDICTS))
    print(f"precision (true or defensible): {good}/{len(verdicts)} = {100 * good / len(verdicts):.1f}%")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, nargs="?")
    parser.add_argument("n", type=int, nargs="?", default=60)
    parser.add_argument("--out", type=Path, default=Path("precision-sample.md"))
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--tally", type=Path, help="count the verdicts of a filled-in sample file")
    args, extra = parser.parse_known_args(argv)
    if args.tally:
        return tally(args.tally)
    if args.tree is None:
        parser.error("TREE is required")
    findings = review(args.tree, [a for a in extra if a != "--"])
    sample = random.Random(args.seed).sample(findings, min(args.n, len(findings)))
    args.out.write_text(render(sample, args.tree, len(findings), args.seed), encoding="utf-8")
    print(f"wrote {len(sample)} of {len(findings)} findings to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
