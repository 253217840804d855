"""Allocation sizes: where they are computed, and from what."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts

_SIZE_ARGUMENTS = {"malloc": (0,), "alloca": (0,), "_alloca": (0,), "realloc": (1,), "calloc": (0, 1),
                   "g_malloc": (0,), "xmalloc": (0,), "VirtualAlloc": (1,), "HeapAlloc": (2,)}


@dataclass(frozen=True)
class AllocationSize:
    anchor: ts.Node  # the call or new expression
    size: ts.Node
    allocator: str


def allocation_sizes(file: CFile) -> Iterator[AllocationSize]:
    for call in file.calls_to(*_SIZE_ARGUMENTS):
        for index in _SIZE_ARGUMENTS[call.method or ""]:
            size = call.arg(index)
            if size is not None:
                yield AllocationSize(call.node, size, call.method or "")
    if file.language == "cpp":
        for node in file.nodes_of_type("new_expression"):
            declarator = node.child_by_field_name("declarator")
            length = declarator.child_by_field_name("length") if declarator is not None else None
            if length is not None:
                yield AllocationSize(node, length, "new[]")


def arithmetic_operands(file: CFile, size: ts.Node) -> Iterator[tuple[ts.Node, str]]:
    """(operand, operator) for the operands of `*`, `+` and `<<` in a size expression."""
    size = strip_casts(size)
    if size is None or size.type != "binary_expression":
        return
    operator = file.text_of(size.child_by_field_name("operator"))
    for side in (size.child_by_field_name("left"), size.child_by_field_name("right")):
        inner = strip_casts(side)
        if inner is not None and inner.type == "binary_expression":
            yield from arithmetic_operands(file, inner)
        elif inner is not None and operator in ("*", "+", "<<"):
            yield inner, operator
