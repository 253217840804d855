"""Local variable read before anything was assigned to it.

## What it does
Flags the first occurrence of a local scalar or pointer variable declared
without an initialiser when that occurrence reads it: nothing earlier in the
function assigns it, passes its address (`&x`) to be filled, or measures it
with `sizeof`. Assignments made only in some branches count as assignments
(the rule stays quiet), so what it reports is read on every path.

## Why is this bad?
An uninitialised local holds whatever an earlier call left in that stack slot.
Its value is unpredictable and sometimes attacker-influenced (they shaped the
earlier call's data): a length, an index or a pointer taken from it leads to
out-of-bounds accesses or writes to chosen addresses, and printing it leaks
old stack contents (CWE-457).

## Example
```c
#include <stdio.h>

void report(int verbose) {
    int count;
    printf("%d items\n", count);
}
```

## Use instead
```c
#include <stdio.h>

void report(int verbose) {
    int count = 0;
    printf("%d items\n", count);
}
```

## References
- https://cwe.mitre.org/data/definitions/457.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP33-C.+Do+not+read+uninitialized+memory
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.file import PRIMITIVE_SIZES, CFile, Variable, is_address_taken
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule

_SCALAR_WORDS = frozenset({"int", "long", "short", "char", "float", "double", "unsigned", "signed", "size_t",
                           "ssize_t", "bool", "_Bool", "wchar_t"})


class UninitializedVariableUse(CRule):
    id = "uninitialized-variable-use"
    cwe = 457
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{name}` is read before any value was assigned to it"
    description = (
        "`{name}` is declared on line {declared_line} without an initial value, and `{code}` reads it before "
        "anything assigns it. It holds whatever an earlier call left in that stack slot: unpredictable and "
        "sometimes shaped by an attacker, so lengths, indices or pointers derived from it go astray and "
        "printing it leaks old stack data."
    )
    solution = "Initialise `{name}` where it is declared (e.g. `= 0` or `= NULL`), or assign it on every path before this use."

    def check(self, file: CFile) -> Iterator[Hit]:
        for function in file.nodes_of_type("function_definition"):
            if function.has_error:
                continue  # unreadable macros may hide the assignment
            for variable in file.variables_in(function).values():
                if not self._candidate(file, variable):
                    continue
                first = self._first_occurrence(file, function, variable)
                if first is not None and self._is_read(first, file.language == "cpp"):
                    yield Hit(first.parent if first.parent is not None else first, {
                        "name": variable.name, "declared_line": str(variable.identifier.start_point[0] + 1)})

    @staticmethod
    def _candidate(file: CFile, variable: Variable) -> bool:
        if variable.is_parameter or variable.is_static or variable.initializer is not None or variable.is_array:
            return False
        if variable.declaration.type != "declaration" or "extern" in file.text_of(variable.declaration).split():
            return False
        scalar = variable.type_text in PRIMITIVE_SIZES or set(variable.type_text.split()) <= _SCALAR_WORDS
        return variable.pointer_depth > 0 or scalar

    @staticmethod
    def _first_occurrence(file: CFile, function: ts.Node, variable: Variable) -> ts.Node | None:
        body = function.child_by_field_name("body")
        if body is None:
            return None
        later = [n for n in flow.occurrences(file, body, variable.name)
                 if n.start_byte > variable.identifier.end_byte and file.variable(n) == variable
                 and not _in_macro_definition(n)]
        if later and _in_loop_update(later[0]):
            return None  # `for (...; ...; e = next)`: the update runs after the body, which may assign it
        return later[0] if later else None

    @staticmethod
    def _is_read(node: ts.Node, in_cpp: bool) -> bool:
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
        return True


def _in_loop_update(node: ts.Node) -> bool:
    return any(a.parent is not None and a.parent.type == "for_statement" and
               a.parent.child_by_field_name("update") == a for a in CFile.ancestors(node))


def _in_macro_definition(node: ts.Node) -> bool:
    return any(a.type in ("preproc_function_def", "preproc_def", "preproc_params", "preproc_call")
               for a in CFile.ancestors(node))


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
