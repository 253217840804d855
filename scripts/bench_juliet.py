"""Score secreview, cppcheck and Flawfinder on NIST Juliet C/C++, side by side.

Usage:
    python scripts/bench_juliet.py CHECKOUT [CWE ...] [--tools secreview,cppcheck,flawfinder]
        [--jobs N] [--max-cases N] [--secreview CMD] [--cppcheck CMD] [--flawfinder CMD] [--json OUT]

CHECKOUT is a work tree of github.com/arichardson/juliet-test-suite-c (the
directory holding ``testcases/``), kept outside this repository; nothing from
it is copied anywhere. CWE arguments are numbers (``121`` or ``CWE121``); by
default the CWEs secreview has rules for are scored.

Scoring. A Juliet *test case* is the set of files sharing one name up to the
variant number (``..._01.c``; ``..._51a.c`` + ``..._51b.c``; ``..._81_bad.cpp``
+ ``..._81_goodG2B.cpp`` + ``..._81a.cpp``). Every test case holds a flawed
part in functions whose name contains ``bad`` (``..._bad``, ``badSink``,
``badSource``...) and fixed parts in functions whose name contains ``good``
(``..._good``, ``goodG2B``, ``goodB2GSink``, ``good1``...). A tool *flags* a
part when it reports, inside one of those functions, a finding whose CWE is
related to the test case's CWE (see ``RELATED``: the same family of
weaknesses, e.g. any buffer-overflow CWE for CWE-121, because the three tools
name the same defect with different ids). Per CWE:

    TPR = test cases whose bad part is flagged / test cases
    FPR = test cases whose good part is flagged / test cases
    score = TPR - FPR

and the overall score is the mean TPR minus the mean FPR over the CWEs. Only
the function a finding falls in matters, never a file or test-case name.

Neutral names. The tools never see Juliet's names: the selected files and the
headers of their CWE directories are first copied to a scratch folder with
every file, function, type, namespace and global variable renamed (`file0001.c`,
`f0001`..., see scripts/neutral_names.py) and comments blanked; findings are
mapped back to the original file and line (renaming keeps lines) for scoring.

Options:
    --tools LIST       tools to run (default: all three that are installed).
    --jobs N           secreview processes / cppcheck -j (default: CPU count).
    --max-cases N      score only the first N test cases of each CWE (sorted by
                       name) for a quicker run; the table says so.
    --secreview CMD    command prefix (default: this python -m secreview, src/ on PYTHONPATH).
    --cppcheck CMD     default ``cppcheck``; --flawfinder CMD default ``flawfinder``.
    --json OUT         also write the scores machine-readably.
    --reuse DIR        keep each tool's raw findings and wall time in DIR/<tool>.json and, when a
                       tool's saved run covers exactly the same files, reuse it instead of running
                       the tool again (cppcheck takes about an hour over all default CWEs).
                       --rerun LIST names tools to run again regardless.

Exit code: 0 when every requested tool ran, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))
sys.path.insert(0, str(REPO_ROOT / "scripts"))

from neutral_names import NeutralCopy, neutral_copy  # noqa: E402 - after the path set-up
from secreview.lang import language_for_path  # noqa: E402
from secreview.lang.c_family.file import CFile  # noqa: E402

TOOLS = ("secreview", "cppcheck", "flawfinder")
MAX_ARGV_CHARS = 100_000

# CWEs secreview has C/C++ rules for, scored by default.
DEFAULT_CWES = (78, 121, 122, 134, 190, 191, 195, 242, 338, 367, 369, 377, 401, 415, 416, 457, 476, 590, 680,
                690, 762, 775, 789, 327, 328, 259)

_BUFFER = frozenset({118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 129, 131, 135, 170, 193, 242, 467, 676,
                     785, 786, 787, 788, 805, 806, 823, 839})
_INTEGER = frozenset({128, 190, 191, 192, 194, 195, 196, 197, 680, 681, 682, 839})
_LEAK = frozenset({401, 404, 772, 775})
_FREE = frozenset({415, 416, 672, 825, 1341, 763})
_NULL = frozenset({476, 690, 252, 253})
# Test-case CWE -> finding CWEs that count as reporting that defect (a family of the same weakness).
RELATED: dict[int, frozenset[int]] = {
    **{c: _BUFFER | {680, 195, 190, 191} for c in (121, 122, 123, 124, 126, 127, 129, 131, 193, 787, 125)},
    **{c: _INTEGER | _BUFFER for c in (194, 195, 196, 197, 680)},
    190: _INTEGER, 191: _INTEGER,
    789: frozenset({789, 770, 400, 190, 680, 195}),
    134: frozenset({134}), 78: frozenset({78, 77, 88}), 89: frozenset({89}),
    369: frozenset({369}), 457: frozenset({457, 908, 665, 824}),
    476: _NULL, 690: _NULL, 252: _NULL | {273, 754}, 273: frozenset({273, 252}),
    401: _LEAK, 775: _LEAK, 404: _LEAK, 772: _LEAK,
    415: _FREE, 416: _FREE,
    367: frozenset({367, 362, 363}), 362: frozenset({362, 366, 367}), 366: frozenset({362, 366}),
    377: frozenset({377, 378, 379, 367}),
    338: frozenset({338, 330, 337}), 327: frozenset({327, 328, 326, 780}), 328: frozenset({328, 327}),
    242: frozenset({242, 676, 120}), 676: frozenset({676, 242, 120}),
    590: frozenset({590, 762, 761, 763}), 762: frozenset({762, 590, 763}), 761: frozenset({761, 763, 590}),
    562: frozenset({562, 825}), 467: frozenset({467, 131}),
    259: frozenset({259, 798, 321}), 321: frozenset({321, 798, 259}), 732: frozenset({732, 276}),
}

_TEST_CASE = re.compile(r"^(?P<case>.+?_\d\d)(?:[a-e]|_bad|_good\w*)?\.(?:c|cpp)$")
_VARIANT_PREFIX = re.compile(r"^.*_\d\d[a-e]?_")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    cwe: int


@dataclass
class CweScore:
    cwe: int
    cases: int = 0
    tp: int = 0
    fp: int = 0

    @property
    def tpr(self) -> float:
        return self.tp / self.cases if self.cases else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / self.cases if self.cases else 0.0

    @property
    def score(self) -> float:
        return self.tpr - self.fpr


@dataclass
class ToolRun:
    name: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


# -- the test suite ---------------------------------------------------------------


def cwe_directory(checkout: Path, cwe: int) -> Path | None:
    matches = sorted((checkout / "testcases").glob(f"CWE{cwe}_*"))
    return matches[0] if matches else None


def test_cases(directory: Path, max_cases: int | None) -> dict[str, list[Path]]:
    """Test case name -> its source files (headers are not analysed: they hold no function bodies)."""
    cases: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(directory.rglob("*")):
        match = _TEST_CASE.match(path.name)
        if match and path.is_file():
            cases[match.group("case")].append(path)
    names = sorted(cases)[:max_cases] if max_cases else sorted(cases)
    return {name: cases[name] for name in names}


def part_of(function_name: str) -> str | None:
    """'bad' or 'good' for a Juliet function name, judged on the part after the test-case number."""
    tail = _VARIANT_PREFIX.sub("", function_name).lower()
    if "bad" in tail:
        return "bad"
    if "good" in tail:
        return "good"
    return None


class FunctionIndex:
    """Which function (by name) contains a given line of a file, from the file's own parse."""

    def __init__(self) -> None:
        self._ranges: dict[str, list[tuple[int, int, str]]] = {}

    def function_at(self, path: str, line: int) -> str | None:
        if path not in self._ranges:
            self._ranges[path] = self._parse(path)
        inside = [(end - start, name) for start, end, name in self._ranges[path] if start <= line <= end]
        return min(inside)[1] if inside else None

    @staticmethod
    def _parse(path: str) -> list[tuple[int, int, str]]:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        file = CFile(path, text, language=language_for_path(path) or "c")
        return [(f.start_point[0] + 1, f.end_point[0] + 1, file.function_name(f))
                for f in file.nodes_of_type("function_definition")]


