"""Do findings land where real fixes landed?  Review the pre-fix version of files that fix commits changed.

    python scripts/bench_fixes.py REPO [--lang python|c|cpp] [--max-commits N] [--max-files-per-commit N]
        [--window 3] [--bandit CMD] [--ruff CMD] [--cppcheck CMD] [--flawfinder CMD] [--keep DIR]
        [--in-tree] [-- secreview options]

1. Fix commits are chosen from REPO's history (merges excluded) by their message, matched
   case-insensitively against FIX_WORDS below: races and locks, leaks, crashes and unhandled
   errors, memory errors, and security fixes (CVE/OSSA ids, injection, traversal...).
2. For each, the source files of `--lang` that the commit changed (test code excluded, at most
   `--max-files-per-commit`: larger commits are refactors more than fixes) are written as they
   were *before* the fix into a scratch tree outside the repository (REPO itself is never
   modified), one folder per commit.  The changed lines of each are the lines of the pre-fix
   version that the fix removed or replaced (a pure insertion counts the lines around it).
3. secreview (default settings: what a user sees) and each peer given reviews the scratch tree.
   Files are reviewed without the rest of their project, so cross-file facts are not available;
   with `--in-tree`, secreview instead reviews each commit's pre-fix files inside the whole pre-fix
   tree (the parent commit's files of the language, extracted with `git archive`, reviewed with
   `--diff - --diff-scope file` and the fix's diff), as a reviewer of that change would: callers,
   callees and imports in the rest of the project are available. Slower: one review per commit.
   Peers still review the scratch tree.
4. Printed per tool: files reviewed, files with a finding within `--window` lines of a changed
   line ("hit"), findings per file, and the lift over random placement: near findings divided by
   the near findings expected if each file's findings fell on uniformly random lines of that file.
   Then a per-rule table for secreview (findings, near, expected near, lift), and for each peer its checks
   with a finding near a fix (what it sees that secreview does not); pool a rule's lift over
   several histories as the sum of its near findings over the sum of its expected ones.  A lift
   around 1 means the findings say nothing about where fixes happen.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from secreview_run import review_json, split_at_double_dash  # noqa: E402  (a sibling script module)

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from secreview.testcode import is_test_path  # noqa: E402  (after the path set-up above)

# Words in a commit message that mark a fix of the classes reviewers care about.
FIX_WORDS = (
    r"race", r"racy", r"lock", r"deadlock", r"concurren", r"thread[- ]safe", r"atomic",
    r"leak", r"leaking", r"not (?:closed|released|freed)", r"file descriptor", r"\bfd\b",
    r"crash", r"traceback", r"segfault", r"\bNone\b", r"NoneType", r"KeyError", r"IndexError", r"AttributeError",
    r"unhandled", r"uncaught", r"null (?:pointer|deref)", r"NULL", r"overflow", r"underflow", r"out[- ]of[- ]bounds",
    r"use[- ]after[- ]free", r"double[- ]free", r"uninitiali[sz]ed", r"heap", r"stack",
    r"CVE-\d+", r"OSSA", r"security", r"vulnerab", r"travers", r"inject", r"escap", r"sanitiz", r"XSS", r"CSRF",
    r"SSRF", r"privilege", r"permission", r"auth(?:entication|orization)? bypass",
)
FIX_MESSAGE = re.compile(r"\b(?:" + "|".join(FIX_WORDS) + ")", re.I)
EXTENSIONS = {"python": ("*.py",), "c": ("*.c", "*.h"), "cpp": ("*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh", "*.h")}
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


@dataclass
class FixedFile:
    commit: str
    path: str        # in the repository
    scratch: str     # relative path in the scratch tree
    lines: int
    changed: set[int] = field(default_factory=set)

    def near(self, line: int, window: int) -> bool:
        return any(abs(line - changed) <= window for changed in self.changed)

    def near_share(self, window: int) -> float:
        """The share of this file's lines that lie within `window` of a changed line."""
        covered = {n for c in self.changed for n in range(c - window, c + window + 1) if 1 <= n <= self.lines}
        return len(covered) / self.lines if self.lines else 0.0


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {completed.stderr.decode(errors='replace')[:300]}")
    return completed.stdout.decode("utf-8", "replace")


def fix_commits(repo: Path, limit: int) -> list[str]:
    """The newest `limit` non-merge commits whose message names a fix (FIX_WORDS, word-initial)."""
    chosen = []
    for entry in git(repo, "log", "--no-merges", "--format=%H%x00%B%x1e").split("\x1e"):
        commit, _, message = entry.strip().partition("\0")
        if commit and FIX_MESSAGE.search(message):
            chosen.append(commit)
            if len(chosen) == limit:
                break
    return chosen


