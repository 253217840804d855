"""Cut a file into the pieces the model reviews, and render them line-numbered.

A small file goes whole.  A larger one is cut along its top-level
statements (functions, classes; the members of a large class or C++
namespace), consecutive pieces packed together up to the size limit.
Every chunk shows, as context, the file's imports and the headers of the
classes it is inside, so the model knows what `sp.call` or `self.db` is.  A definition longer than
the limit is cut into overlapping windows.  Languages without a parser here
are cut into plain windows.

Every line of the file is under review in exactly one chunk (windows of an
oversized definition overlap a little, so a line may be in two).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tree_sitter as ts

from secreview import lang


@dataclass(frozen=True)
class Chunk:
    path: str
    language: str
    lines: tuple[int, ...]  # 1-based lines under review, ascending
    context: tuple[int, ...] = ()  # lines shown for reference only (imports, class header)

    @property
    def first(self) -> int:
        return self.lines[0]

    @property
    def last(self) -> int:
        return self.lines[-1]

    @property
    def shown(self) -> frozenset[int]:
        return frozenset(self.lines) | frozenset(self.context)


@dataclass(frozen=True)
class _Syntax:
    """Node types that structure a file of one language."""

    containers: frozenset[str]  # definitions with a `body` of members (classes, namespaces)
    imports: frozenset[str]
    wrappers: frozenset[str] = frozenset()  # nodes wrapping a definition in their `definition` field


_SYNTAX = {
    "python": _Syntax(
        containers=frozenset({"class_definition"}),
        imports=frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
        wrappers=frozenset({"decorated_definition"}),
    ),
    "c": _Syntax(containers=frozenset(), imports=frozenset({"preproc_include"})),
    "cpp": _Syntax(
        containers=frozenset({"namespace_definition", "class_specifier", "struct_specifier"}),
        imports=frozenset({"preproc_include", "using_declaration"}),
    ),
}

WINDOW_OVERLAP = 5


@dataclass(frozen=True)
class _Unit:
    """A run of lines reviewed together, with the context it needs."""

    start: int
    end: int
    context: tuple[int, ...] = ()
    head: int = 0  # first line of the statement itself (start may include comments before it)

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def line_count(text: str) -> int:
    lines = text.split("\n")
    return len(lines) - 1 if lines[-1] == "" else len(lines)


def chunks_for(path: str, text: str, language: str, max_lines: int) -> list[Chunk]:
    total = line_count(text)
    if total == 0:
        return []
    if total <= max_lines:
        return [Chunk(path, language, tuple(range(1, total + 1)))]
    root = _parsed(language, text)
    syntax = _SYNTAX.get(language)
    if root is None or syntax is None:
        units = [_Unit(1, total)]  # no structure known: plain windows
        imports: tuple[int, ...] = ()
    else:
        imports = tuple(_import_lines(root, syntax))
        units = _cover(_units(root.named_children, syntax, max_lines), total)
    pieces = [piece for unit in units for piece in _split(unit, max_lines)]
    return [_chunk(path, language, group, imports) for group in _pack(pieces, max_lines)]


def _parsed(language: str, text: str) -> ts.Node | None:
    if language not in _SYNTAX:
        return None
    try:
        return lang.parse(language, text).root_node
    except lang.UnsupportedLanguageError:  # grammar not installed here
        return None


def _row(node: ts.Node) -> int:
    return node.start_point.row + 1


def _end_row(node: ts.Node) -> int:
    end = node.end_point
    # A node ending at column 0 ends on the previous line (its trailing newline).
    return end.row if end.column == 0 and end.row > node.start_point.row else end.row + 1


def _import_lines(root: ts.Node, syntax: _Syntax) -> Iterable[int]:
    for child in root.named_children:
        if child.type in syntax.imports:
            yield from range(_row(child), _end_row(child) + 1)


def _container(node: ts.Node, syntax: _Syntax) -> ts.Node | None:
    """The class or namespace a node defines (through decorators), if any."""
    if node.type in syntax.wrappers:
        node = node.child_by_field_name("definition") or node
    return node if node.type in syntax.containers and node.child_by_field_name("body") else None


def _units(nodes: Sequence[ts.Node], syntax: _Syntax, max_lines: int, context: tuple[int, ...] = ()) -> list[_Unit]:
    """Statements as units; a large class or namespace becomes its header plus its members."""
    units: list[_Unit] = []
    for node in nodes:
        start, end = _row(node), _end_row(node)
        container = _container(node, syntax)
        if container is not None and end - start + 1 > max_lines:
            units.extend(_members(node, container, syntax, max_lines, context))
        else:
            units.append(_Unit(start, end, context))
    return units


def _members(outer: ts.Node, container: ts.Node, syntax: _Syntax, max_lines: int,
             context: tuple[int, ...]) -> list[_Unit]:
    """The header lines (decorators, signature) as a unit, then each member shown with them."""
    body = container.child_by_field_name("body")
    header_end = _row(body) - 1 if _row(body) > _row(container) else _row(container)
    header = tuple(range(_row(outer), header_end + 1))
    inner = tuple(sorted({*context, *header}))
    return [_Unit(header[0], header[-1], context), *_units(body.named_children, syntax, max_lines, inner)]


def _cover(units: list[_Unit], total: int) -> list[_Unit]:
    """Stretch units so that blank lines and comments between them are reviewed too."""
    units = sorted(units, key=lambda u: u.start)
    covered: list[_Unit] = []
    next_line = 1
    for unit in units:
        if unit.end < next_line:
            continue
        covered.append(_Unit(next_line, max(unit.end, next_line), unit.context, unit.head or unit.start))
        next_line = covered[-1].end + 1
    if next_line <= total:
        if covered:
            last = covered.pop()
            covered.append(_Unit(last.start, total, last.context, last.head))
        else:
            covered.append(_Unit(1, total))
    return covered


def _split(unit: _Unit, max_lines: int) -> list[_Unit]:
    """Cut an oversized unit into overlapping windows; later windows also show its first line."""
    if unit.size <= max_lines:
        return [unit]
    step = max(1, max_lines - WINDOW_OVERLAP)
    head = unit.head or unit.start
    windows = []
    for start in range(unit.start, unit.end + 1, step):
        end = min(start + max_lines - 1, unit.end)
        context = unit.context if start <= head else tuple(sorted({*unit.context, head}))
        windows.append(_Unit(start, end, context))
        if end == unit.end:
            break
    return windows


def _pack(units: Sequence[_Unit], max_lines: int) -> list[list[_Unit]]:
    """Group consecutive units while they fit together: fewer calls, same coverage."""
    groups: list[list[_Unit]] = []
    size = 0
    for unit in units:
        if groups and size + unit.size <= max_lines and groups[-1][-1].end < unit.start:
            groups[-1].append(unit)
            size += unit.size
        else:
            groups.append([unit])
            size = unit.size
    return groups


def _chunk(path: str, language: str, group: Sequence[_Unit], imports: tuple[int, ...]) -> Chunk:
    reviewed = sorted({line for unit in group for line in range(unit.start, unit.end + 1)})
    wanted = {*imports, *(line for unit in group for line in unit.context)}
    context = tuple(sorted(wanted - set(reviewed)))
    return Chunk(path, language, tuple(reviewed), context)


def render(chunk: Chunk, lines: Sequence[str]) -> str:
    """The chunk's lines numbered as in the file: `N | code` under review, `N : code` context."""
    reviewed = set(chunk.lines)
    shown = sorted(chunk.shown)
    width = len(str(shown[-1]))
    rows: list[str] = []
    previous = 0
    for number in shown:
        if previous and number > previous + 1:
            rows.append(" " * width + " ...")
        marker = "|" if number in reviewed else ":"
        text = lines[number - 1] if number <= len(lines) else ""
        rows.append(f"{number:>{width}} {marker} {text}".rstrip())
        previous = number
    return "\n".join(rows)
