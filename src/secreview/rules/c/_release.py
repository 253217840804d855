"""Uses of a pointer after it was released in the same function (use after free, double free)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts
from secreview.rules.c import _flow
from secreview.rules.c._lifetime import HEAP, READING_NAME, is_dereference, is_release_argument

_RELEASERS = frozenset({"free", "g_free", "kfree", "cfree"})


@dataclass(frozen=True)
class Release:
    node: ts.Node  # the free call or delete expression
    pointer: ts.Node  # the identifier released
    name: str
    body: ts.Node


def released_pointers(file: CFile) -> Iterator[Release]:
    """`free(p)` and `delete p` / `delete[] p` on a plain variable, in source order."""
    found: list[tuple[ts.Node, ts.Node | None]] = [(c.node, c.arg(0)) for c in file.calls_to(*_RELEASERS)]
    if file.language == "cpp":
        found += [(n, n.named_children[-1] if n.named_children else None)
                  for n in file.nodes_of_type("delete_expression")]
    for node, argument in sorted(found, key=lambda item: item[0].start_byte):
        pointer = strip_casts(argument)
        body = _flow.body_of(file, node)
        if pointer is not None and pointer.type == "identifier" and file.text_of(pointer) and body is not None:
            yield Release(node, pointer, file.text_of(pointer), body)


def uses_after(file: CFile, release: Release) -> Iterator[tuple[ts.Node, bool]]:
    """(occurrence, is_release) of the pointer that surely run after the release with no reassignment between."""
    variable = file.variable(release.pointer)
    for node in _flow.occurrences(file, release.body, release.name):
        if node.start_byte <= release.node.end_byte:
            continue
        if file.variable(node) != variable:
            continue  # a different variable of the same name in an inner block
        if _flow.written_between(file, release.body, release.name, release.node, node) or _is_write(node):
            return
        if not _flow.runs_before(file, release.node, node):
            continue
        if _flow.is_tested(file, node) or _in_sizeof(node):
            continue  # comparing the stale value or measuring its type reads no freed memory
        released_again = is_release_argument(file, node, HEAP)
        if released_again or reads_memory(file, node):
            yield node, released_again


def reads_memory(file: CFile, node: ts.Node) -> bool:
    """The occurrence touches the pointed-to memory: a dereference, or handing the pointer to a call
    (which may dereference it).  Copying the pointer value itself (`q = p`) touches nothing."""
    if is_dereference(file, node):
        return True
    current, parent = node, node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression"):
        current, parent = parent, parent.parent
    if parent is not None and parent.type == "field_expression":
        return parent.child_by_field_name("argument") == current
    if parent is None or parent.type != "argument_list" or parent.parent is None:
        return False
    call = file.call_of(parent.parent)  # a call that, by its name, reads what it is given (printLine, log_msg)
    return call is not None and bool(READING_NAME.match(call.method or ""))


def _is_write(node: ts.Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == node


def _in_sizeof(node: ts.Node) -> bool:
    return any(a.type == "sizeof_expression" for a in CFile.ancestors(node))