def changed_lines(diff: str) -> dict[str, set[int]]:
    """Pre-fix line numbers each file's hunks removed or replaced (insertions: the lines around)."""
    changed: dict[str, set[int]] = defaultdict(set)
    path = None
    for row in diff.splitlines():
        if row.startswith("--- "):
            path = row[6:] if row.startswith("--- a/") else None
        match = HUNK.match(row)
        if match and path:
            start, count = int(match.group(1)), int(match.group(2) or 1)
            changed[path].update(range(start, start + count) if count else (start, start + 1))
    return changed


def materialise(repo: Path, commits: list[str], lang: str, scratch: Path, per_commit: int) -> list[FixedFile]:
    files: list[FixedFile] = []
    for commit in commits:
        diff = git(repo, "diff", "-U0", "--no-renames", f"{commit}^", commit, "--", *EXTENSIONS[lang])
        changed = {p: lines for p, lines in changed_lines(diff).items() if not is_test_path(p)}
        if not changed or len(changed) > per_commit:
            continue
        for path, lines in sorted(changed.items()):
            try:
                text = git(repo, "show", f"{commit}^:{path}")
            except RuntimeError:
                continue  # the file did not exist before the fix
            relative = f"{commit[:10]}/{path}"
            target = scratch / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            files.append(FixedFile(commit, path, relative, text.count("\n") + 1, lines))
    return files


# -- tools ---------------------------------------------------------------------------------------

Located = list[tuple[str, int, str]]  # (scratch-relative path, line, rule)


