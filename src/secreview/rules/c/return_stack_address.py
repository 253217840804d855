"""Function returns the address of its own local variable.

## What it does
Flags `return buf;` where `buf` is a local (non-`static`) array, and
`return &x;` where `x` is a local (non-`static`) variable or parameter.

## Why is this bad?
Locals live in the function's stack frame, which is released the moment the
function returns. The caller receives a pointer to memory that the next call
reuses: reads return garbage or other functions' data, writes corrupt live
stack frames (CWE-562). Such bugs often pass tests and fail later, under
attacker-chosen call sequences.

## Example
```c
#include <stdio.h>

char *format_id(int id) {
    char text[16];
    snprintf(text, sizeof text, "id-%d", id);
    return text;
}
```

## Use instead
```c
#include <stdio.h>

char *format_id(int id, char *text, size_t size) {
    snprintf(text, size, "id-%d", id);
    return text;
}
```

## References
- https://cwe.mitre.org/data/definitions/562.html
- https://wiki.sei.cmu.edu/confluence/display/c/DCL30-C.+Declare+objects+with+appropriate+storage+durations
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, Variable, strip_casts
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class ReturnStackAddress(CRule):
    id = "return-stack-address"
    cwe = 562
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "Function returns the address of local `{name}`"
    description = (
        "`{code}` hands the caller a pointer into this function's stack frame (`{name}` is a local "
        "variable). The frame is released on return and reused by the next call, so the caller reads "
        "garbage or other functions' data, and any write through the pointer corrupts live stack frames."
    )
    solution = (
        "Let the caller provide the buffer (pass a pointer and a size), allocate the result with malloc "
        "(and document that the caller frees it), or make `{name}` static if a shared buffer is acceptable."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for ret in file.nodes_of_type("return_statement"):
            function = file.enclosing_function(ret)
            if function is None or function.has_error:
                continue
            value = strip_casts(ret.named_children[0]) if ret.named_children else None
            variable = self._local_address(file, value)
            if variable is not None and file.enclosing_function(variable.declaration) == function \
                    and _returns_an_address(file, function):
                yield Hit(ret, {"name": variable.name})

    def _local_address(self, file: CFile, value: ts.Node | None) -> Variable | None:
        if value is None:
            return None
        if value.type == "identifier":
            variable = file.variable(value)
            return variable if variable is not None and self._on_stack(file, variable) and variable.is_array \
                else None
        if value.type == "pointer_expression" and file.text_of(value.child_by_field_name("operator")) == "&":
            target = strip_casts(value.child_by_field_name("argument"))
            variable = file.variable(target) if target is not None and target.type == "identifier" else None
            if variable is not None and self._on_stack(file, variable) and "&" not in file.text_of(variable.declarator):
                return variable
        return None

    @staticmethod
    def _on_stack(file: CFile, variable: Variable) -> bool:
        return not variable.is_static and file.enclosing_function(variable.declaration) is not None


def _returns_an_address(file: CFile, function: ts.Node) -> bool:
    """Whether the function returns a pointer or reference: a C++ function returning `std::string` (or any
    object) copies a local array into the result (`char s[] = "x"; return s;`), which is safe."""
    if file.language != "cpp" or function.type != "function_definition":
        return True
    declarator = function.child_by_field_name("declarator")
    if declarator is not None and declarator.type in ("pointer_declarator", "reference_declarator"):
        return True
    kind = function.child_by_field_name("type")
    text = file.text_of(kind) if kind is not None else ""
    return text in ("auto", "decltype(auto)") or text.endswith("*")
