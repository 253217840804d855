"""Dataflow: a language-agnostic taint engine over a small IR.

`analysis_for(file)` lowers a parsed Python, C or C++ file to the IR, runs
the interpreter with that language's specification (the merged knowledge of
`secreview.knowledge`), and caches the result on the
file so every rule shares one analysis.  See docs/dataflow.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from secreview.taint.analysis import DEFAULT_STEP_BUDGET, EMPTY, FileAnalysis, Label, Value

__all__ = ["DEFAULT_STEP_BUDGET", "EMPTY", "Provenance", "analysis_for", "cached_analysis", "calls_from_other_files", "provenance", "python_project"]

_MEMO_KEY = ("taint-analysis",)


@dataclass(frozen=True)
class Provenance:
    """Where the data at a node may come from, for one vulnerability class."""

    # "source": remote attacker data reaches it; "local": data of the local user or operator
    # (command line, environment, console); "param": caller-supplied data; "none"; "unknown"
    kind: str
    label: Label | None = None

    @property
    def from_source(self) -> bool:
        return self.kind == "source"


def analysis_for(file, budget: int | None = None) -> FileAnalysis:
    """The dataflow analysis of a parsed Python, C or C++ file, computed once and shared by all rules.

    When the file's context has the run's `Project`, names imported from other reviewed
    modules resolve to their definitions (recorded as consulted).
    """
    context = file.context
    project = context.project
    resolver = (lambda name: project.resolve(name, file.path)) if project is not None else None

    def analyse() -> FileAnalysis:
        analysis = _analyse(file, resolver, budget or context.dataflow_budget, entry_points=True)
        if project is not None and file.language == "python":
            if budget is None:  # the analysis calls_into would run on this file as an importer
                project.reviewed(file, analysis.outgoing)
            analysis.callers_elsewhere = lambda: project.calls_into(file.path)
        return analysis
    return file.memo(_MEMO_KEY, analyse)


def calls_from_other_files(file, function_node) -> list:
    """The calls other reviewed files make to the function defined at `function_node` with attacker
    data among the arguments (`OutgoingCall`s: per parameter, the value and the caller's syntax)."""
    project = file.context.project
    name = function_node.child_by_field_name("name") if function_node is not None else None
    if project is None or name is None:
        return []
    key = (file.text_of(name), function_node.start_byte)
    return [call for call in project.calls_into(file.path) if call.function == key]


def cached_analysis(file) -> FileAnalysis | None:
    """The analysis a rule already ran on this file, if any (never starts one)."""
    return file.memoised(_MEMO_KEY)


def _analyse(file, resolver, budget: int, entry_points: bool) -> FileAnalysis:
    if file.language in ("c", "cpp"):
        return _analyse_c(file, budget)
    from secreview.knowledge import registry
    from secreview.taint.python_lower import lower
    from secreview.taint.python_semantics import PythonSemantics
    return FileAnalysis(lower(file), PythonSemantics(registry.python(), file), budget, resolver, entry_points,
                        origin=file.path)


def _analyse_c(file, budget: int) -> FileAnalysis:
    from secreview.knowledge import registry
    from secreview.taint.c_lower import lower
    from secreview.taint.c_semantics import CSemantics
    return FileAnalysis(lower(file), CSemantics(registry.c(), file.includes), budget)


def python_project(sources, budget: int = DEFAULT_STEP_BUDGET, test_paths: frozenset[str] = frozenset()):
    """A cross-file index over the Python sources of one review (`test_paths`: those that are test code)."""
    from secreview.lang.python.file import PyFile
    from secreview.taint.project import Project
    return Project(sources, lambda source: PyFile(source.path, source.text),
                   lambda file, resolver: _analyse(file, resolver, budget, entry_points=False),
                   lambda file, resolver: _analyse(file, resolver, budget, entry_points=True), test_paths)


def provenance(analysis: FileAnalysis, node, cls: str) -> Provenance:
    """Where the data at `node` comes from; data from parameters is first followed into the calls
    other reviewed files make to this one (once per file, only when some sink asks)."""
    verdict = _provenance(analysis, node, cls)
    if verdict.kind == "param" and analysis.follow_callers(verdict.label.origin):
        verdict = _provenance(analysis, node, cls)
    return verdict


def _provenance(analysis: FileAnalysis, node, cls: str) -> Provenance:
    value: Value | None = analysis.value_of(node)
    if value is None:
        return Provenance("unknown")
    for kind in ("source", "local"):
        sources = [label for label in value.labels if label.kind == kind and label.active_for(cls)]
        if sources:
            return Provenance(kind, min(sources, key=lambda l: len(l.trace)))
    params = [label for label in value.labels if label.kind == "param" and label.active_for(cls)]
    if params:
        return Provenance("param", params[0])
    return Provenance("none")
