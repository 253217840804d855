"""`strncpy()` that fills the whole buffer and leaves it without a terminating NUL.

## What it does
Flags `strncpy` / `wcsncpy` calls whose count is the full size of the
destination array (`sizeof buf`, or its declared length) when the function
does not afterwards write a NUL into the destination (`buf[sizeof buf - 1] =
'\0'`).

## Why is this bad?
When the source is at least as long as the count, `strncpy` copies exactly
`count` characters and adds no terminator. The buffer then is not a string:
the next `strlen`, `printf("%s")` or `strcpy` on it reads (or copies) past
its end into whatever follows, leaking memory contents or overflowing
another buffer (CWE-170).

## Example
```c
#include <string.h>

void set_host(char *out, const char *host) {
    char name[64];
    strncpy(name, host, sizeof(name));
    strcpy(out, name);
}
```

## Use instead
```c
#include <string.h>

void set_host(char *out, const char *host) {
    char name[64];
    strncpy(name, host, sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    strcpy(out, name);
}
```

## References
- https://cwe.mitre.org/data/definitions/170.html
- https://wiki.sei.cmu.edu/confluence/display/c/STR32-C.+Do+not+pass+a+non-null-terminated+character+sequence+to+a+library+function+that+expects+a+string
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.buffers import buffer_variable
from secreview.lang.c_family.expressions import int_value, same_expression
from secreview.lang.c_family.file import NOT_CONSTANT, Call, CFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule


class StrncpyWithoutTermination(CCallRule):
    id = "strncpy-without-termination"
    cwe = 170
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = ("strncpy", "wcsncpy", "_tcsncpy")
    message = "`{callee}` may fill `{destination}` completely and leave it unterminated"
    description = (
        "`{code}` copies up to the full size of `{destination}`, and strncpy adds no NUL when the source is at "
        "least that long. Nothing after the call terminates `{destination}`, so a long input leaves a "
        "character array without terminator: the next string function reading it runs past its end, "
        "disclosing adjacent memory or overflowing the buffer it copies into."
    )
    solution = (
        "Copy one character less and terminate explicitly: `{callee}({destination}, src, sizeof "
        "{destination} - 1); {destination}[sizeof {destination} - 1] = '\\0';` (or use `snprintf`/`strlcpy`)."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        destination, count = call.arg(0), call.arg(2)
        variable = buffer_variable(file, destination)
        if variable is None or not variable.is_array or count is None:
            return None
        if not self._fills_buffer(file, destination, count):
            return None
        if self._terminated_after(file, call, destination):
            return None
        return {"destination": shorten(file.text_of(destination))}

    def _fills_buffer(self, file: CFile, destination: ts.Node, count: ts.Node) -> bool:
        operand = file.sizeof_operand(count)
        if operand is not None and same_expression(file, operand, destination):
            return True
        value = int_value(file, count)
        return value is not None and value in _capacities(file, destination)

    def _terminated_after(self, file: CFile, call: Call, destination: ts.Node) -> bool:
        body = flow.body_of(file, call.node)
        if body is None:
            return True
        for node in file.nodes_of_type("assignment_expression", within=body):
            if node.start_byte < call.node.end_byte:
                continue
            left = node.child_by_field_name("left")
            if left is not None and left.type == "subscript_expression" and \
                    same_expression(file, left.child_by_field_name("argument"), destination) and \
                    file.constant_value(node.child_by_field_name("right")) == 0:
                return True
        return False


def _capacities(file: CFile, destination: ts.Node) -> tuple[object, object]:
    """(elements, bytes) of the fixed-size array `destination` names (NOT_CONSTANT when unknown)."""
    variable = buffer_variable(file, destination)
    if variable is None or not variable.is_array:
        return NOT_CONSTANT, NOT_CONSTANT
    return file.array_length(variable), file.byte_size(variable)
