"""Score secreview (and optionally Bandit and Semgrep) on deliberately vulnerable web apps.

Usage:
    python scripts/bench_apps.py APPS_DIR [--ground-truth bench/apps] [--only NAME,...]
        [--bandit CMD] [--semgrep CMD --semgrep-config PATH] [--window 2] [--json OUT]
        [--secreview CMD] [--jobs N]

The ground truth is ours: one ``bench/apps/<name>.json`` per app, written by
reading the app's code (format: app, repository, commit, root, scope, items;
each item has id, kind "vulnerable" or "safe", file, lines [first, last],
cwes and why). The checkouts live outside this repository: an app whose
repository is ``owner/NAME`` is looked for at ``APPS_DIR/NAME``. The recorded
commit is compared with the checkout's HEAD; a mismatch is a warning.

Each tool reviews the app's ``root`` as a user would, from inside it:

* secreview: ``python -m secreview -f json -o FILE --no-cache --no-config .``
  with PYTHONPATH pointing at this checkout's ``src`` and default settings
  (``--secreview CMD`` replaces ``python -m secreview``);
* Bandit (``--bandit CMD``): ``CMD -r . -f json -o FILE``; the CWE is
  ``issue_cwe.id``;
* Semgrep (``--semgrep CMD --semgrep-config PATH``, offline with a local rules
  directory): ``CMD scan --config PATH --json --metrics=off
  --disable-version-check -o FILE .``; the CWEs are read from
  ``extra.metadata.cwe`` strings such as "CWE-89: ..."; a result without a
  CWE is a finding that matches nothing.

Only findings in files under the app's ``scope`` count. A finding matches an
item when it is in the same file, its line range overlaps the item's
``lines`` widened by ``--window`` lines on each side, and one of its CWEs is
in the item's ``cwes``. Each finding counts once and credits at most one
item (an item not yet found, nearest first); an item is found when at least
one finding matches it. A finding that matches a "safe" item (a trap), or no
item, is a false positive.

Columns, per app and pooled over all apps (sums of counts, not a mean of the
apps): items (vulnerable ones), found, recall, findings, true findings,
precision, F3 = 10*P*R / (9*P + R) (recall weighted 9:1), findings per
ground-truth item, and traps hit (findings that matched a safe item).

Exit code: 0 when every requested tool ran on every app, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GROUND_TRUTH = REPO_ROOT / "bench" / "apps"
TOOL_TIMEOUT = 3600
CWE_RE = re.compile(r"CWE-(\d+)", re.IGNORECASE)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Item:
    id: str
    kind: str  # "vulnerable" or "safe"
    file: str
    first: int
    last: int
    cwes: frozenset[int]
    why: str = ""

    @property
    def vulnerable(self) -> bool:
        return self.kind == "vulnerable"


@dataclass
class GroundTruth:
    name: str  # file stem, e.g. "secdevlabs-sstype"
    app: str
    repository: str
    commit: str
    root: str
    scope: list[str]
    items: list[Item]

    @property
    def checkout_name(self) -> str:
        return self.repository.rstrip("/").split("/")[-1]

    def vulnerable_items(self) -> list[Item]:
        return [item for item in self.items if item.vulnerable]


@dataclass(frozen=True)
class Finding:
    tool: str
    file: str  # relative to the app root, "/"-separated
    start: int
    end: int
    cwes: tuple[int, ...]
    rule: str = ""

    def to_dict(self) -> dict:
        return {"tool": self.tool, "file": self.file, "lines": [self.start, self.end],
                "cwes": list(self.cwes), "rule": self.rule}


@dataclass
class Score:
    items: int = 0
    found: int = 0
    findings: int = 0
    true_findings: int = 0
    traps_hit: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.items if self.items else 0.0

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 0.0

    @property
    def f3(self) -> float:
        return f_beta(self.precision, self.recall, beta=3.0)

    @property
    def per_item(self) -> float:
        return self.findings / self.items if self.items else 0.0

    def add(self, other: Score) -> None:
        self.items += other.items
        self.found += other.found
        self.findings += other.findings
        self.true_findings += other.true_findings
        self.traps_hit += other.traps_hit

    def to_dict(self) -> dict:
        return {"items": self.items, "found": self.found, "recall": round(self.recall, 4),
                "findings": self.findings, "true_findings": self.true_findings,
                "precision": round(self.precision, 4), "f3": round(self.f3, 4),
                "findings_per_item": round(self.per_item, 4), "traps_hit": self.traps_hit}


@dataclass
class Match:
    """How one tool's findings on one app fall onto the ground truth."""

    score: Score
    hits: dict[str, list[Finding]] = field(default_factory=dict)  # vulnerable item id -> findings
    trap_hits: dict[str, list[Finding]] = field(default_factory=dict)  # safe item id -> findings
    unmatched: list[Finding] = field(default_factory=list)
    out_of_scope: int = 0


