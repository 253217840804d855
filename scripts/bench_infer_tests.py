"""Score secreview and cppcheck on the C and C++ test programs of facebook/infer, under neutral names.

Usage:
    python scripts/bench_infer_tests.py INFER_CHECKOUT [--suites c/bufferoverrun,cpp/pulse,...]
        [--secreview CMD] [--cppcheck CMD] [--tools secreview,cppcheck] [--jobs N] [--json OUT]
        [--keep DIR]

INFER_CHECKOUT is a work tree of github.com/facebook/infer, kept outside this
repository. A *suite* is a directory `infer/tests/codetoanalyze/{c,cpp}/NAME`
with an `issues.exp`; by default every such suite is scored (a bare NAME in
--suites means both c/NAME and cpp/NAME when they exist).

issues.exp. One line per issue Infer is expected to report:

    codetoanalyze/c/bufferoverrun/arith.c, modulo_signed_Bad, 2, BUFFER_OVERRUN_L3, no_bucket, ERROR, [trace]

that is file (relative to infer/tests), procedure (C++ names qualified:
`ns::Class<T>::method`; a lambda is `file.cpp:LINE_hash::operator()`), line
offset inside the procedure, issue type, bucket, severity, trace.

Scoring. The programs are first copied under neutral names (see
scripts/neutral_names.py: files `fileNNNN.c`, functions `fNNNN`...); the tools
scan only the copy; each finding is mapped back to the original file and line
(renaming keeps lines) and from there to the function definition enclosing it,
found by our own C/C++ front end. A procedure issues.exp lists is *expected*;
it is *found* by a tool that reports any finding inside it. A finding inside a
function that issues.exp does not list is a *false report*; findings outside
every function are counted apart (`outside`). Every finding counts, whatever
its CWE (Infer's issue types span memory, nullness, dead stores, races, cost,
static initialisation order...); for cppcheck, every message that carries a
CWE, with the options scripts/bench_juliet.py uses. Infer's own test names end
in `_Bad`/`_FP`/`_FN`; they are ground-truth labels here, never seen by a tool.

Exit code: 0 when every requested tool ran, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS.parent / "src"))
sys.path.insert(0, str(SCRIPTS))

from bench_juliet import Finding, run_tool, to_originals  # noqa: E402 - after the path set-up
from neutral_names import at_top_level, declared_name, language_of, neutral_copy  # noqa: E402
from secreview.lang.c_family.file import CFile  # noqa: E402

SOURCE_SUFFIXES = frozenset({".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp"})
TOOLS = ("secreview", "cppcheck")
_ISSUE_LINE = re.compile(r"^(?P<file>[^,]+), (?P<procedure>.+?), (?P<line>-?\d+), (?P<type>[A-Z][A-Z0-9_]*), ")
_LAMBDA = re.compile(r"^[^:]+\.\w+:(?P<line>\d+)_[0-9a-f]+::operator\(\)$")
_SCOPES = frozenset({"namespace_definition", "class_specifier", "struct_specifier", "union_specifier"})
_GLOBAL_INITIALIZER = "__infer_globals_initializer_"  # Infer's procedure for a global variable's initialiser


@dataclass(frozen=True)
class Issue:
    file: str  # relative to infer/tests
    procedure: str
    line: int  # offset from the procedure's first line
    kind: str


def parse_issues(text: str) -> list[Issue]:
    """The issues of an issues.exp text; lines that do not have its shape are skipped."""
    issues = []
    for line in text.splitlines():
        match = _ISSUE_LINE.match(line)
        if match:
            issues.append(Issue(match["file"], match["procedure"], int(match["line"]), match["type"]))
    return issues


def name_parts(name: str) -> tuple[str, ...]:
    """`ns::X<int, 3>::f` -> ('ns', 'X', 'f'): template arguments dropped, the scopes split."""
    depth = 0
    kept = []
    for char in name.replace("__infer_inner_destructor_", ""):
        if char == "<" and not kept[-8:] == list("operator"):
            depth += 1
        elif char == ">" and depth:
            depth -= 1
        elif not depth:
            kept.append(char)
    return tuple(part.strip() for part in "".join(kept).split("::") if part.strip())


def same_procedure(expected: tuple[str, ...], defined: tuple[str, ...]) -> bool:
    """True when one qualified name ends with the other (a definition in a class body lacks its scope)."""
    if not expected or not defined or expected[-1] != defined[-1]:
        return False
    shorter, longer = sorted((expected, defined), key=len)
    return longer[len(longer) - len(shorter):] == shorter


@dataclass(frozen=True)
class Procedure:
    file: str
    start: int
    end: int
    name: tuple[str, ...]


def procedures(path: Path) -> list[Procedure]:
    """The function definitions and global initialisers of a file, with their lines and qualified names."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    file = CFile(str(path), text, language=language_of(path, text.encode("utf-8")))
    found = []
    for definition in file.nodes_of_type("function_definition"):
        name = file.function_name(definition) or file.text_of(
            declared_name(definition.child_by_field_name("declarator")))
        found.append(_procedure(file, definition, name))
    for declaration in file.nodes_of_type("declaration"):
        if at_top_level(declaration):
            for declarator in declaration.children_by_field_name("declarator"):
                if declarator.type == "init_declarator":
                    declarator = declarator.child_by_field_name("declarator")
                variable = declared_name(declarator)
                if variable is not None:
                    found.append(_procedure(file, declaration, _GLOBAL_INITIALIZER + file.text_of(variable)))
    return found


