"""What every language's file model shares: text, queries, the node-type index, memo, context.

`ParsedFile` is the base of `PyFile` (lang/python/file.py) and `CFile`
(lang/c_family/file.py).  It holds the parsed tree and answers the questions
that are the same idea in every language: the text of a node, query captures,
the per-file node-type index, ancestors.

`FileContext` is everything a file's analysis may know beyond its own text,
declared in one place and set by the engine: the run's cross-file index, the
dataflow budget and, for C/C++, where headers are looked up (the headers a file
read are recorded by the engine for the result cache) and the functions other files define.  Rules never attach attributes to a file; per-file answers go
through `ParsedFile.memo`, and facts about other files only through
`FileContext.module_sources`, which records the module as consulted so the
result cache invalidates this file's result when that module changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import tree_sitter as ts

from secreview import lang
from secreview.taint.analysis import DEFAULT_STEP_BUDGET

if TYPE_CHECKING:
    from secreview.lang.c_family.include_dirs import SearchPath
    from secreview.sources import SourceFile
    from secreview.taint.project import Project
    from secreview.valueflow.project import FunctionIndex

_SIMPLE_PATTERN = re.compile(r"^\s*\((\w+)\)\s*@(\w+)\s*$")
_CALL_TYPES = frozenset({"call", "call_expression"})  # the call node of the Python and of the C/C++ grammars
T = TypeVar("T")


@dataclass
class FileContext:
    """What the analysis of one file may consult beyond its text (set by the engine)."""

    project: Project | None = None  # the run's cross-file index of Python modules; None: the file alone
    dataflow_budget: int = DEFAULT_STEP_BUDGET
    search_path: SearchPath | None = None  # C/C++: include directories and defines for the preprocessor step
    functions: FunctionIndex | None = None  # C/C++: the functions other files of the run define (value flow)

    def module_sources(self, module: str) -> tuple[SourceFile, ...]:
        """The reviewed files answering to a dotted module name, recorded as consulted.

        Exactly one file means the name resolves; none or several mean it does not.
        """
        if self.project is None:
            return ()
        return self.project.sources_of(module)

    def resolve(self, dotted: str):
        """The dataflow value of `module.attr` defined in another reviewed file (consulted), or None."""
        return self.project.resolve(dotted) if self.project is not None else None


class ParsedFile:
    """A parsed source file: text, tree, queries and a per-file memo. Subclassed per language."""

    language: str
    indexed_types: ClassVar[frozenset[str]] = frozenset()  # node types kept in the per-file index

    def __init__(self, path: str, text: str, tree: ts.Tree | None, language: str,
                 context: FileContext | None = None) -> None:
        self.path = path
        self.text = text
        self.language = language
        self.context = context or FileContext()
        self.data = text.encode("utf-8")
        self.tree = tree or lang.parse(language, text, self.context.search_path, path)
        self.root = self.tree.root_node
        self._query_cache: dict[tuple, list[ts.Node]] = {}
        self._memo: dict[Any, object] = {}

    # -- memo -----------------------------------------------------------------

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """`compute()` once per file for `key` (a tuple naming the question and its arguments)."""
        try:
            return self._memo[key]  # type: ignore[return-value]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def memoised(self, key: Any) -> object | None:
        """What `memo` already computed for `key`, or None (never computes)."""
        return self._memo.get(key)

    # -- text and queries -----------------------------------------------------

    def text_of(self, node: ts.Node | None) -> str:
        if node is None:
            return ""
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def captures(self, pattern: str, node: ts.Node | None = None) -> dict[str, list[ts.Node]]:
        return lang.captures(self.language, pattern, node or self.root)

    def nodes(self, pattern: str, capture: str, node: ts.Node | None = None) -> list[ts.Node]:
        """Nodes of one capture, in source order (memoised per file).

        A plain `(type) @name` pattern for an indexed node type is answered from
        the per-file type index instead of a new tree traversal.
        """
        simple = _SIMPLE_PATTERN.match(pattern)
        if simple and simple.group(1) in self.indexed_types and simple.group(2) == capture:
            return self.nodes_of_type(simple.group(1), within=node)
        key = (pattern, capture, node.id if node is not None else None)
        if key not in self._query_cache:
            found = self.captures(pattern, node).get(capture, [])
            self._query_cache[key] = sorted(found, key=lambda n: n.start_byte)
        return self._query_cache[key]

    def _index_query(self) -> str:
        return index_query(self.language, self.indexed_types)

    @functools.cached_property
    def _type_index(self) -> dict[str, list[ts.Node]]:
        """Node type -> nodes, for the types rules ask for most: one traversal, in C."""
        return lang.type_index(self.language, self._index_query(), self.root)

    def nodes_of_type(self, *types: str, within: ts.Node | None = None) -> list[ts.Node]:
        """Nodes of the given (indexed) types in source order, optionally inside `within`."""
        return lang.nodes_of_type(self._type_index, self.indexed_types, types, within)

    # -- calls ----------------------------------------------------------------

    @functools.cached_property
    def calls(self) -> tuple[Any, ...]:
        """Every call of the file as the language's `Call` model, in source order."""
        return tuple(self._make_call(node) for node in self.nodes_of_type(*sorted(_CALL_TYPES & self.indexed_types)))

    @functools.cached_property
    def _calls_by_name(self) -> dict[str, list[Any]]:
        return lang.group_by(self.calls, lambda call: call.name)

    @functools.cached_property
    def _calls_by_method(self) -> dict[str, list[Any]]:  # pragma: no cover - abstract
        """Calls grouped by the method name `method_calls` matches (each language says which calls count)."""
        raise NotImplementedError

    def method_calls(self, *methods: str) -> list[Any]:
        """Calls `obj.method(...)` of the given methods on any receiver, in source order."""
        return lang.in_source_order(self._calls_by_method, methods)

    def _make_call(self, node: ts.Node) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- tree -----------------------------------------------------------------

    @staticmethod
    def ancestors(node: ts.Node) -> Iterator[ts.Node]:
        current = node.parent
        while current is not None:
            yield current
            current = current.parent

    def inside(self, node: ts.Node, types: Iterable[str]) -> ts.Node | None:
        """The nearest ancestor of `node` with one of `types`, or None."""
        wanted = frozenset(types)
        return next((a for a in self.ancestors(node) if a.type in wanted), None)


@functools.cache
def index_query(language: str, types: frozenset[str]) -> str:
    """One query matching every indexed node type the grammar has (C lacks the C++-only ones)."""
    grammar = lang.grammar(language)
    known = [name for name in sorted(types) if grammar.id_for_node_kind(name, True)]
    return "[" + " ".join(f"({name})" for name in known) + "] @node"
