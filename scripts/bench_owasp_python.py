"""Score secreview (and optionally Bandit and Ruff) on OWASP BenchmarkPython.

Usage:
    python scripts/bench_owasp_python.py CHECKOUT [--secreview CMD] [--no-secreview]
        [--peers] [--bandit CMD] [--ruff CMD] [--jobs N] [--json OUT]

CHECKOUT is a work tree of github.com/OWASP-Benchmark/BenchmarkPython, kept
outside this repository. Nothing from it is copied anywhere. The answer key
``expectedresults-0.1.csv`` is read by this script only; the tools under test
are given the ``testcode/BenchmarkTest*.py`` files (never the ``*.xml``
metadata files, which contain the answers).

Options:
    --secreview CMD  command prefix for secreview (shell-split); the script
                     appends ``--format json --output TMPFILE FILE...``.
                     Default: ``<this python> -m secreview`` with ``src/`` of
                     this repository on PYTHONPATH.
    --no-secreview   do not run secreview (score only the peers).
    --peers          also run Bandit and Ruff (rules ``S``) and score them.
    --bandit CMD     Bandit command (default ``bandit`` from PATH).
    --ruff CMD       Ruff command (default ``ruff`` from PATH).
    --jobs N         run secreview as N concurrent processes over chunks of
                     the file list (default 1; the speed ratio against Bandit
                     is only a like-for-like comparison with N=1).
    --json OUT       write all scores, machine-readably, to OUT.

Scoring follows the official OWASP Benchmark rules: a test is "flagged" when
any finding reported in its file carries exactly the test's expected CWE.
Per category: TP/FN over real vulnerabilities, FP/TN over the fake ones,
TPR, FPR and score = TPR - FPR. The overall score is the mean TPR minus the
mean FPR over all categories. Pooled precision TP/(TP+FP) is printed too.

Exit code: 0 when every requested tool ran, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath

ANSWER_KEY = "expectedresults-0.1.csv"
TESTCODE = "testcode"
REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_ARGV_CHARS = 100_000

# Our own mapping from Ruff's flake8-bandit rule codes to CWE ids, derived
# from what each rule checks (Ruff reports no CWE). Only rules whose check
# matches one of the benchmark's CWEs are listed; other codes score nothing.
# Bandit files the same hashlib and yaml.load checks under CWE-327 and CWE-20
# (B324, B506); with those two ids Ruff S would score 12.6 instead of 20.9.
RUFF_S_TO_CWE: dict[str, int] = {
    "S102": 94,  # exec() - code injection
    "S307": 94,  # eval() - code injection
    "S202": 22,  # tarfile.extractall without member filter - path traversal
    "S310": 22,  # urlopen allowing file:/custom schemes
    "S301": 502,  # pickle / dill / shelve loads - deserialization
    "S302": 502,  # marshal loads
    "S506": 502,  # yaml.load with an unsafe loader
    "S303": 328,  # insecure hash function (md5, sha1, ...)
    "S324": 328,  # hashlib md5/sha1/... - weak hash
    "S311": 330,  # non-cryptographic random
    "S308": 79,  # django mark_safe - XSS
    "S701": 79,  # jinja2 autoescape=False
    "S702": 79,  # mako templates
    "S704": 79,  # unsafe markupsafe.Markup
    "S313": 611,  # xml.etree / minidom / sax / expat / pulldom parsing - XXE
    "S314": 611,
    "S315": 611,
    "S316": 611,
    "S317": 611,
    "S318": 611,
    "S319": 611,
    "S320": 611,  # lxml parsing
    "S601": 78,  # paramiko exec_command - command injection
    "S602": 78,  # subprocess with shell=True
    "S603": 78,  # subprocess without shell
    "S604": 78,  # any call with shell=True
    "S605": 78,  # os.system / os.popen
    "S606": 78,  # os.exec* / os.spawn*
    "S607": 78,  # partial executable path
    "S609": 78,  # wildcard injection
    "S608": 89,  # SQL built from strings - SQL injection
    "S610": 89,  # Django extra()
    "S611": 89,  # Django RawSQL
}


@dataclass(frozen=True)
class AnswerRow:
    """One row of the answer key."""

    name: str
    category: str
    real: bool
    cwe: int


@dataclass
class CategoryScore:
    """Confusion counts and rates for one category."""

    category: str
    cwe: int
    real: int = 0
    fake: int = 0
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @property
    def tpr(self) -> float:
        return self.tp / self.real if self.real else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / self.fake if self.fake else 0.0

    @property
    def score(self) -> float:
        return self.tpr - self.fpr

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(tpr=self.tpr, fpr=self.fpr, score=self.score)
        return data


@dataclass
class Scorecard:
    """Per-category scores plus the official overall numbers."""

    categories: list[CategoryScore] = field(default_factory=list)

    @property
    def mean_tpr(self) -> float:
        return _mean(c.tpr for c in self.categories)

    @property
    def mean_fpr(self) -> float:
        return _mean(c.fpr for c in self.categories)

    @property
    def score(self) -> float:
        return self.mean_tpr - self.mean_fpr

    @property
    def precision(self) -> float:
        tp = sum(c.tp for c in self.categories)
        fp = sum(c.fp for c in self.categories)
        return tp / (tp + fp) if tp + fp else 0.0

    def to_dict(self) -> dict:
        return {
            "categories": [c.to_dict() for c in self.categories],
            "mean_tpr": self.mean_tpr,
            "mean_fpr": self.mean_fpr,
            "score": self.score,
            "precision": self.precision,
            "tp": sum(c.tp for c in self.categories),
            "fp": sum(c.fp for c in self.categories),
        }


@dataclass
class ToolRun:
    """What one tool reported: CWE ids per test stem, timing and problems."""

    name: str
    flagged: dict[str, set[int]]
    wall: float
    ok: bool
    notes: list[str] = field(default_factory=list)


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


# ---------------------------------------------------------------- answer key


def parse_answer_key(lines: Iterable[str]) -> list[AnswerRow]:
    """Parse answer-key CSV lines; '#' lines and blank lines are skipped."""
    cases = []
    for row in csv.reader(line for line in lines if not line.startswith("#")):
        if not row or not row[0].strip():
            continue
        name, category, real, cwe = (cell.strip() for cell in row[:4])
        cases.append(AnswerRow(name, category, real.lower() == "true", int(cwe)))
    return cases


def load_answer_key(checkout: Path) -> list[AnswerRow]:
    """Read the answer key file of a BenchmarkPython checkout."""
    with open(checkout / ANSWER_KEY, encoding="utf-8") as handle:
        return parse_answer_key(handle)


def test_files(checkout: Path, cases: list[AnswerRow]) -> list[Path]:
    """The .py test files named by the answer key that exist in testcode/."""
    paths = [checkout / TESTCODE / f"{case.name}.py" for case in cases]
    return [path for path in paths if path.is_file()]


def application_files(checkout: Path) -> list[Path]:
    """The benchmark application's own modules that the tests import (helpers/, app.py).

    secreview is given them too, as a user reviewing the application would, so
    that calls into them are analysed with their real bodies.  Findings in them
    do not count: scoring matches test files only.
    """
    return sorted(path for path in checkout.rglob("*.py")
                  if TESTCODE not in path.relative_to(checkout).parts[:1] and path.is_file())


# ------------------------------------------------------------------ scoring


def score(cases: Iterable[AnswerRow], flagged: Mapping[str, set[int]]) -> Scorecard:
    """Score tool results against the answer key (pure function).

    ``flagged`` maps a test name (file stem) to the CWE ids reported in that
    file. A test counts as flagged only if its expected CWE is among them.
    """
    by_category: dict[str, CategoryScore] = {}
    for case in cases:
        cat = by_category.setdefault(
            case.category, CategoryScore(case.category, case.cwe)
        )
        hit = case.cwe in flagged.get(case.name, set())
        if case.real:
            cat.real += 1
            cat.tp += hit
            cat.fn += not hit
        else:
            cat.fake += 1
            cat.fp += hit
            cat.tn += not hit
    return Scorecard(sorted(by_category.values(), key=lambda c: c.category))


def add_flag(flagged: dict[str, set[int]], path: str, cwe: object) -> None:
    """Record that CWE ``cwe`` was reported in file ``path`` (by stem)."""
    try:
        cwe_id = int(cwe)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return
    flagged.setdefault(PurePath(path).stem, set()).add(cwe_id)


# ------------------------------------------------------- result extraction


def secreview_flags(report: Mapping) -> dict[str, set[int]]:
    """CWE ids per file stem from a secreview JSON report."""
    flagged: dict[str, set[int]] = {}
    for finding in report.get("findings", []):
        cwe = (finding.get("cwe") or {}).get("id")
        path = (finding.get("location") or {}).get("path", "")
        add_flag(flagged, path, cwe)
    return flagged


def bandit_flags(report: Mapping) -> dict[str, set[int]]:
    """CWE ids per file stem from a Bandit JSON report (issue_cwe.id)."""
    flagged: dict[str, set[int]] = {}
    for result in report.get("results", []):
        cwe = (result.get("issue_cwe") or {}).get("id")
        add_flag(flagged, result.get("filename", ""), cwe)
    return flagged


def ruff_flags(report: list) -> dict[str, set[int]]:
    """CWE ids per file stem from Ruff JSON output, via RUFF_S_TO_CWE."""
    flagged: dict[str, set[int]] = {}
    for diagnostic in report:
        cwe = RUFF_S_TO_CWE.get(diagnostic.get("code") or "")
        add_flag(flagged, diagnostic.get("filename", ""), cwe)
    return flagged


# ------------------------------------------------------------ running tools


def chunk_paths(paths: list[Path], min_chunks: int = 1) -> list[list[Path]]:
    """Split paths into at least ``min_chunks`` argv-sized chunks."""
    per_chunk = -(-len(paths) // max(min_chunks, 1)) or 1
    chunks: list[list[Path]] = []
    current: list[Path] = []
    size = 0
    for path in paths:
        length = len(str(path)) + 1
        if current and (len(current) >= per_chunk or size + length > MAX_ARGV_CHARS):
            chunks.append(current)
            current, size = [], 0
        current.append(path)
        size += length
    if current:
        chunks.append(current)
    return chunks


def default_secreview_cmd() -> tuple[list[str], dict[str, str]]:
    """``python -m secreview`` with this repository's src/ importable."""
    env = dict(os.environ)
    src = str(REPO_ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return [sys.executable, "-m", "secreview"], env


def run_secreview_chunk(
    prefix: list[str], env: dict, files: list[Path]
) -> tuple[dict, list[str]]:
    """Run secreview on some files; return its report (or {}) and problems."""
    with tempfile.TemporaryDirectory(prefix="secreview-bench-") as tmp:
        out = Path(tmp) / "report.json"
        argv = [*prefix, "--format", "json", "--output", str(out), *map(str, files)]
        proc = subprocess.run(
            argv, check=False, env=env, capture_output=True, text=True
        )
        notes = []
        if proc.returncode not in (0, 1):
            notes.append(f"exit code {proc.returncode}: {proc.stderr.strip()[-500:]}")
        if not out.is_file():
            notes.append(
                f"no JSON report written (exit code {proc.returncode}): "
                f"{proc.stderr.strip()[-300:]}"
            )
            return {}, notes
        try:
            return json.loads(out.read_text(encoding="utf-8")), notes
        except json.JSONDecodeError as exc:
            return {}, notes + [f"unreadable JSON report: {exc}"]


def run_secreview(cmd: str | None, files: list[Path], jobs: int, application: list[Path] = (),
                  profile: str = "default") -> ToolRun:
    """Run secreview over all test files, in chunks, and collect flags.

    Every chunk also gets the `application` modules, so imports into them resolve.
    """
    prefix, env = default_secreview_cmd()
    if cmd:
        prefix = shlex.split(cmd)
    prefix = [*prefix, "--profile", profile]
    chunks = [list(application) + chunk for chunk in chunk_paths(files, jobs)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        results = list(pool.map(lambda c: run_secreview_chunk(prefix, env, c), chunks))
    wall = time.perf_counter() - start
    flagged: dict[str, set[int]] = {}
    notes: list[str] = []
    errors = 0
    for report, chunk_notes in results:
        for stem, cwes in secreview_flags(report).items():
            flagged.setdefault(stem, set()).update(cwes)
        errors += len(report.get("errors", []))
        notes += chunk_notes
    if errors:
        notes.append(f"{errors} error(s) in secreview reports")
    ok = not any(n.startswith(("exit", "no JSON", "unreadable")) for n in notes)
    return ToolRun("secreview", flagged, wall, ok, notes)


def run_json_tool(argv: list[str]) -> tuple[object, float, list[str]]:
    """Run a tool that prints JSON on stdout; return (parsed, wall, notes)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, check=False, capture_output=True, text=True)
    except OSError as exc:
        return None, 0.0, [f"cannot run {argv[0]}: {exc}"]
    wall = time.perf_counter() - start
    try:
        return json.loads(proc.stdout), wall, []
    except json.JSONDecodeError:
        return (
            None,
            wall,
            [f"exit code {proc.returncode}, no JSON: {proc.stderr.strip()[-500:]}"],
        )


def time_command(argv: list[str]) -> float | None:
    """Wall time of a command with its output discarded (None if it can't run)."""
    start = time.perf_counter()
    try:
        subprocess.run(
            argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None
    return time.perf_counter() - start


def run_bandit(cmd: str, testcode: Path) -> tuple[ToolRun, float | None]:
    """Score run of ``bandit -r testcode -f json`` plus a plain timing run."""
    prefix = shlex.split(cmd)
    report, wall, notes = run_json_tool(
        [*prefix, "-r", str(testcode), "-f", "json", "-q"]
    )
    if report is None:
        return ToolRun("bandit", {}, wall, False, notes), None
    errors = report.get("errors", [])
    if errors:
        notes.append(
            f"{len(errors)} file(s) bandit could not parse "
            f"(e.g. {errors[0].get('reason')}); the test code uses Python 3.12"
            " f-string syntax, so run Bandit under Python >= 3.12"
        )
    plain_wall = time_command([*prefix, "-r", str(testcode)])
    return ToolRun("bandit", bandit_flags(report), wall, True, notes), plain_wall


def run_ruff(cmd: str, testcode: Path) -> ToolRun:
    """Run ``ruff check --select S`` on testcode and map codes to CWE.

    ``--isolated`` keeps any ruff configuration around the checkout or the
    current directory from changing the result.
    """
    argv = [
        *shlex.split(cmd),
        "check",
        "--isolated",
        "--select",
        "S",
        "--output-format",
        "json",
        "--no-cache",
        str(testcode),
    ]
    report, wall, notes = run_json_tool(argv)
    if report is None:
        return ToolRun("ruff-S", {}, wall, False, notes)
    codes = [str(d.get("code")) for d in report]
    if "invalid-syntax" in codes:
        notes.append(f"{codes.count('invalid-syntax')} invalid-syntax diagnostic(s)")
    unmapped = sorted(
        {c for c in codes if c not in RUFF_S_TO_CWE and c != "invalid-syntax"}
    )
    if unmapped:
        notes.append(
            f"codes without a CWE mapping (ignored): {', '.join(map(str, unmapped))}"
        )
    return ToolRun("ruff-S", ruff_flags(report), wall, True, notes)


# ------------------------------------------------------------------ output


def format_table(card: Scorecard) -> str:
    """Per-category table plus the overall line."""
    head = (
        f"{'category':<16}{'CWE':>5}{'#real':>7}{'#fake':>7}{'TP':>6}{'FP':>6}"
        f"{'TPR%':>8}{'FPR%':>8}{'score':>8}"
    )
    lines = [head, "-" * len(head)]
    for c in card.categories:
        lines.append(
            f"{c.category:<16}{c.cwe:>5}{c.real:>7}{c.fake:>7}{c.tp:>6}{c.fp:>6}"
            f"{100 * c.tpr:>8.1f}{100 * c.fpr:>8.1f}{100 * c.score:>8.1f}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'overall':<16}{'':>5}{sum(c.real for c in card.categories):>7}"
        f"{sum(c.fake for c in card.categories):>7}"
        f"{sum(c.tp for c in card.categories):>6}{sum(c.fp for c in card.categories):>6}"
        f"{100 * card.mean_tpr:>8.1f}{100 * card.mean_fpr:>8.1f}{100 * card.score:>8.1f}"
    )
    lines.append(f"pooled precision TP/(TP+FP): {100 * card.precision:.1f}%")
    return "\n".join(lines)


def format_comparison(cards: Mapping[str, Scorecard]) -> str:
    """Per-category scores of several tools side by side."""
    names = list(cards)
    lines = [f"{'category':<16}{'CWE':>5}" + "".join(f"{n:>12}" for n in names)]
    first = next(iter(cards.values()))
    for i, cat in enumerate(first.categories):
        row = "".join(f"{100 * cards[n].categories[i].score:>12.1f}" for n in names)
        lines.append(f"{cat.category:<16}{cat.cwe:>5}{row}")
    lines.append(
        f"{'overall score':<21}"
        + "".join(f"{100 * cards[n].score:>12.1f}" for n in names)
    )
    lines.append(
        f"{'precision %':<21}"
        + "".join(f"{100 * cards[n].precision:>12.1f}" for n in names)
    )
    return "\n".join(lines)


def report_run(run: ToolRun, card: Scorecard) -> None:
    """Print one tool's table, wall time and notes."""
    print(f"\n=== {run.name} ===")
    print(format_table(card))
    print(f"wall time: {run.wall:.2f}s")
    for note in run.notes:
        print(f"note: {note}")


# -------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="BenchmarkPython work tree")
    parser.add_argument("--secreview", help="secreview command prefix")
    parser.add_argument("--no-secreview", action="store_true", help="skip secreview")
    parser.add_argument("--peers", action="store_true", help="also run Bandit and Ruff")
    parser.add_argument("--bandit", default="bandit", help="Bandit command")
    parser.add_argument("--ruff", default="ruff", help="Ruff command")
    parser.add_argument(
        "--jobs", type=int, default=1, help="concurrent secreview processes"
    )
    parser.add_argument("--json", type=Path, help="write scores as JSON here")
    parser.add_argument("--profile", choices=("default", "audit"), default="default",
                        help="secreview's profile: default (findings with evidence) or audit (every check)")
    return parser.parse_args(argv)


def collect_runs(
    args: argparse.Namespace, files: list[Path], application: list[Path] = ()
) -> tuple[list[ToolRun], float | None]:
    """Run every requested tool; return the runs and Bandit's plain wall time."""
    testcode = args.checkout / TESTCODE
    runs: list[ToolRun] = []
    bandit_wall = None
    if not args.no_secreview:
        runs.append(run_secreview(args.secreview, files, args.jobs, application, args.profile))
    if args.peers:
        bandit_run, bandit_wall = run_bandit(args.bandit, testcode)
        runs += [bandit_run, run_ruff(args.ruff, testcode)]
    return runs, bandit_wall


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = load_answer_key(args.checkout)
    files = test_files(args.checkout, cases)
    print(f"{len(cases)} tests in answer key, {len(files)} test files found")
    runs, bandit_wall = collect_runs(args, files, application_files(args.checkout))
    cards = {run.name: score(cases, run.flagged) for run in runs}
    for run in runs:
        report_run(run, cards[run.name])
    if len(cards) > 1:
        print("\n=== scores side by side (TPR% - FPR%) ===")
        print(format_comparison(cards))
    secreview = next((r for r in runs if r.name == "secreview"), None)
    ratio = None
    if bandit_wall is not None:
        print(f"\nbandit -r testcode wall time: {bandit_wall:.2f}s")
        if secreview and bandit_wall > 0:
            ratio = secreview.wall / bandit_wall
            print(f"secreview wall / bandit wall: {ratio:.2f} (jobs={args.jobs})")
    if args.json:
        payload = {
            "benchmark": "OWASP BenchmarkPython",
            "tests": len(cases),
            "tools": {
                run.name: {
                    "wall_seconds": run.wall,
                    "ok": run.ok,
                    "notes": run.notes,
                    **cards[run.name].to_dict(),
                }
                for run in runs
            },
            "bandit_plain_wall_seconds": bandit_wall,
            "secreview_over_bandit_wall": ratio,
            "jobs": args.jobs,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
