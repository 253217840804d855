"""Qt-specific helpers: the declared type of a receiver, and how a QString is assembled."""

from __future__ import annotations

import re

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts
from secreview.rules.c import _flow
from secreview.rules.c._helpers import literal_text

_FORMATTING_METHODS = frozenset({"arg", "asprintf", "sprintf", "append", "prepend", "replace", "insert"})
_SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH|MERGE|PRAGMA)\b", re.I)


def receiver_type(file: CFile, receiver: ts.Node | None) -> str:
    """Declared type of `obj` in `obj.m()` / `obj->m()` / `this->obj->m()` when the file declares it, else ''."""
    receiver = strip_casts(receiver)
    if receiver is None:
        return ""
    if receiver.type == "identifier":
        variable = file.variable(receiver)
        if variable is None:
            variable = file.fields.get(file.text_of(receiver))
        return variable.type_text if variable is not None else ""
    if receiver.type == "field_expression":
        field = receiver.child_by_field_name("field")
        variable = file.fields.get(file.text_of(field)) if field is not None else None
        return variable.type_text if variable is not None else ""
    return ""


def pasted_value(file: CFile, node: ts.Node | None, at: ts.Node, hops: int = 0) -> ts.Node | None:
    """A non-constant value pasted into a string expression: `QString("..%1").arg(x)`, `"..." + x`,
    `QString::asprintf("%s", x)`, or a local variable last assigned (or appended to) such an expression."""
    node = strip_casts(node)
    if node is None or hops > 3 or literal_text(file, node) is not None:
        return None
    if node.type == "binary_expression" and file.text_of(node.child_by_field_name("operator")) == "+":
        for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
            inner = strip_casts(side)
            if inner is not None and literal_text(file, inner) is None:
                return pasted_value(file, inner, at, hops + 1) or inner
        return None
    call = file.call_of(node)
    if call is not None and (call.method in _FORMATTING_METHODS or call.name == "QString::asprintf"):
        for argument in call.args:
            if literal_text(file, argument) is None and not file.is_constant(argument):
                return argument
        return pasted_value(file, call.receiver, at, hops + 1) if call.receiver is not None else None
    if node.type == "identifier":
        return _pasted_into_variable(file, node, at, hops)
    return None


def _pasted_into_variable(file: CFile, node: ts.Node, at: ts.Node, hops: int) -> ts.Node | None:
    body = _flow.body_of(file, at)
    if body is None:
        return None
    name = file.text_of(node)
    for bound, value in _flow.bindings(file, body, name):
        if bound.start_byte < at.start_byte:
            found = pasted_value(file, value, bound, hops + 1)
            if found is not None:
                return found
    for assignment in file.nodes_of_type("assignment_expression", within=body):
        if assignment.start_byte < at.start_byte and file.text_of(assignment.child_by_field_name("operator")) == "+=" \
                and file.text_of(assignment.child_by_field_name("left")) == name:
            right = assignment.child_by_field_name("right")
            if literal_text(file, right) is None:
                return pasted_value(file, right, assignment, hops + 1) or right
    return None


def looks_like_sql(file: CFile, node: ts.Node | None, at: ts.Node, hops: int = 0) -> bool:
    """The string expression (or the variable holding it) starts with an SQL keyword literal."""
    node = strip_casts(node)
    if node is None or hops > 3:
        return False
    text = literal_text(file, node)
    if text is not None:
        return bool(_SQL_START.match(text))
    if node.type == "binary_expression":
        return looks_like_sql(file, node.child_by_field_name("left"), at, hops + 1)
    call = file.call_of(node)
    if call is not None:
        if call.receiver is not None:
            return looks_like_sql(file, call.receiver, at, hops + 1)
        return any(looks_like_sql(file, a, at, hops + 1) for a in call.args[:1])
    if node.type == "identifier":
        body = _flow.body_of(file, at)
        return body is not None and any(
            looks_like_sql(file, value, bound, hops + 1)
            for bound, value in _flow.bindings(file, body, file.text_of(node)) if bound.start_byte < at.start_byte)
    return False