# -- running the tools ---------------------------------------------------------------


def chunks(paths: Sequence[str], limit: int = MAX_ARGV_CHARS) -> Iterable[list[str]]:
    chunk: list[str] = []
    size = 0
    for path in paths:
        if chunk and size + len(path) + 1 > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(path)
        size += len(path) + 1
    if chunk:
        yield chunk


def run_secreview(command: list[str], paths: list[str], jobs: int) -> ToolRun:
    run = ToolRun("secreview")
    started = time.perf_counter()
    # contiguous pieces: a test case's files (`..._51a.c`, `..._51b.c`) sit next to each other in `paths` and
    # are reviewed in one run, as one program's files are, so calls between them are followed
    pieces = [paths[i * len(paths) // jobs:(i + 1) * len(paths) // jobs] for i in range(jobs)] if jobs > 1 else [paths]

    def one(piece: list[str]) -> list[Finding]:
        found: list[Finding] = []
        for chunk in chunks(piece):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp, "report.json")
                completed = subprocess.run([*command, "--format", "json", "--output", str(out), *chunk],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                           check=False, env=_secreview_env())
                if not out.is_file():
                    raise RuntimeError(f"secreview wrote no report: {completed.stderr.strip()[-500:]}")
                report = json.loads(out.read_text(encoding="utf-8"))
            found += [Finding(os.path.abspath(f["location"]["path"]), f["location"]["start_line"], f["cwe"]["id"])
                      for f in report["findings"]]
        return found

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for found in pool.map(one, [p for p in pieces if p]):
                run.findings += found
    except (OSError, RuntimeError, json.JSONDecodeError) as error:
        run.error = str(error)
    run.seconds = time.perf_counter() - started
    return run


def _secreview_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def run_cppcheck(command: list[str], paths: list[str], jobs: int) -> ToolRun:
    """cppcheck with its default checks plus warning/style/portability, one configuration per file."""
    run = ToolRun("cppcheck")
    started = time.perf_counter()
    template = "{file}\t{line}\t{cwe}\t{id}"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        completed = subprocess.run(
            [*command, "--quiet", "--enable=warning,style,portability", "--max-configs=1", f"-j{jobs}",
             "--suppress=missingIncludeSystem", "--suppress=missingInclude", f"--template={template}",
             f"--file-list={listing.name}"],
            capture_output=True, text=True, check=False)
        for line in completed.stderr.splitlines():
            parts = line.split("\t")
            if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit() and int(parts[2]):
                run.findings.append(Finding(os.path.abspath(parts[0]), int(parts[1]), int(parts[2])))
    except OSError as error:
        run.error = str(error)
    finally:
        os.unlink(listing.name)
    run.seconds = time.perf_counter() - started
    return run


def run_flawfinder(command: list[str], paths: list[str]) -> ToolRun:
    """Flawfinder at its default minimum level; every CWE it lists for a hit counts."""
    run = ToolRun("flawfinder")
    started = time.perf_counter()
    try:
        for chunk in chunks(paths):
            completed = subprocess.run([*command, "--csv", "--quiet", "--dataonly", *chunk],
                                       capture_output=True, text=True, check=False)
            for row in csv.DictReader(io.StringIO(completed.stdout)):
                for cwe in re.findall(r"CWE-(\d+)", row.get("CWEs") or ""):
                    run.findings.append(Finding(os.path.abspath(row["File"]), int(row["Line"]), int(cwe)))
    except OSError as error:
        run.error = str(error)
    run.seconds = time.perf_counter() - started
    return run


def to_originals(run: ToolRun, copy: NeutralCopy) -> ToolRun:
    """A run over a neutral copy, its findings placed back on the original files (renaming keeps lines)."""
    back = {str(neutral): str(original) for neutral, original in copy.originals.items()}
    findings = [Finding(back[f.path], f.line, f.cwe) for f in run.findings if f.path in back]
    return ToolRun(run.name, findings, run.seconds, run.error)


def run_tool(tool: str, command: list[str], paths: list[str], jobs: int) -> ToolRun:
    if tool != "secreview" and shutil.which(command[0]) is None:
        return ToolRun(tool, error=f"{command[0]} not found")
    if tool == "secreview":
        return run_secreview(command, paths, jobs)
    if tool == "cppcheck":
        return run_cppcheck(command, paths, jobs)
    return run_flawfinder(command, paths)


def _files_key(paths: list[str]) -> str:
    return hashlib.sha256("\n".join(paths).encode("utf-8")).hexdigest()


def save_run(directory: Path, run: ToolRun, paths: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    data = {"tool": run.name, "files": _files_key(paths), "names": "neutral", "seconds": run.seconds,
            "findings": [[f.path, f.line, f.cwe] for f in run.findings]}
    (directory / f"{run.name}.json").write_text(json.dumps(data) + "\n", encoding="utf-8")


def load_run(directory: Path, tool: str, paths: list[str]) -> ToolRun | None:
    saved = directory / f"{tool}.json"
    if not saved.is_file():
        return None
    data = json.loads(saved.read_text(encoding="utf-8"))
    if data.get("files") != _files_key(paths) or data.get("names") != "neutral":  # older runs saw Juliet's names
        return None
    return ToolRun(tool, [Finding(p, line, cwe) for p, line, cwe in data["findings"]], data["seconds"])


# -- scoring ---------------------------------------------------------------------------------


def score(cwe: int, cases: dict[str, list[Path]], findings: Iterable[Finding], index: FunctionIndex) -> CweScore:
    related = RELATED.get(cwe, frozenset({cwe}))
    case_of = {os.path.abspath(p): name for name, files in cases.items() for p in files}
    flagged: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        case = case_of.get(finding.path)
        if case is None or finding.cwe not in related:
            continue
        part = part_of(index.function_at(finding.path, finding.line) or "")
        if part is not None:
            flagged[case].add(part)
    result = CweScore(cwe, cases=len(cases))
    result.tp = sum(1 for parts in flagged.values() if "bad" in parts)
    result.fp = sum(1 for parts in flagged.values() if "good" in parts)
    return result


def render(scores: dict[str, dict[int, CweScore]], runs: dict[str, ToolRun], cwes: list[int],
           max_cases: int | None) -> str:
    tools = list(scores)
    header = f"{'CWE':>7} {'cases':>6} " + " ".join(f"{t + ' TPR/FPR/score':>28}" for t in tools)
    lines = [header, "-" * len(header)]
    for cwe in cwes:
        first = scores[tools[0]][cwe]
        cells = []
        for tool in tools:
            s = scores[tool][cwe]
            cells.append(f"{100 * s.tpr:8.1f} {100 * s.fpr:8.1f} {100 * s.score:8.1f}  ")
        lines.append(f"{'CWE-' + str(cwe):>7} {first.cases:>6} " + " ".join(f"{c:>28}" for c in cells))
    lines.append("-" * len(header))
    means = []
    for tool in tools:
        values = [scores[tool][c] for c in cwes]
        tpr = sum(v.tpr for v in values) / len(values)
        fpr = sum(v.fpr for v in values) / len(values)
        means.append(f"{100 * tpr:8.1f} {100 * fpr:8.1f} {100 * (tpr - fpr):8.1f}  ")
    lines.append(f"{'mean':>7} {'':>6} " + " ".join(f"{c:>28}" for c in means))
    lines.append("")
    lines.append("wall time: " + ", ".join(f"{t} {runs[t].seconds:.0f} s" for t in tools))
    if max_cases:
        lines.append(f"(first {max_cases} test cases of each CWE)")
    return "\n".join(lines)


def parse_cwe(text: str) -> int:
    return int(text.upper().removeprefix("CWE").removeprefix("-"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("cwes", nargs="*", type=parse_cwe)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max-cases", type=int)
    parser.add_argument("--secreview", default=f"{shlex.quote(sys.executable)} -m secreview")
    parser.add_argument("--cppcheck", default="cppcheck")
    parser.add_argument("--flawfinder", default="flawfinder")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse", type=Path)
    parser.add_argument("--rerun", default="")
    args = parser.parse_args(argv)

    cwes = args.cwes or list(DEFAULT_CWES)
    cases_by_cwe: dict[int, dict[str, list[Path]]] = {}
    for cwe in cwes:
        directory = cwe_directory(args.checkout, cwe)
        if directory is None:
            print(f"no test cases for CWE-{cwe} under {args.checkout}/testcases", file=sys.stderr)
            continue
        cases_by_cwe[cwe] = test_cases(directory, args.max_cases)
    cwes = [c for c in cwes if c in cases_by_cwe]
    paths = sorted({str(p.resolve()) for cases in cases_by_cwe.values() for files in cases.values() for p in files})
    headers = sorted({p.resolve() for c in cwes for p in cwe_directory(args.checkout, c).rglob("*.h")})
    print(f"{len(cwes)} CWEs, {sum(len(c) for c in cases_by_cwe.values())} test cases, {len(paths)} files",
          file=sys.stderr)

    runs: dict[str, ToolRun] = {}
    rerun = {t.strip() for t in args.rerun.split(",") if t.strip()}
    with tempfile.TemporaryDirectory(prefix="neutral-") as scratch:
        copy = neutral_copy([Path(p) for p in paths] + headers, Path(scratch))
        for original in copy.new_errors:
            print(f"warning: the neutral copy of {original} parses with more errors", file=sys.stderr)
        # in the originals' order, so a test case's files are next to each other (reviewed in one run, as
        # one program's files are); the names a tool sees stay neutral
        neutral_paths = [str(neutral) for neutral, original in sorted(copy.originals.items(), key=lambda item: item[1])
                         if original.suffix != ".h"]
        for tool in [t.strip() for t in args.tools.split(",") if t.strip()]:
            saved = load_run(args.reuse, tool, paths) if args.reuse and tool not in rerun else None
            runs[tool] = saved or to_originals(
                run_tool(tool, shlex.split(getattr(args, tool)), neutral_paths, args.jobs), copy)
            if args.reuse and saved is None and runs[tool].error is None:
                save_run(args.reuse, runs[tool], paths)
            status = runs[tool].error or f"{len(runs[tool].findings)} findings in {runs[tool].seconds:.0f} s"
            print(f"{tool}: {status}{' (saved run reused)' if saved else ''}", file=sys.stderr)

    index = FunctionIndex()
    ran = {name: run for name, run in runs.items() if run.error is None}
    scores = {name: {cwe: score(cwe, cases_by_cwe[cwe], run.findings, index) for cwe in cwes}
              for name, run in ran.items()}
    if scores:
        print(render(scores, ran, cwes, args.max_cases))
    if args.json:
        args.json.write_text(json.dumps({
            name: {"seconds": ran[name].seconds,
                   "cwes": {str(c): {"cases": s.cases, "tp": s.tp, "fp": s.fp, "tpr": s.tpr, "fpr": s.fpr,
                                     "score": s.score} for c, s in by_cwe.items()}}
            for name, by_cwe in scores.items()}, indent=2) + "\n", encoding="utf-8")
    return 0 if len(ran) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
