"""The precision ledger: sample default findings of real projects, record verdicts, report precision and noise.

    python scripts/triage.py sample TREE --project NAME [--n 40] [--seed S] [--out DIR] [-- secreview options]
    python scripts/triage.py record DIR/NAME-SEED.jsonl [--ledger-dir bench/triage]
    python scripts/triage.py report [--ledger-dir bench/triage] [--markdown docs/precision.md]
    python scripts/triage.py noise TREE [TREE ...] [-- secreview options]
    python scripts/triage.py recheck TREE --project NAME [-- secreview options]

`sample` reviews TREE as a user would (default settings: test code hidden, default
profile), leaves out findings already judged in the ledger, draws N at random (seeded)
and writes two files: a worksheet `NAME-SEED.md` showing each finding with the code
around it, its enclosing function and the places that call that function (what a
judge needs to decide), and `NAME-SEED.jsonl` with one line per finding and empty
`verdict`/`reason` fields to fill in.

Verdicts, judged strictly as the project's security team would:
  true        a defect you would ask the project to fix for security reasons;
  defensible  a flag a careful security reviewer would raise (hardening, a real risk
              under plausible conditions);
  false       everything else.

`record` checks a filled-in JSONL file and appends it to `bench/triage/<project>.jsonl`
(one judgement per finding; a finding judged again replaces nothing: the first verdict
stands).  `report` prints per-rule and overall precision (true-or-defensible / judged)
with counts, per project, and can write the Markdown table.  `noise` prints default
findings per 10,000 non-blank lines of production (non-test) code.  `recheck` reviews a
judged project again and counts the ledger's verdicts on what is shown now, and what is new
(unjudged): the precision of today's rules on what was judged before.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from secreview_run import review_json, split_at_double_dash  # noqa: E402  (a sibling script module)

ROOT = Path(__file__).resolve().parent.parent
LEDGER_DIR = ROOT / "bench" / "triage"
VERDICTS = ("true", "defensible", "false")
LEDGER_FIELDS = ("project", "commit", "file", "line", "rule", "verdict", "reason", "sample")
CONTEXT = 8
SOURCE_SUFFIXES = frozenset({".py", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh"})
MAX_CALLERS = 5


# -- running secreview ---------------------------------------------------------------------------

def review(tree: Path, extra: list[str]) -> dict:
    return review_json(tree, ["--no-cache", "-q", *extra])


def commit_of(tree: Path) -> str:
    completed = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False, cwd=tree)
    return completed.stdout.strip() if completed.returncode == 0 else "unknown"


# -- the ledger ----------------------------------------------------------------------------------

def key(entry: dict) -> tuple:
    return entry["project"], entry["file"], int(entry["line"]), entry["rule"]


def read_ledger(ledger_dir: Path) -> list[dict]:
    entries = []
    for path in sorted(ledger_dir.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                entry = json.loads(line)
                problem = validate(entry)
                if problem:
                    raise SystemExit(f"{path}:{number}: {problem}")
                entries.append(entry)
    return entries


def validate(entry: dict) -> str | None:
    missing = [name for name in LEDGER_FIELDS if name not in entry]
    if missing:
        return f"missing {', '.join(missing)}"
    if entry["verdict"] not in VERDICTS:
        return f"verdict must be one of {', '.join(VERDICTS)}, not {entry['verdict']!r}"
    if len(entry["reason"].strip()) < 10:
        return "reason: one sentence saying why"
    return None


# -- sample ---------------------------------------------------------------------------------------

def sample(tree: Path, project: str, n: int, seed: int, out: Path, extra: list[str], ledger_dir: Path) -> int:
    judged = {key(e) for e in read_ledger(ledger_dir)}
    findings = review(tree, extra)["findings"]
    fresh = [f for f in findings
             if (project, f["location"]["path"].removeprefix("./"), f["location"]["start_line"], f["rule_id"])
             not in judged]
    chosen = random.Random(seed).sample(fresh, min(n, len(fresh)))
    chosen.sort(key=lambda f: (f["location"]["path"], f["location"]["start_line"]))
    commit = commit_of(tree)
    name = f"{project}-{seed}"
    out.mkdir(parents=True, exist_ok=True)
    lines, sheet = [], [f"# {project} at {commit[:12]}: {len(chosen)} of {len(fresh)} unjudged default findings "
                        f"(seed {seed})\n", "Judge each: `true`, `defensible` or `false` (see scripts/triage.py).\n"]
    for number, finding in enumerate(chosen, 1):
        path = finding["location"]["path"].removeprefix("./")
        line = finding["location"]["start_line"]
        lines.append({"project": project, "commit": commit, "file": path, "line": line,
                      "rule": finding["rule_id"], "verdict": "", "reason": "", "sample": name,
                      "message": finding["message"]})
        sheet.append(worksheet_entry(number, tree, path, line, finding))
    (out / f"{name}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    (out / f"{name}.md").write_text("\n".join(sheet), encoding="utf-8")
    print(f"{len(chosen)} of {len(fresh)} unjudged findings ({len(findings)} shown in all) -> "
          f"{out / name}.md and .jsonl")
    return 0


def worksheet_entry(number: int, tree: Path, path: str, line: int, finding: dict) -> str:
    text = _read(tree / path)
    rows = text.splitlines()
    function, header_line = enclosing_function(rows, line)
    parts = [f"## {number}. `{finding['rule_id']}` {finding['severity']}/{finding['confidence']} "
             f"CWE-{finding['cwe']['id']}\n",
             f"`{path}:{line}`: {finding['message']}\n", "```", numbered(rows, line - CONTEXT, line + CONTEXT, line),
             "```\n"]
    if function and header_line < line - CONTEXT:
        parts += [f"In `{function}` (line {header_line}):\n", "```",
                  numbered(rows, header_line, header_line + 2, 0), "```\n"]
    if function and not function.startswith("__"):
        callers = find_callers(tree, function)
        if callers:
            parts.append(f"Calls of `{function}` ({len(callers)} shown):\n")
            parts += [f"- `{where}`: `{code.strip()[:140]}`" for where, code in callers]
            parts.append("")
    if finding.get("trace"):
        parts.append("Trace: " + " -> ".join(f"{s['location']['start_line']}: {s['note']}" for s in finding["trace"]))
    parts.append("")
    return "\n".join(parts)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"(cannot read {path}: {error})"


def numbered(rows: list[str], first: int, last: int, mark: int) -> str:
    first, last = max(1, first), min(len(rows), last)
    return "\n".join(f"{'>' if n == mark else ' '}{n:6} | {rows[n - 1]}" for n in range(first, last + 1))


_PY_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)")
_C_DEF = re.compile(r"^[A-Za-z_][\w\s\*:<>,]*?\b(\w+)\s*\([^;]*$")


def enclosing_function(rows: list[str], line: int) -> tuple[str | None, int]:
    """The nearest function header above `line` (Python `def`, or a C definition at column 0)."""
    for number in range(min(line, len(rows)), 0, -1):
        row = rows[number - 1]
        match = _PY_DEF.match(row) or (_C_DEF.match(row) if row[:1].isalpha() else None)
        if match and match.group(1) not in ("if", "for", "while", "switch", "return"):
            return match.group(1), number
    return None, 0


def find_callers(tree: Path, function: str) -> list[tuple[str, str]]:
    completed = subprocess.run(["git", "grep", "-n", "-E", rf"\b{function}\s*\(", "--", "*.py", "*.c", "*.h",
                                "*.cc", "*.cpp"], capture_output=True, text=True, check=False, cwd=tree)
    found = []
    for row in completed.stdout.splitlines():
        parts = row.split(":", 2)
        if len(parts) < 3:
            continue
        where, line_no, code = parts
        if re.match(rf"\s*(?:async\s+)?def\s+{function}\b", code):
            continue
        found.append((f"{where}:{line_no}", code))
    return found[:MAX_CALLERS]


# -- record ---------------------------------------------------------------------------------------

def record(worksheet: Path, ledger_dir: Path) -> int:
    rows = [json.loads(line) for line in worksheet.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems = [f"{worksheet}:{n}: {problem}" for n, row in enumerate(rows, 1) if (problem := validate(row))]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    judged = {key(e) for e in read_ledger(ledger_dir)}
    added = Counter()
    ledger_dir.mkdir(parents=True, exist_ok=True)
    for row in rows:
        if key(row) in judged:
            continue
        judged.add(key(row))
        entry = {name: row[name] for name in LEDGER_FIELDS}
        with (ledger_dir / f"{row['project']}.jsonl").open("a", encoding="utf-8") as ledger:
            ledger.write(json.dumps(entry, sort_keys=True) + "\n")
        added[row["project"]] += 1
    print(", ".join(f"{project}: {count} recorded" for project, count in sorted(added.items())) or "nothing new")
    return 0


# -- report ---------------------------------------------------------------------------------------

def precision(counts: Counter) -> str:
    judged = sum(counts.values())
    good = counts["true"] + counts["defensible"]
    return f"{100 * good / judged:.0f}%" if judged else "-"


def report_table(entries: list[dict]) -> str:
    by_rule: dict[str, Counter] = defaultdict(Counter)
    by_project: dict[str, Counter] = defaultdict(Counter)
    overall: Counter = Counter()
    for entry in entries:
        by_rule[entry["rule"]][entry["verdict"]] += 1
        by_project[entry["project"]][entry["verdict"]] += 1
        overall[entry["verdict"]] += 1
    rows = ["| rule | judged | true | defensible | false | true-or-defensible |", "|---|---|---|---|---|---|"]
    for rule, counts in sorted(by_rule.items(), key=lambda item: (-sum(item[1].values()), item[0])):
        rows.append(f"| `{rule}` | {sum(counts.values())} | {counts['true']} | {counts['defensible']} | "
                    f"{counts['false']} | {precision(counts)} |")
    rows += ["", "| project | judged | true | defensible | false | true-or-defensible |", "|---|---|---|---|---|---|"]
    for project, counts in sorted(by_project.items()):
        rows.append(f"| {project} | {sum(counts.values())} | {counts['true']} | {counts['defensible']} | "
                    f"{counts['false']} | {precision(counts)} |")
    rows.append(f"| **all** | {sum(overall.values())} | {overall['true']} | {overall['defensible']} | "
                f"{overall['false']} | {precision(overall)} |")
    return "\n".join(rows) + "\n"


def report(ledger_dir: Path, markdown: Path | None) -> int:
    table = report_table(read_ledger(ledger_dir))
    print(table, end="")
    if markdown is not None:
        text = markdown.read_text(encoding="utf-8")
        start, end = "<!-- ledger:start -->", "<!-- ledger:end -->"
        if start not in text:
            raise SystemExit(f"{markdown} has no {start} ... {end} block")
        head, rest = text.split(start, 1)
        markdown.write_text(f"{head}{start}\n{table}{end}{rest.split(end, 1)[1]}", encoding="utf-8")
    return 0


# -- noise ----------------------------------------------------------------------------------------

def noise(trees: list[Path], extra: list[str]) -> int:
    from secreview.testcode import is_test_path
    for tree in trees:
        result = review(tree, extra)
        lines = 0
        for path in tree.rglob("*"):
            relative = path.relative_to(tree).as_posix()
            if path.suffix in SOURCE_SUFFIXES and ".git/" not in f"/{relative}" and path.is_file() \
                    and not is_test_path(relative):
                lines += sum(1 for row in _read(path).splitlines() if row.strip())
        shown = len(result["findings"])
        per = 10_000 * shown / lines if lines else 0.0
        print(f"{tree.name}: {shown} default findings in {lines:,} production lines = {per:.2f} per 10,000 lines")
    return 0


def recheck(tree: Path, project: str, extra: list[str], ledger_dir: Path) -> int:
    verdicts = {key(e): e["verdict"] for e in read_ledger(ledger_dir) if e["project"] == project}
    shown = review(tree, extra)["findings"]
    counts: Counter = Counter()
    for finding in shown:
        where = (project, finding["location"]["path"].removeprefix("./"), finding["location"]["start_line"],
                 finding["rule_id"])
        counts[verdicts.get(where, "unjudged")] += 1
    judged = sum(counts[v] for v in VERDICTS)
    good = counts["true"] + counts["defensible"]
    share = f"{100 * good / judged:.0f}%" if judged else "-"
    print(f"{project}: {len(shown)} shown; judged {judged} (true {counts['true']}, defensible "
          f"{counts['defensible']}, false {counts['false']}; true-or-defensible {share}); unjudged {counts['unjudged']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv, extra = split_at_double_dash(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("sample", help="draw unjudged default findings into a worksheet")
    take.add_argument("tree", type=Path)
    take.add_argument("--project", required=True)
    take.add_argument("--n", type=int, default=40)
    take.add_argument("--seed", type=int, default=20261207)
    take.add_argument("--out", type=Path, default=Path("triage-worksheets"))
    keep = commands.add_parser("record", help="append a filled-in worksheet's verdicts to the ledger")
    keep.add_argument("worksheet", type=Path)
    tell = commands.add_parser("report", help="precision per rule and project from the ledger")
    tell.add_argument("--markdown", type=Path)
    count = commands.add_parser("noise", help="default findings per 10,000 lines of production code")
    count.add_argument("trees", type=Path, nargs="+")
    again = commands.add_parser("recheck", help="the ledger's verdicts on what a review shows now")
    again.add_argument("tree", type=Path)
    again.add_argument("--project", required=True)
    for sub in (take, keep, tell, again):
        sub.add_argument("--ledger-dir", type=Path, default=LEDGER_DIR)
    args = parser.parse_args(argv)
    if args.command == "sample":
        return sample(args.tree, args.project, args.n, args.seed, args.out, extra, args.ledger_dir)
    if args.command == "record":
        return record(args.worksheet, args.ledger_dir)
    if args.command == "report":
        return report(args.ledger_dir, args.markdown)
    if args.command == "recheck":
        return recheck(args.tree, args.project, extra, args.ledger_dir)
    return noise(args.trees, extra)


if __name__ == "__main__":
    raise SystemExit(main())