def _procedure(file: CFile, node: ts.Node, name: str) -> Procedure:
    scopes = []
    for ancestor in file.ancestors(node):
        scope = ancestor.child_by_field_name("name") if ancestor.type in _SCOPES else None
        if scope is not None:
            scopes.insert(0, file.text_of(scope))
    qualified = name_parts("::".join([*scopes, name]))
    return Procedure(file.path, node.start_point[0] + 1, node.end_point[0] + 1, qualified)


def innermost(candidates: Iterable[Procedure], line: int) -> Procedure | None:
    inside = [p for p in candidates if p.start <= line <= p.end]
    return min(inside, key=lambda p: p.end - p.start) if inside else None


def expected_procedures(issue: Issue, defined: list[Procedure]) -> frozenset[Procedure]:
    """The definitions an issue names: by qualified name, or by line for a lambda."""
    lambda_line = _LAMBDA.match(issue.procedure)
    if lambda_line:
        enclosing = innermost(defined, int(lambda_line["line"]))
        return frozenset({enclosing} if enclosing else ())
    wanted = name_parts(issue.procedure)
    return frozenset(p for p in defined if same_procedure(wanted, p.name))


@dataclass
class Suite:
    name: str  # c/bufferoverrun
    sources: list[Path]
    issues: list[Issue]


@dataclass
class SuiteScore:
    suite: str
    files: int
    expected: int
    unmatched: int = 0  # expected procedures whose definition the front end did not find
    found: int = 0
    false_reports: int = 0
    false_locations: list[str] = field(default_factory=list)  # "file:line (procedure)" of each false report
    outside: int = 0
    found_names: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # issue kind -> [expected, found] procedures

    @property
    def detection(self) -> float:
        return self.found / self.expected if self.expected else 0.0

    @property
    def false_per_file(self) -> float:
        return self.false_reports / self.files if self.files else 0.0


def discover(checkout: Path, wanted: set[str]) -> list[Suite]:
    tests = checkout / "infer" / "tests"
    suites = []
    for expected in sorted((tests / "codetoanalyze").glob("*/*/issues.exp")):
        language, name = expected.parent.parent.name, expected.parent.name
        if language not in ("c", "cpp") or (wanted and not {name, f"{language}/{name}"} & wanted):
            continue
        issues = parse_issues(expected.read_text(encoding="utf-8", errors="replace"))
        directories = {expected.parent} | {(tests / issue.file).parent for issue in issues}
        sources = sorted({p for d in directories for p in d.rglob("*") if p.suffix in SOURCE_SUFFIXES})
        if sources:
            suites.append(Suite(f"{language}/{name}", sources, issues))
    return suites


def score_suite(suite: Suite, tests: Path, findings: Iterable[Finding]) -> SuiteScore:
    defined = {path: procedures(path) for path in suite.sources}
    expected: dict[tuple[str, tuple[str, ...]], frozenset[Procedure]] = {}
    for issue in suite.issues:
        path = tests / issue.file
        expected[(issue.file, name_parts(issue.procedure))] = expected_procedures(issue, defined.get(path, []))
    listed = frozenset().union(*expected.values()) if expected else frozenset()
    result = SuiteScore(suite.name, files=len(suite.sources), expected=len(expected))
    result.unmatched = sum(1 for procs in expected.values() if not procs)
    hit: set[Procedure] = set()
    for finding in set(findings):
        path = Path(finding.path)
        if path not in defined:  # a file of another suite
            continue
        procedure = innermost(defined[path], finding.line)
        if procedure is None:
            result.outside += 1
        elif procedure in listed:
            hit.add(procedure)
        else:
            result.false_reports += 1
            result.false_locations.append(f"{path.relative_to(tests)}:{finding.line} ({'::'.join(procedure.name)})")
    found = sorted(key for key, procs in expected.items() if procs & hit)
    result.found = len(found)
    result.found_names = ["::".join(name) for _, name in found]
    kinds: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for issue in suite.issues:
        kinds.setdefault(issue.kind, set()).add((issue.file, name_parts(issue.procedure)))
    hit_keys = set(found)
    result.by_kind = {kind: [len(keys), len(keys & hit_keys)] for kind, keys in kinds.items()}
    return result


