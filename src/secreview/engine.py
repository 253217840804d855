"""analyze(sources, rules, settings) -> Report: parse, run rules, build findings.

Pure apart from calling the parser: no file or network I/O happens here.
A rule that crashes on a file is reported as a problem for that file (the
run becomes incomplete); it never aborts the run or hides other findings.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import tree_sitter as ts

from secreview import lang, taint
from secreview.lang.c_family import LANGUAGES as C_FAMILY, CFile
from secreview.lang.python import PyFile
from secreview.model import (
    Confidence, ExcerptLine, FileProblem, Finding, Location, Origin, ProblemKind, Report, Severity, TraceStep,
)
from secreview.rules import AnalysisLimitExceeded, Hit, Rule, fill
from secreview.sources import SourceFile

EXCERPT_CONTEXT = 2
_MAX_CODE_VALUE = 100


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_severity: Severity = Severity.LOW
    min_confidence: Confidence = Confidence.MEDIUM
    dataflow_budget: int = taint.DEFAULT_STEP_BUDGET  # interpreter steps per file before it stops


@dataclass
class _FileResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


def select_rules(rules: Iterable[type[Rule]], settings: Settings) -> list[type[Rule]]:
    chosen = [r for r in rules if not settings.select or _matches(r.id, settings.select)]
    return [r for r in chosen if not _matches(r.id, settings.ignore)]


def _matches(rule_id: str, patterns: Sequence[str]) -> bool:
    return any(rule_id == p or (p.endswith("*") and rule_id.startswith(p[:-1])) for p in patterns)


def analyze(sources: Sequence[SourceFile], rules: Sequence[type[Rule]], settings: Settings,
            problems: Sequence[FileProblem] = ()) -> Report:
    findings: list[Finding] = []
    all_problems = list(problems)
    active = select_rules(rules, settings)
    project = taint.python_project(sources)
    for source in sources:
        result = analyze_file(source, active, project, settings.dataflow_budget)
        findings.extend(result.findings)
        all_problems.extend(result.problems)
    visible = [f for f in findings
               if f.severity >= settings.min_severity and f.confidence >= settings.min_confidence]
    return Report(
        findings=tuple(sorted(visible, key=lambda f: f.sort_key)),
        problems=tuple(sorted(all_problems, key=lambda p: (p.path, p.kind.value))),
        files_analysed=len(sources),
        hidden_by_filters=len(findings) - len(visible),
    )


def analyze_file(source: SourceFile, rules: Sequence[type[Rule]], project=None,
                 dataflow_budget: int = taint.DEFAULT_STEP_BUDGET) -> _FileResult:
    result = _FileResult()
    applicable = [rule for rule in rules if rule.applies_to(source.language)]
    try:
        tree = lang.parse(source.language, source.text)
    except lang.UnsupportedLanguageError as error:
        result.problems.append(FileProblem(source.path, ProblemKind.UNSUPPORTED_LANGUAGE, str(error)))
        return result
    broken = lang.error_lines(tree)
    if broken:
        where = ", ".join(map(str, broken))
        result.problems.append(FileProblem(
            source.path, ProblemKind.PARSE_ERRORS,
            f"syntax errors near line(s) {where}; analysed where the parser recovered"))
    context = _context_for(source, tree)
    context.project = project
    context.dataflow_budget = dataflow_budget
    builder = _FindingBuilder(source)
    for rule_class in applicable:
        rule = rule_class()
        hits: list[Hit] = []
        try:
            hits.extend(rule.review(context))
        except AnalysisLimitExceeded as error:
            problem = FileProblem(source.path, ProblemKind.LIMIT_EXCEEDED, str(error))
            if problem.detail not in (p.detail for p in result.problems):  # rules share one analysis
                result.problems.append(problem)
        except Exception as error:  # a broken rule must not sink the run
            result.problems.append(FileProblem(
                source.path, ProblemKind.INTERNAL_ERROR,
                f"rule {rule.id} failed: {type(error).__name__}: {error}"))
        result.findings.extend(builder.build(rule, hit) for hit in hits)
    result.findings = _finalise(result.findings, {r.id: r.family for r in applicable if r.family})
    return result


def _context_for(source: SourceFile, tree: ts.Tree) -> PyFile | CFile:
    if source.language in C_FAMILY:
        return CFile(source.path, source.text, tree, source.language)
    return PyFile(source.path, source.text, tree)


def merge_families(findings: list[Finding], families: dict[str, str]) -> list[Finding]:
    """One finding per line for rules of one family (`families`: rule id -> family).

    Rules of a family report the same defect from different angles (`os.system` and
    `subprocess` shell rules, `eval-non-literal` and `code-injection`); a reviewer writes
    one comment, so the strongest finding stays and names the others.
    """
    groups: dict[tuple, list[Finding]] = {}
    merged: list[Finding] = []
    for finding in findings:
        family = families.get(finding.rule_id)
        if family is None:
            merged.append(finding)
        else:
            groups.setdefault((finding.location.path, finding.location.start_line, family), []).append(finding)
    for group in groups.values():
        group.sort(key=lambda f: (f.severity, f.confidence, f.rule_id), reverse=True)
        kept, others = group[0], group[1:]
        if others:
            also = "; ".join(f"{f.rule_id}: {f.message}" for f in others)
            kept = dataclasses.replace(kept, description=f"{kept.description}\n\nAlso reported here by {also}.")
        merged.append(kept)
    return merged


def _finalise(findings: list[Finding], families: dict[str, str] | None = None) -> list[Finding]:
    """Drop duplicates, merge rule families, and give each finding a fingerprint that survives line shifts."""
    unique = list({(f.rule_id, f.location): f for f in findings}.values())
    ordered = sorted(merge_families(unique, families or {}), key=lambda f: f.sort_key)
    seen: Counter[str] = Counter()
    out = []
    for finding in ordered:
        basis = "\0".join((finding.rule_id, finding.location.path,
                           " ".join(" ".join(line.text.split()) for line in finding.excerpt if line.flagged)))
        seen[basis] += 1
        digest = hashlib.sha256(f"{basis}\0{seen[basis]}".encode()).hexdigest()[:32]
        out.append(dataclasses.replace(finding, fingerprint=digest))
    return out


class _FindingBuilder:
    """Turns a rule's hit into a Finding with location, texts and excerpt."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.lines = source.text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()  # the text's final newline ends the last line, it opens no new one
        self.data = source.text.encode("utf-8")

    def build(self, rule: Rule, hit: Hit) -> Finding:
        location = self._location(hit.node, hit.end_node)
        values = {"code": self._code_value(hit.node), "line": str(location.start_line), **hit.values}
        description = fill(rule.description, values)
        if hit.note:
            description += "\n\n" + hit.note
        return Finding(
            rule_id=rule.id,
            cwe=rule.cwe,
            severity=hit.severity or rule.severity,
            confidence=hit.confidence or rule.confidence,
            location=location,
            message=fill(rule.message, values),
            description=description,
            solution=fill(rule.solution, values),
            origin=Origin.TAINT if hit.trace else Origin.PATTERN,
            trace=tuple(TraceStep(self._location(node), note) for node, note in hit.trace),
            excerpt=self._excerpt(location),
        )

    def _location(self, node: ts.Node, end_node: ts.Node | None = None) -> Location:
        start, end = node.start_point, (end_node or node).end_point
        return Location(self.source.path, start.row + 1, self._column(start.row, start.column) + 1,
                        end.row + 1, self._column(end.row, end.column) + 1)

    def _column(self, row: int, byte_column: int) -> int:
        """Character column from tree-sitter's byte column."""
        line = self.lines[row] if row < len(self.lines) else ""
        return len(line.encode("utf-8")[:byte_column].decode("utf-8", "replace"))

    def _code_value(self, node: ts.Node) -> str:
        text = self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")
        text = " ".join(text.split())
        return text if len(text) <= _MAX_CODE_VALUE else text[:_MAX_CODE_VALUE - 3] + "..."

    def _excerpt(self, location: Location) -> tuple[ExcerptLine, ...]:
        first = max(1, location.start_line - EXCERPT_CONTEXT)
        last = min(len(self.lines), location.end_line + EXCERPT_CONTEXT)
        return tuple(
            ExcerptLine(number, self.lines[number - 1],
                        location.start_line <= number <= location.end_line)
            for number in range(first, last + 1))
