"""Locals declared without a value, and which occurrences of a name read its value.

Shared by the syntactic check of `uninitialized-variable-use` and the value-flow
engine, which follows such a variable until something assigns it.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from secreview.lang.c_family.file import PRIMITIVE_SIZES, CFile, Variable, is_address_taken

_SCALAR_WORDS = frozenset({"int", "long", "short", "char", "float", "double", "unsigned", "signed", "size_t",
                           "ssize_t", "bool", "_Bool", "wchar_t"})


def declared_without_value(file: CFile, variable: Variable) -> bool:
    """A local scalar or pointer declared without an initialiser (not static, extern or an array)."""
    if variable.is_parameter or variable.is_static or variable.initializer is not None or variable.is_array:
        return False
    if variable.declaration.type != "declaration" or "extern" in file.text_of(variable.declaration).split():
        return False
    if variable.declaration.child_by_field_name("value") is not None:
        return False  # `if (const int n = count())`: a declaration in a condition has its value
    scalar = variable.type_text in PRIMITIVE_SIZES or set(variable.type_text.split()) <= _SCALAR_WORDS
    return variable.pointer_depth > 0 or scalar


def reads_value(node: ts.Node, in_cpp: bool) -> bool:
    """Whether this occurrence of a name reads the variable's value (not `&x`, `sizeof x`, `x = ...`, an asm
    operand, a reference bound to it, `stream >> x`, or, in C++, an argument the callee may fill)."""
    parent = node.parent
    if parent is None or is_address_taken(node) or _cast_address_of(node):
        return False
    if any(a.type.startswith("gnu_asm") for a in CFile.ancestors(node)):
        return False  # an asm operand: its output constraint may write it
    if any(a.type in ("sizeof_expression", "alignof_expression", "decltype") for a in CFile.ancestors(node)):
        return False
    if parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
        return file_operator(parent) != "="
    binding = parent
    while binding is not None and binding.type in ("conditional_expression", "parenthesized_expression"):
        binding = binding.parent  # `T &r = cond ? a : x;`
    if binding is not None and binding.type == "init_declarator" and \
            _declares_reference(binding.child_by_field_name("declarator")):
        return False  # `T &alias = x` binds a name, it reads nothing
    if in_cpp and parent.type == "binary_expression" and parent.child_by_field_name("right") == node and \
            file_operator(parent) == ">>":
        return False  # `stream >> x` fills x
    if parent.type == "argument_list" and in_cpp:
        return False  # a C++ argument may be a reference parameter the callee fills
    if parent.type == "argument_list" and _macro_like_call(parent.parent):
        return False  # `GET_LENGTH(p, len)`: a macro may assign what it is given
    return True


def _macro_like_call(call: ts.Node | None) -> bool:
    """A call spelled like a macro (`FETCH(x, sp)`, all capitals), which may assign its arguments."""
    function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return function is not None and function.type == "identifier" and \
        re.fullmatch(rb"[A-Z][A-Z0-9_]*", function.text or b"") is not None


def _cast_address_of(node: ts.Node) -> bool:
    """`(type_t)&x` where the parser, not knowing `type_t`, read `(type_t) & x` as a bitwise and."""
    parent = node.parent
    if parent is None or parent.type != "binary_expression" or parent.child_by_field_name("right") != node:
        return False
    operator = parent.child_by_field_name("operator")
    left = parent.child_by_field_name("left")
    return operator is not None and operator.type == "&" and left is not None and \
        left.type == "parenthesized_expression" and left.named_child_count == 1 and \
        left.named_children[0].type == "identifier"


def _declares_reference(declarator: ts.Node | None) -> bool:
    while declarator is not None:
        if declarator.type == "reference_declarator":
            return True
        declarator = declarator.child_by_field_name("declarator") or (
            declarator.named_children[0] if declarator.type == "pointer_declarator" and declarator.named_children
            else None)
    return False


def file_operator(assignment: ts.Node) -> str:
    operator = assignment.child_by_field_name("operator")
    return operator.type if operator is not None else "="
