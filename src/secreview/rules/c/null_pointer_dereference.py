"""Pointer set to NULL and then dereferenced.

## What it does
Flags dereferences (`*p`, `p[i]`, `p->f`, or passing `p` to `strcpy`,
`memcpy`, `fprintf`...) of a local pointer whose latest assignment is NULL,
when that assignment always runs before the use and nothing reassigns or
tests the pointer in between.

## Why is this bad?
Dereferencing NULL is undefined behaviour; in practice the process crashes
(a denial of service whenever the path can be triggered). The optimiser may
also assume the pointer is non-null and delete later checks, and in kernels
or embedded code address zero can be mapped, turning the bug into arbitrary
reads and writes (CWE-476).

## Example
```c
#include <string.h>

void label(const char *text) {
    char *name = NULL;
    strcpy(name, text);
}
```

## Use instead
```c
#include <string.h>

void label(const char *text) {
    char name[64];
    strncpy(name, text, sizeof name - 1);
    name[sizeof name - 1] = '\0';
}
```

## References
- https://cwe.mitre.org/data/definitions/476.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP34-C.+Do+not+dereference+null+pointers
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family import CFile, is_written
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import _flow
from secreview.rules.c._helpers import CRule
from secreview.rules.c._lifetime import is_dereference


class NullPointerDereference(CRule):
    id = "null-pointer-dereference"
    cwe = 476
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{name}` is dereferenced while it is NULL (set on line {null_line})"
    description = (
        "`{name}` is set to NULL on line {null_line} and nothing assigns or tests it before `{code}` "
        "dereferences it. The access faults and crashes the process whenever this path runs; compilers may "
        "also drop later NULL checks on the assumption that the pointer is valid."
    )
    solution = "Point `{name}` at valid memory before this use, or test it (`if ({name} != NULL)`) and handle the NULL case."

    def check(self, file: CFile) -> Iterator[Hit]:
        for function in file.nodes_of_type("function_definition"):
            body = function.child_by_field_name("body")
            if body is None or function.has_error:
                continue
            for name, variable in file.variables_in(function).items():
                if variable.pointer_depth == 0 or variable.is_parameter:
                    continue
                yield from self._null_uses(file, body, name)

    def _null_uses(self, file: CFile, body, name: str) -> Iterator[Hit]:
        for identifier, value in _flow.bindings(file, body, name):
            if not file.is_null(value):
                continue
            for use in _flow.occurrences(file, body, name):
                if use.start_byte <= identifier.end_byte:
                    continue
                if _flow.written_between(file, body, name, identifier, use) or is_written(use):
                    break
                if _flow.is_tested(file, use):
                    break
                if is_dereference(file, use) and _flow.runs_before(file, identifier, use):
                    yield Hit(use.parent, {"name": name, "null_line": str(identifier.start_point[0] + 1)})
                    break
