"""Scopes, statements and bindings: which frame runs a node, and what a function or class declares.

Vocabulary: the *own* nodes of a function are those that run in its frame, not in a nested function,
lambda or class (a decorator runs in the frame around the definition it decorates, so it is not nested).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile

NESTED_SCOPES = frozenset({"function_definition", "lambda", "class_definition"})


# -- frames ---------------------------------------------------------------------

def function_of(file: PyFile, node: ts.Node) -> ts.Node | None:
    """The function whose frame runs `node` (None at module or class level, or inside a lambda)."""
    for ancestor in file.ancestors(node):
        if ancestor.type == "function_definition":
            return ancestor
        if ancestor.type in ("lambda", "class_definition"):
            return None
    return None


def descendants(node: ts.Node, types: frozenset[str] | None = None,
                stop: frozenset[str] = NESTED_SCOPES) -> Iterator[ts.Node]:
    """Nodes below `node` (of `types` if given), not entering nested scopes."""
    stack = list(reversed(node.named_children))
    while stack:
        current = stack.pop()
        if types is None or current.type in types:
            yield current
        if current.type not in stop:
            stack.extend(reversed(current.named_children))


# -- statements -----------------------------------------------------------------

def statement_of(node: ts.Node) -> ts.Node | None:
    """The statement containing `node` (its nearest ancestor that sits directly in a block or module)."""
    current = node
    while current.parent is not None and current.parent.type not in ("block", "module"):
        current = current.parent
    return current if current.parent is not None else None


def body_statements(block: ts.Node | None) -> list[ts.Node]:
    """The statements of a block, without comments."""
    if block is None:
        return []
    return [c for c in block.named_children if c.type != "comment"]


def is_discarded(call_node: ts.Node) -> bool:
    """True for a call that is a statement of its own (alone or in a tuple, `jsonify(...), 403`): its value
    is thrown away."""
    parent = call_node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "expression_list", "tuple"):
        parent = parent.parent
    if parent is None or parent.type != "expression_statement":
        return False
    # `f(x)` alone; `f(x), 403` is an expression statement with several children (a tuple)
    return parent.named_child_count == 1 or all(c.type not in ("assignment", "augmented_assignment", "yield", "await")
                                                for c in parent.named_children)


# -- bindings and reads -----------------------------------------------------------

def last_binding(file: PyFile, ident: ts.Node) -> ts.Node | None:
    """The value of the last plain `name = value` binding `ident` before it, in its scope."""
    if ident.type != "identifier":
        return None
    bindings = file.bindings_before(ident)
    if not bindings:
        return None
    return file.bound_value(*bindings[-1])


def rebound_between(file: PyFile, ident: ts.Node, start: int, end: int, reading: ts.Node | None = None) -> bool:
    """True if the identifier `ident` is bound again by a binding that starts between byte offsets `start`
    and `end`. A binding that holds `reading` (`x = f(x)` around the read of `x`) reads the old value
    there, so it does not count."""
    if ident.type != "identifier":
        return False
    scope = file.enclosing_scope(ident)
    return any(start <= binding.start_byte < end
               and not (reading is not None and binding.start_byte <= reading.start_byte < binding.end_byte)
               for binding, _ in file.bindings_of(file.text_of(ident), scope))


def names_after(file: PyFile, binding: ts.Node, name: str, scope: ts.Node) -> Iterator[ts.Node]:
    """Identifiers `name` read after `binding` in `scope` (not inside nested scopes), in source order."""
    starts, reads = _identifiers_by_name(file, scope).get(name, ((), ()))
    yield from reads[bisect.bisect_left(starts, binding.end_byte):]


def _identifiers_by_name(file: PyFile, scope: ts.Node) -> dict[str, tuple[list[int], list[ts.Node]]]:
    """Every identifier of `scope`'s own frame by name, with their start bytes, in source order: one walk
    per scope, so asking for the reads after each of many bindings stays linear in the size of the scope."""
    def collect() -> dict[str, tuple[list[int], list[ts.Node]]]:
        found: dict[str, tuple[list[int], list[ts.Node]]] = {}
        stack = [scope]
        while stack:
            current = stack.pop()
            if current is not scope and current.type in NESTED_SCOPES:
                continue
            if current.type == "identifier":
                starts, nodes = found.setdefault(file.text_of(current), ([], []))
                starts.append(current.start_byte)
                nodes.append(current)
                continue
            stack.extend(reversed(current.children))
        return found
    return file.memo(("identifiers-by-name", scope.id), collect)


def declared_global(file: PyFile, function: ts.Node, name: str) -> bool:
    """True when `function` itself has a `global name` statement."""
    return any(name in [file.text_of(c) for c in statement.named_children]
               for statement in file.nodes_of_type("global_statement", within=function)
               if file.inside(statement, ("function_definition",)) == function)


# -- definitions ------------------------------------------------------------------

def parameter_defaults(file: PyFile, function: ts.Node) -> list[tuple[str, ts.Node, ts.Node]]:
    """(name, name node, default value) for every parameter of `function` that has a default."""
    parameters = function.child_by_field_name("parameters")
    found = []
    for param in parameters.named_children if parameters is not None else ():
        if param.type in ("default_parameter", "typed_default_parameter"):
            name = param.child_by_field_name("name")
            value = param.child_by_field_name("value")
            if name is not None and value is not None and name.type == "identifier":
                found.append((file.text_of(name), name, value))
    return found


def decorators_of(file: PyFile, function: ts.Node) -> list[str]:
    """Texts of the decorators of `function` (without `@`)."""
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    return [file.text_of(d).lstrip("@").strip() for d in parent.named_children if d.type == "decorator"]


def enclosing_class(file: PyFile, function: ts.Node) -> ts.Node | None:
    """The class whose body defines `function` directly."""
    parent = function.parent
    if parent is not None and parent.type == "decorated_definition":
        parent = parent.parent
    if parent is not None and parent.type == "block" and parent.parent is not None \
            and parent.parent.type == "class_definition":
        return parent.parent
    return None


def class_bases(file: PyFile, cls: ts.Node) -> list[str]:
    """Texts of the base classes of `cls` (keyword arguments such as `metaclass=` left out)."""
    superclasses = cls.child_by_field_name("superclasses")
    if superclasses is None:
        return []
    return [file.text_of(b) for b in superclasses.named_children if b.type != "keyword_argument"]