def f_beta(precision: float, recall: float, beta: float = 3.0) -> float:
    """F-beta; with beta=3 this is 10*P*R / (9*P + R)."""
    b2 = beta * beta
    denominator = b2 * precision + recall
    return (1 + b2) * precision * recall / denominator if denominator else 0.0


# ---------------------------------------------------------------- ground truth


def parse_ground_truth(data: Mapping, name: str) -> GroundTruth:
    items = []
    for raw in data.get("items", []):
        lines = raw["lines"]
        first, last = int(lines[0]), int(lines[-1])
        if raw["kind"] not in ("vulnerable", "safe"):
            raise ValueError(f"{name}: item {raw.get('id')}: kind must be 'vulnerable' or 'safe'")
        items.append(Item(id=raw["id"], kind=raw["kind"], file=normalise_path(raw["file"]),
                          first=min(first, last), last=max(first, last),
                          cwes=frozenset(int(c) for c in raw["cwes"]), why=raw.get("why", "")))
    return GroundTruth(name=name, app=data.get("app", name), repository=data["repository"],
                       commit=data.get("commit", ""), root=data.get("root", "") or "",
                       scope=[normalise_path(s) for s in data.get("scope", [])], items=items)


def load_ground_truth(directory: Path, only: Sequence[str] = ()) -> list[GroundTruth]:
    wanted = {name.strip() for name in only if name.strip()}
    result = []
    for path in sorted(directory.glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            truth = parse_ground_truth(json.load(handle), path.stem)
        if wanted and not wanted & {truth.name, truth.app}:
            continue
        result.append(truth)
    return result


def normalise_path(path: str) -> str:
    path = path.replace("\\", "/")
    path = posixpath.normpath(path) if path else ""
    while path.startswith("./"):
        path = path[2:]
    return "" if path == "." else path


def relative_to_root(path: str, root: Path | None) -> str:
    """A tool's reported path, relative to the app root it was run in."""
    if root is not None and os.path.isabs(path):
        try:
            path = os.path.relpath(path, root)
        except ValueError:
            pass
    return normalise_path(path)


def in_scope(file: str, scope: Sequence[str]) -> bool:
    if not scope:
        return not file.startswith("../")
    return any(entry in ("", ".") or file == entry or file.startswith(entry.rstrip("/") + "/")
               for entry in scope)


# ---------------------------------------------------------------- matching


def _distance(finding: Finding, item: Item) -> int:
    if finding.end < item.first:
        return item.first - finding.end
    if finding.start > item.last:
        return finding.start - item.last
    return 0


def _matches(finding: Finding, item: Item, window: int) -> bool:
    return (finding.file == item.file
            and finding.start <= item.last + window
            and finding.end >= item.first - window
            and any(cwe in item.cwes for cwe in finding.cwes))


def match_findings(truth: GroundTruth, findings: Iterable[Finding], window: int = 2) -> Match:
    """Score one tool's findings on one app (see the module docstring for the rules)."""
    match = Match(score=Score(items=len(truth.vulnerable_items())))
    counted = []
    for finding in findings:
        if in_scope(finding.file, truth.scope):
            counted.append(finding)
        else:
            match.out_of_scope += 1
    counted.sort(key=lambda f: (f.file, f.start, f.end, f.cwes, f.rule))
    match.score.findings = len(counted)
    for finding in counted:
        candidates = [item for item in truth.items if _matches(finding, item, window)]
        vulnerable = [item for item in candidates if item.vulnerable]
        if vulnerable:
            vulnerable.sort(key=lambda item: (item.id in match.hits, _distance(finding, item), item.id))
            match.hits.setdefault(vulnerable[0].id, []).append(finding)
            match.score.true_findings += 1
            continue
        traps = [item for item in candidates if not item.vulnerable]
        if traps:
            traps.sort(key=lambda item: (_distance(finding, item), item.id))
            match.trap_hits.setdefault(traps[0].id, []).append(finding)
            match.score.traps_hit += 1
        else:
            match.unmatched.append(finding)
    match.score.found = len(match.hits)
    return match


# ---------------------------------------------------------------- tool reports


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def secreview_findings(report: Mapping, root: Path | None = None) -> list[Finding]:
    result = []
    for raw in report.get("findings", []):
        location = raw.get("location") or {}
        start = _as_int(location.get("start_line")) or 1
        end = _as_int(location.get("end_line")) or start
        cwe = _as_int((raw.get("cwe") or {}).get("id"))
        result.append(Finding("secreview", relative_to_root(location.get("path", ""), root),
                              start, max(start, end), (cwe,) if cwe is not None else (),
                              raw.get("rule_id", "")))
    return result


def bandit_findings(report: Mapping, root: Path | None = None) -> list[Finding]:
    result = []
    for raw in report.get("results", []):
        start = _as_int(raw.get("line_number")) or 1
        line_range = [n for n in (_as_int(x) for x in raw.get("line_range") or []) if n is not None]
        first, last = (min(line_range), max(line_range)) if line_range else (start, start)
        first, last = min(first, start), max(last, start)
        cwe = _as_int((raw.get("issue_cwe") or {}).get("id"))
        result.append(Finding("bandit", relative_to_root(raw.get("filename", ""), root), first, last,
                              (cwe,) if cwe else (), raw.get("test_id", "")))
    return result


def semgrep_cwes(metadata: Mapping | None) -> tuple[int, ...]:
    raw = (metadata or {}).get("cwe")
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else list(raw)
    cwes: list[int] = []
    for value in values:
        for number in CWE_RE.findall(str(value)):
            if int(number) not in cwes:
                cwes.append(int(number))
    return tuple(cwes)


def semgrep_findings(report: Mapping, root: Path | None = None) -> list[Finding]:
    result = []
    for raw in report.get("results", []):
        start = _as_int((raw.get("start") or {}).get("line")) or 1
        end = _as_int((raw.get("end") or {}).get("line")) or start
        extra = raw.get("extra") or {}
        result.append(Finding("semgrep", relative_to_root(raw.get("path", ""), root), start,
                              max(start, end), semgrep_cwes(extra.get("metadata")),
                              raw.get("check_id", "")))
    return result


# ---------------------------------------------------------------- running the tools


@dataclass
class ToolRun:
    tool: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _run_to_json(argv: list[str], cwd: Path, out: Path, env: Mapping[str, str] | None,
                 ok_codes: Iterable[int]) -> tuple[object | None, str]:
    try:
        proc = subprocess.run(argv, cwd=cwd, env=dict(env) if env is not None else None,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=TOOL_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{argv[0]}: {exc}"
    if proc.returncode not in ok_codes or not out.exists() or out.stat().st_size == 0:
        tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
        return None, f"exit {proc.returncode}: " + " | ".join(tail)
    try:
        return json.loads(out.read_text(encoding="utf-8")), ""
    except (OSError, ValueError) as exc:
        return None, f"unreadable JSON output: {exc}"


def default_secreview_cmd() -> list[str]:
    return [sys.executable, "-m", "secreview"]


def secreview_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(REPO_ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_secreview(cmd: list[str], root: Path, workdir: Path) -> ToolRun:
    out = workdir / "secreview.json"
    report, error = _run_to_json(cmd + ["-f", "json", "-o", str(out), "--no-cache", "--no-config", "."],
                                 root, out, secreview_env(), ok_codes=(0, 1))
    if report is None:
        return ToolRun("secreview", error=error)
    return ToolRun("secreview", secreview_findings(report, root))


def run_bandit(cmd: list[str], root: Path, workdir: Path) -> ToolRun:
    out = workdir / "bandit.json"
    report, error = _run_to_json(cmd + ["-r", ".", "-f", "json", "-o", str(out), "-q"],
                                 root, out, None, ok_codes=(0, 1))
    if report is None:
        return ToolRun("bandit", error=error)
    return ToolRun("bandit", bandit_findings(report, root))


def semgrep_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SEMGREP_SEND_METRICS"] = "off"
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    return env


def run_semgrep(cmd: list[str], config: str, root: Path, workdir: Path) -> ToolRun:
    out = workdir / "semgrep.json"
    argv = cmd + ["scan", "--config", config, "--json", "--metrics=off", "--disable-version-check",
                  "-o", str(out), "."]
    report, error = _run_to_json(argv, root, out, semgrep_env(), ok_codes=(0, 1))
    if report is None:
        return ToolRun("semgrep", error=error)
    return ToolRun("semgrep", semgrep_findings(report, root))


class SemgrepPerCheckout:
    """Semgrep run once over each app checkout and its findings split by app root (`--semgrep-per-checkout`).

    One checkout can hold many ground-truth roots (one per lab); a Semgrep run spends most of its time
    loading the rules, so one run per root costs minutes each. Semgrep CE rules look at one file at a time,
    so a file's findings do not depend on which folder the run started from."""

    def __init__(self, cmd: list[str], config: str, apps_dir: Path) -> None:
        self._cmd, self._config, self._apps_dir = cmd, config, apps_dir
        self._runs: dict[Path, ToolRun] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, root: Path, workdir: Path) -> ToolRun:
        checkout = self._apps_dir / root.relative_to(self._apps_dir).parts[0]
        with self._guard:
            lock = self._locks.setdefault(checkout, threading.Lock())
        with lock:
            if checkout not in self._runs:
                self._runs[checkout] = run_semgrep(self._cmd, self._config, checkout, Path(tempfile.mkdtemp()))
        whole = self._runs[checkout]
        if not whole.ok or root == checkout:
            return whole
        prefix = root.relative_to(checkout).as_posix() + "/"
        return ToolRun("semgrep", [replace(f, file=f.file[len(prefix):]) for f in whole.findings
                                   if f.file.startswith(prefix)])


def checkout_commit(checkout: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


# ---------------------------------------------------------------- one app


@dataclass
class AppResult:
    truth: GroundTruth
    matches: dict[str, Match] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        items = []
        for item in self.truth.items:
            source = {}
            for tool, match in self.matches.items():
                hits = (match.hits if item.vulnerable else match.trap_hits).get(item.id, [])
                source[tool] = [f.to_dict() for f in hits]
            items.append({"id": item.id, "kind": item.kind, "file": item.file,
                          "lines": [item.first, item.last], "cwes": sorted(item.cwes),
                          ("found_by" if item.vulnerable else "hit_by"):
                              sorted(tool for tool, hits in source.items() if hits),
                          "findings": source})
        return {"name": self.truth.name, "app": self.truth.app, "repository": self.truth.repository,
                "commit": self.truth.commit, "root": self.truth.root, "warnings": self.warnings,
                "errors": self.errors,
                "scores": {tool: m.score.to_dict() for tool, m in self.matches.items()},
                "items": items,
                "false_positives": {tool: [f.to_dict() for f in m.unmatched]
                                    for tool, m in self.matches.items()},
                "out_of_scope": {tool: m.out_of_scope for tool, m in self.matches.items()}}


def review_app(truth: GroundTruth, apps_dir: Path, runners: Mapping[str, object], window: int) -> AppResult:
    result = AppResult(truth)
    checkout = apps_dir / truth.checkout_name
    if not checkout.is_dir():
        for tool in runners:
            result.errors[tool] = f"no checkout at {checkout}"
        return result
    head = checkout_commit(checkout)
    if head is None:
        result.warnings.append(f"{checkout}: could not read the checkout's commit")
    elif truth.commit and head != truth.commit:
        result.warnings.append(f"{checkout} is at {head}, ground truth was written at {truth.commit}")
    root = checkout / truth.root if truth.root else checkout
    if not root.is_dir():
        for tool in runners:
            result.errors[tool] = f"no app root at {root}"
        return result
    with tempfile.TemporaryDirectory(prefix="bench-apps-") as tmp:
        for tool, runner in runners.items():
            workdir = Path(tmp) / tool
            workdir.mkdir()
            run = runner(root, workdir)  # type: ignore[operator]
            if not run.ok:
                result.errors[tool] = run.error
                continue
            result.matches[tool] = match_findings(truth, run.findings, window)
    return result


# ---------------------------------------------------------------- output


def overall(results: Iterable[AppResult], tool: str) -> Score:
    total = Score()
    for result in results:
        if tool in result.matches:
            total.add(result.matches[tool].score)
    return total


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def table_row(label: str, tool: str, score: Score) -> str:
    return (f"| {label} | {tool} | {score.items} | {score.found} | {_pct(score.recall)} | "
            f"{score.findings} | {score.true_findings} | {_pct(score.precision)} | "
            f"{_pct(score.f3)} | {score.per_item:.2f} | {score.traps_hit} |")


def format_table(results: Sequence[AppResult], tools: Sequence[str]) -> str:
    lines = [("| app | tool | items | found | recall % | findings | true | precision % | F3 | "
              "findings/item | traps hit |"),
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        for tool in tools:
            if tool in result.matches:
                lines.append(table_row(result.truth.name, tool, result.matches[tool].score))
            elif tool in result.errors:
                lines.append(f"| {result.truth.name} | {tool} | error: {result.errors[tool]} "
                             "| | | | | | | | |")
    for tool in tools:
        lines.append(table_row("**overall**", tool, overall(results, tool)))
    return "\n".join(lines)


def results_json(results: Sequence[AppResult], tools: Sequence[str], window: int) -> dict:
    return {"window": window, "tools": list(tools),
            "overall": {tool: overall(results, tool).to_dict() for tool in tools},
            "apps": [result.to_dict() for result in results]}


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps_dir", type=Path, help="directory holding the apps' checkouts")
    parser.add_argument("--ground-truth", type=Path, default=DEFAULT_GROUND_TRUTH,
                        help="directory of ground-truth JSON files (default bench/apps)")
    parser.add_argument("--only", default="", help="comma-separated ground-truth names or app names")
    parser.add_argument("--secreview", default=None,
                        help="command prefix for secreview (default: this python -m secreview)")
    parser.add_argument("--bandit", default=None, help="Bandit command; Bandit is run only when given")
    parser.add_argument("--semgrep", default=None, help="Semgrep command; run only when given")
    parser.add_argument("--semgrep-config", default=None, help="local Semgrep rules directory")
    parser.add_argument("--semgrep-per-checkout", action="store_true",
                        help="run Semgrep once per app checkout and split its findings by app root "
                             "(much faster when a checkout holds many roots)")
    parser.add_argument("--window", type=int, default=2, help="lines of slack around each item")
    parser.add_argument("--jobs", type=int, default=1, help="apps reviewed concurrently")
    parser.add_argument("--json", type=Path, default=None, help="write per-item results here")
    args = parser.parse_args(argv)
    if args.semgrep and not args.semgrep_config:
        parser.error("--semgrep needs --semgrep-config (a local rules directory)")
    if args.window < 0:
        parser.error("--window must be >= 0")
    return args


def build_runners(args: argparse.Namespace) -> dict[str, object]:
    secreview_cmd = shlex.split(args.secreview) if args.secreview else default_secreview_cmd()
    runners: dict[str, object] = {"secreview": lambda root, wd: run_secreview(secreview_cmd, root, wd)}
    if args.bandit:
        bandit_cmd = shlex.split(args.bandit)
        runners["bandit"] = lambda root, wd: run_bandit(bandit_cmd, root, wd)
    if args.semgrep:
        semgrep_cmd = shlex.split(args.semgrep)
        config = str(Path(args.semgrep_config).resolve())
        if args.semgrep_per_checkout:
            runners["semgrep"] = SemgrepPerCheckout(semgrep_cmd, config, args.apps_dir.resolve())
        else:
            runners["semgrep"] = lambda root, wd: run_semgrep(semgrep_cmd, config, root, wd)
    return runners


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    truths = load_ground_truth(args.ground_truth, args.only.split(","))
    if not truths:
        print(f"no ground truth in {args.ground_truth}", file=sys.stderr)
        return 1
    runners = build_runners(args)
    apps_dir = args.apps_dir.resolve()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda t: review_app(t, apps_dir, runners, args.window), truths))
    tools = list(runners)
    for result in results:
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for tool, error in result.errors.items():
            print(f"error: {result.truth.name}: {tool}: {error}", file=sys.stderr)
    print(format_table(results, tools))
    if args.json:
        args.json.write_text(json.dumps(results_json(results, tools, args.window), indent=2) + "\n",
                             encoding="utf-8")
    return 1 if any(result.errors for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