def run_secreview(scratch: Path, extra: list[str]) -> Located:
    report = review_json(scratch, ["--no-cache", "-q", "--no-config", *extra],
                         env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin"})
    return [(f["location"]["path"].removeprefix("./"), f["location"]["start_line"], f["rule_id"])
            for f in report["findings"]]


def run_secreview_in_tree(repo: Path, files: list["FixedFile"], lang: str, work: Path, extra: list[str]) -> Located:
    """Each commit's pre-fix files reviewed inside the whole pre-fix tree: the parent commit's files of the
    language (`git archive`, so `repo` is not touched and large blobs a partial clone lacks are not needed),
    `--diff -` given the fix's diff, whole files in scope."""
    located: Located = []
    by_commit: dict[str, set[str]] = defaultdict(set)
    for fixed in files:
        by_commit[fixed.commit].add(fixed.path)
    tree = work / "whole-tree"
    for commit, paths in by_commit.items():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        suffixes = tuple(pattern.removeprefix("*") for pattern in EXTENSIONS[lang])
        names = [name for name in git(repo, "ls-tree", "-r", "-z", "--name-only", f"{commit}^").split("\0")
                 if name.endswith(suffixes)]
        for start in range(0, len(names), 500):  # (named one by one: blobs of other files may be absent)
            archive = subprocess.run(["git", "archive", "--format=tar", f"{commit}^", "--", *names[start:start + 500]],
                                     cwd=repo, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        diff = git(repo, "diff", "--no-renames", f"{commit}^", commit, "--", *sorted(paths))
        report = review_json(tree, ["--no-cache", "-q", "--no-config", "--diff", "-", "--diff-scope", "file", *extra],
                             env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin"}, stdin=diff)
        for finding in report["findings"]:
            path = finding["location"]["path"].removeprefix("./")
            if path in paths:
                located.append((f"{commit[:10]}/{path}", finding["location"]["start_line"], finding["rule_id"]))
    return located


def run_bandit(scratch: Path, command: str) -> Located:
    completed = subprocess.run([*shlex.split(command), "-r", ".", "-f", "json", "-q"], cwd=scratch,
                               capture_output=True, text=True, check=False)
    results = json.loads(completed.stdout or "{}").get("results", [])
    return [(r["filename"].removeprefix("./"), r["line_number"], r["test_id"]) for r in results]


def run_ruff(scratch: Path, command: str) -> Located:
    completed = subprocess.run([*shlex.split(command), "check", "--select", "S", "--output-format", "json",
                                "--exit-zero", "--no-cache", "--isolated", "."], cwd=scratch,
                               capture_output=True, text=True, check=False)
    return [(str(Path(r["filename"]).relative_to(scratch)), r["location"]["row"], r["code"])
            for r in json.loads(completed.stdout or "[]")]


def run_cppcheck(scratch: Path, command: str) -> Located:
    completed = subprocess.run([*shlex.split(command), "--quiet", "--enable=warning,style,portability",
                                "--max-configs=1", "--template={file}:{line}:{id}", "."], cwd=scratch,
                               capture_output=True, text=True, check=False)
    found = []
    for row in completed.stderr.splitlines():
        parts = row.rsplit(":", 2)
        if len(parts) == 3 and parts[1].isdigit():
            found.append((parts[0].removeprefix("./"), int(parts[1]), parts[2]))
    return found


def run_flawfinder(scratch: Path, command: str) -> Located:
    completed = subprocess.run([*shlex.split(command), "--csv", "--quiet", "."], cwd=scratch,
                               capture_output=True, text=True, check=False)
    rows = csv.DictReader(io.StringIO(completed.stdout))
    return [(r["File"].removeprefix("./"), int(r["Line"]), r["Name"]) for r in rows if r.get("Line", "").isdigit()]


# -- scoring -------------------------------------------------------------------------------------

@dataclass
class Score:
    files: int
    hit: int
    findings: int
    near: int
    expected: float

    @property
    def lift(self) -> float:
        return self.near / self.expected if self.expected else 0.0


def score(files: list[FixedFile], found: Located, window: int) -> tuple[Score, dict[str, Score]]:
    by_path = {f.scratch: f for f in files}
    per_file: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for path, line, rule in found:
        if path in by_path:
            per_file[path].append((line, rule))
    overall = Score(len(files), 0, 0, 0, 0.0)
    rules: dict[str, Score] = defaultdict(lambda: Score(0, 0, 0, 0, 0.0))
    for path, hits in per_file.items():
        fixed = by_path[path]
        share = fixed.near_share(window)
        near_here = [(line, rule) for line, rule in hits if fixed.near(line, window)]
        overall.findings += len(hits)
        overall.near += len(near_here)
        overall.expected += share * len(hits)
        overall.hit += bool(near_here)
        for line, rule in hits:
            rules[rule].findings += 1
            rules[rule].expected += share
            rules[rule].near += fixed.near(line, window)
    return overall, dict(rules)


def main(argv: list[str] | None = None) -> int:
    argv, extra = split_at_double_dash(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--lang", choices=sorted(EXTENSIONS), default="python")
    parser.add_argument("--max-commits", type=int, default=400, help="newest matching commits to consider")
    parser.add_argument("--max-files-per-commit", type=int, default=5)
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the scratch tree here instead of a temporary folder")
    parser.add_argument("--in-tree", action="store_true",
                        help="review each commit's files inside its whole pre-fix tree (secreview only)")
    for peer in ("bandit", "ruff", "cppcheck", "flawfinder"):
        parser.add_argument(f"--{peer}", metavar="CMD", help=f"also run {peer} (its command)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="secreview-fixes-") as tmp:
        scratch = (args.keep or Path(tmp)) / "tree"
        scratch.mkdir(parents=True, exist_ok=True)
        commits = fix_commits(args.repo, args.max_commits)
        files = materialise(args.repo, commits, args.lang, scratch, args.max_files_per_commit)
        print(f"{args.repo.name}: {len(commits)} fix commits by message, {len(files)} pre-fix {args.lang} files "
              f"({sum(f.lines for f in files):,} lines), window ±{args.window}")
        tools = {"secreview": (lambda: run_secreview_in_tree(args.repo, files, args.lang, scratch.parent, extra))
                 if args.in_tree else (lambda: run_secreview(scratch, extra))}
        runners = {"bandit": run_bandit, "ruff": run_ruff, "cppcheck": run_cppcheck, "flawfinder": run_flawfinder}
        for peer, runner in runners.items():
            command = getattr(args, peer)
            if command:
                tools[peer] = lambda runner=runner, command=command: runner(scratch, command)
        print(f"\n{'tool':12} {'files':>6} {'hit':>5} {'hit %':>6} {'findings':>9} {'per file':>9} {'near':>5} "
              f"{'lift':>5}")
        per_tool_rules: dict[str, dict[str, Score]] = {}
        for name, run in tools.items():
            overall, rules = score(files, run(), args.window)
            per_tool_rules[name] = rules
            share = 100 * overall.hit / overall.files if overall.files else 0.0
            per_file = overall.findings / overall.files if overall.files else 0.0
            print(f"{name:12} {overall.files:6} {overall.hit:5} {share:5.1f}% {overall.findings:9} {per_file:9.2f} "
                  f"{overall.near:5} {overall.lift:5.1f}")
        # `expected` (near findings if placed at random) lets lifts be pooled over histories: sum(near) / sum(expected)
        for name, rules in per_tool_rules.items():  # secreview's every rule; a peer's checks that land near a fix
            shown = rules.items() if name == "secreview" else [(rule, r) for rule, r in rules.items() if r.near]
            if name != "secreview" and not shown:
                continue
            print(f"\n{name + (' rule' if name == 'secreview' else ' checks with a finding near a fix'):45} "
                  f"{'findings':>8} {'near':>5} {'expected':>8} {'lift':>5}")
            for rule, result in sorted(shown, key=lambda item: (-item[1].near, -item[1].findings)):
                print(f"{rule:45} {result.findings:8} {result.near:5} {result.expected:8.2f} {result.lift:5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
