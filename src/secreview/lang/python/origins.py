"""Where a value came from: the earlier bindings of a local name and the call that built an object.

`tar = tarfile.open(...)` and `with tarfile.open(...) as tar` both make
`tarfile.open` the origin of `tar`; `s = requests.Session()` makes `s` a
receiver bound to that constructor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.syntax import unwrap


def call_of(file: PyFile, node: ts.Node | None) -> Call | None:
    """The `Call` of an expression that is a call (inside any parentheses), else None."""
    node = unwrap(node)
    if node is None or node.type != "call":
        return None
    return file.call_at(node)


@dataclass(frozen=True)
class Binding:
    """One earlier binding of a local name: `value` is the bound expression for
    ``name = value`` and ``with value as name``, the statement itself for
    ``name += value`` (`augmented`), and None for bindings whose value is not
    a single expression (tuple unpacking, for loops, ...)."""

    statement: ts.Node
    value: ts.Node | None
    augmented: bool = False


def local_bindings(file: PyFile, node: ts.Node) -> list[Binding]:
    """Bindings of identifier `node` earlier in its own scope, latest first."""
    found: list[Binding] = []
    for statement, identifier in file.bindings_before(node):
        if statement.type == "augmented_assignment":
            found.append(Binding(statement, statement.child_by_field_name("right"), augmented=True))
        elif statement.type == "as_pattern" and statement.parent is not None \
                and statement.parent.type == "with_item" and statement.named_children:
            found.append(Binding(statement, statement.named_children[0]))
        else:
            found.append(Binding(statement, file.bound_value(statement, identifier)))
    return sorted(found, key=lambda b: b.statement.start_byte, reverse=True)


def origin_call(file: PyFile, node: ts.Node | None) -> Call | None:
    """The call that produced `node`: the node itself, or the latest local binding of a name."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "call":
        return call_of(file, node)
    if node.type == "identifier" and not file.is_parameter(file.text_of(node), file.enclosing_scope(node)):
        for binding in local_bindings(file, node):
            if not binding.augmented:
                return call_of(file, binding.value)
    return None


def binding_values(file: PyFile, ident: ts.Node) -> list[ts.Node | None] | None:
    """The values every binding that can reach the name `ident` binds (None: not a plain `x = v`).

    Same reach as `PyFile.constant_value`: earlier bindings in the name's own
    scope, else every binding in the nearest enclosing function or module that
    binds it.  Returns None when the name is a parameter or unbound.
    """
    bindings = file.reaching_bindings(ident)
    if not bindings:
        return None
    return [file.bound_value(binding, identifier) for binding, identifier in bindings]


def bound_receivers(file: PyFile, constructors: Iterable[str]) -> set[str]:
    """Texts of names/attributes bound to a call of one of `constructors`.

    `s = requests.Session()`, `self.http = requests.Session()` and
    `with requests.Session() as s:` give {"s", "self.http"}.
    """
    found: set[str] = set()
    for call in file.calls_to(*constructors):
        parent = call.node.parent
        if parent is None:
            continue
        if parent.type == "assignment" and parent.child_by_field_name("right") == call.node:
            left = parent.child_by_field_name("left")
            if left is not None and left.type in ("identifier", "attribute"):
                found.add(file.text_of(left))
        elif parent.type == "as_pattern":
            alias = parent.child_by_field_name("alias")
            if alias is not None:
                found.add(file.text_of(alias).strip())
    return found