def render(scores: dict[str, list[SuiteScore]]) -> str:
    tools = list(scores)
    header = f"{'suite':<20} {'files':>5} {'expected':>8} " + " ".join(
        f"{t + ' found / rate / false / per file':>40}" for t in tools)
    lines = [header, "-" * len(header)]
    rows = list(zip(*scores.values()))
    totals = {tool: _total(scores[tool]) for tool in tools}
    for row in [*rows, tuple(totals.values())]:
        if row[0].suite == "overall":
            lines.append("-" * len(header))
        cells = " ".join(f"{s.found:>14} {100 * s.detection:6.1f}% {s.false_reports:>7} {s.false_per_file:9.2f}"
                         for s in row)
        lines.append(f"{row[0].suite:<20} {row[0].files:>5} {row[0].expected:>8} {cells}")
    unmatched = sum(s.unmatched for s in scores[tools[0]])
    lines.append(f"\n{unmatched} expected procedures not located by the front end (count as not found); "
                 "findings outside any function: " + ", ".join(f"{t} {totals[t].outside}" for t in tools))
    lines.append("\n" + render_kinds(scores))
    return "\n".join(lines)


def render_kinds(scores: dict[str, list[SuiteScore]]) -> str:
    """Expected and found procedures per issue kind (a procedure listed for two kinds counts in both), over
    all suites: where each tool's detection comes from, and which kinds no security check reports."""
    tools = list(scores)
    totals: dict[str, dict[str, list[int]]] = {tool: {} for tool in tools}
    for tool in tools:
        for suite in scores[tool]:
            for kind, (expected, found) in suite.by_kind.items():
                tally = totals[tool].setdefault(kind, [0, 0])
                tally[0] += expected
                tally[1] += found
    kinds = sorted(totals[tools[0]], key=lambda kind: (-totals[tools[0]][kind][0], kind))
    header = f"{'issue kind':<40} {'expected':>8} " + " ".join(f"{t + ' found':>18}" for t in tools)
    lines = [header, "-" * len(header)]
    for kind in kinds:
        expected = totals[tools[0]][kind][0]
        cells = " ".join(f"{totals[t].get(kind, [0, 0])[1]:>11} {100 * totals[t].get(kind, [0, 0])[1] / expected:5.1f}%"
                         for t in tools)
        lines.append(f"{kind:<40} {expected:>8} {cells}")
    return "\n".join(lines)


def _total(suites: list[SuiteScore]) -> SuiteScore:
    total = SuiteScore("overall", files=sum(s.files for s in suites), expected=sum(s.expected for s in suites))
    total.unmatched = sum(s.unmatched for s in suites)
    total.found = sum(s.found for s in suites)
    total.false_reports = sum(s.false_reports for s in suites)
    total.outside = sum(s.outside for s in suites)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--suites", default="")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--secreview", default=f"{shlex.quote(sys.executable)} -m secreview")
    parser.add_argument("--cppcheck", default="cppcheck")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="write the neutral copy here (default: a temporary folder)")
    args = parser.parse_args(argv)

    suites = discover(args.checkout.resolve(), {s.strip() for s in args.suites.split(",") if s.strip()})
    with tempfile.TemporaryDirectory(prefix="neutral-") as scratch:
        root = args.keep.resolve() if args.keep else Path(scratch)
        copies = [neutral_copy(suite.sources, root / f"suite{index:02d}")
                  for index, suite in enumerate(suites, 1)]
        for copy in copies:
            for original in copy.new_errors:
                print(f"warning: the neutral copy of {original} parses with more errors", file=sys.stderr)
        neutral_files = sorted(str(path) for copy in copies for path in copy.originals)
        print(f"{len(suites)} suites, {len(neutral_files)} files", file=sys.stderr)
        runs = {}
        for tool in [t.strip() for t in args.tools.split(",") if t.strip()]:
            runs[tool] = run_tool(tool, shlex.split(getattr(args, tool)), neutral_files, args.jobs)
            status = runs[tool].error or f"{len(runs[tool].findings)} findings in {runs[tool].seconds:.0f} s"
            print(f"{tool}: {status}", file=sys.stderr)
    tests = args.checkout.resolve() / "infer" / "tests"
    ran = {name: run for name, run in runs.items() if run.error is None}
    scores = {name: [score_suite(suite, tests, to_originals(run, copy).findings) for suite, copy in zip(suites, copies)]
              for name, run in ran.items()}
    if scores:
        print(render(scores))
        print("wall time: " + ", ".join(f"{t} {ran[t].seconds:.0f} s" for t in ran))
    if args.json:
        args.json.write_text(json.dumps({
            name: {"seconds": ran[name].seconds,
                   "suites": {s.suite: {"files": s.files, "expected": s.expected, "unmatched": s.unmatched,
                                        "found": s.found, "detection": s.detection,
                                        "false_reports": s.false_reports, "false_per_file": s.false_per_file,
                                        "outside": s.outside, "found_procedures": s.found_names,
                                        "false_locations": sorted(s.false_locations), "by_kind": s.by_kind}
                              for s in [*by_suite, _total(by_suite)]}}
            for name, by_suite in scores.items()}, indent=2) + "\n", encoding="utf-8")
    return 0 if len(ran) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
