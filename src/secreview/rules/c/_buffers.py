"""How big is a buffer, and how much can a copy put into it?

Local reasoning only: an array's size comes from its declaration; a
pointer's from the latest assignment before the use in the same function
(`p = buf`, `p = malloc(64)`, `p = alloca(n)`, `p = new char[32]`).  A string
source is bounded by the array that holds it (a terminated string in a
`char s[11]` is at most 11 bytes with its terminator) or by its literal.
Unknown stays unknown (None): rules then fall back to their cautious form.
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family import PRIMITIVE_SIZES, CFile, strip_casts
from secreview.rules.c import _flow
from secreview.rules.c._helpers import buffer_variable, int_value

STACK_ALLOCATORS = frozenset({"alloca", "_alloca", "__builtin_alloca", "_malloca"})
HEAP_ALLOCATORS = frozenset({"malloc", "realloc", "g_malloc", "kmalloc"})
_MAX_HOPS = 4


def capacity_of(file: CFile, node: ts.Node | None, at: ts.Node, _hops: int = 0) -> int | None:
    """Bytes the buffer `node` points to or is, when known from local declarations and assignments."""
    node = strip_casts(node)
    if node is None or _hops > _MAX_HOPS:
        return None
    variable = buffer_variable(file, node)
    if variable is not None and variable.is_array:
        size = file.byte_size(variable)
        return size if isinstance(size, int) else None
    if node.type == "identifier" and variable is not None and variable.is_pointer:
        value = _latest_value(file, node, at)
        return _capacity_of_value(file, value, at, _hops + 1) if value is not None else None
    return None


def _latest_value(file: CFile, identifier: ts.Node, at: ts.Node) -> ts.Node | None:
    body = _flow.body_of(file, identifier)
    if body is None:
        return None
    name = file.text_of(identifier)
    latest = None
    for bound, value in _flow.bindings(file, body, name):
        if bound.start_byte < at.start_byte:
            latest = (bound, value)
    if latest is None or _flow.written_between(file, body, name, latest[0], at) and \
            not _only_rebinding(file, body, name, latest[0], at):
        return None
    # a binding made in a branch that may not have run says nothing certain
    return latest[1] if _flow.runs_before(file, latest[0], at) else None


def _only_rebinding(file: CFile, body: ts.Node, name: str, bound: ts.Node, at: ts.Node) -> bool:
    return all(n == bound for n in _flow.occurrences_between(file, body, name, bound, at)
               if _flow.assigned_value(n) is not None)


def _capacity_of_value(file: CFile, value: ts.Node, at: ts.Node, hops: int) -> int | None:
    value = strip_casts(value)
    if value is None:
        return None
    if value.type == "identifier":
        return capacity_of(file, value, at, hops)
    if value.type == "new_expression":
        declarator = value.child_by_field_name("declarator")
        length = int_value(file, declarator.child_by_field_name("length")) if declarator is not None else None
        element = _element_size(file, value)
        return length * element if length is not None and element is not None else None
    call = file.call_of(value)
    if call is None or call.name is None:
        return None
    if call.method in STACK_ALLOCATORS or call.method in HEAP_ALLOCATORS:
        return int_value(file, call.args[-1] if call.args else None)
    if call.method == "calloc" and len(call.args) == 2:
        count, size = int_value(file, call.args[0]), int_value(file, call.args[1])
        return count * size if count is not None and size is not None else None
    return None


def _element_size(file: CFile, new_expression: ts.Node) -> int | None:
    """Size of the element type of `new T[n]` when T is a primitive type."""
    type_node = new_expression.child_by_field_name("type")
    return PRIMITIVE_SIZES.get(" ".join(file.text_of(type_node).split())) if type_node is not None else None


def string_bound(file: CFile, node: ts.Node | None, at: ts.Node) -> int | None:
    """Most bytes (terminator included) a string copied from `node` can occupy."""
    node = strip_casts(node)
    if node is None:
        return None
    text = file.string_value(node)
    if isinstance(text, str):
        return len(text.encode("utf-8")) + 1
    return capacity_of(file, node, at)
