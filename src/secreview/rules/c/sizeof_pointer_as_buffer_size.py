"""`sizeof` of a pointer used as the size of the buffer it points to.

## What it does
Flags `memset`, `memcpy`, `memmove`, `strncpy`, `snprintf`, `fgets`, `read`,
`malloc` and similar calls whose size argument is `sizeof p` where `p` is a
pointer (a pointer variable or an array parameter, which C turns into a
pointer), not an array.

## Why is this bad?
`sizeof p` is the size of the pointer (8 bytes on 64-bit targets), not of the
memory it points to. Copies and reads are cut to 8 bytes or, for small
buffers, overrun them; `malloc(sizeof p)` allocates 8 bytes for an object
that is usually larger, so every later write to it overflows the heap
(CWE-467).

## Example
```c
#include <string.h>

void reset(char *buffer) {
    memset(buffer, 0, sizeof(buffer));
}
```

## Use instead
```c
#include <string.h>

void reset(char *buffer, size_t size) {
    memset(buffer, 0, size);
}
```

## References
- https://cwe.mitre.org/data/definitions/467.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR01-C.+Do+not+apply+the+sizeof+operator+to+a+pointer+when+taking+the+size+of+an+array
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family.expressions import same_expression
from secreview.lang.c_family.file import Call, CFile, Variable, strip_casts
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule

# function -> index of the size argument
_SIZE_INDEX = {"memset": 2, "memcpy": 2, "memmove": 2, "strncpy": 2, "strncat": 2, "snprintf": 1,
               "vsnprintf": 1, "fgets": 1, "read": 2, "recv": 2, "write": 2, "send": 2, "bzero": 1,
               "explicit_bzero": 1, "malloc": 0, "memcmp": 2, "strncmp": 2, "fread": 1, "fwrite": 1}
_BUFFER_INDEX = {"read": 1, "recv": 1, "write": 1, "send": 1, "fread": 0, "fwrite": 0}


class SizeofPointerAsBufferSize(CCallRule):
    id = "sizeof-pointer-as-buffer-size"
    cwe = 467
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    callees = tuple(_SIZE_INDEX)
    message = "`{size}` is the size of a pointer, not of the buffer `{pointer}` points to"
    description = (
        "`{code}` passes `{size}` as a buffer size, but `{pointer}` is a pointer, so `{size}` is the size of "
        "the pointer itself (8 bytes on 64-bit systems) whatever the buffer's real size. The call then "
        "handles the wrong amount of memory: too little (truncated data, half-initialised buffers) or, for "
        "small buffers and for allocations, too much, which overflows them."
    )
    solution = (
        "Pass the real size of the buffer (the length it was allocated with, or a `size` parameter), or "
        "`sizeof *{pointer}` when allocating one object."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        name = call.method or ""
        size = call.arg(_SIZE_INDEX[name])
        operand = file.sizeof_operand(size)
        variable = _declared(file, operand)
        if operand is None or variable is None or not variable.is_pointer:
            return None
        if name != "malloc":
            buffer = call.arg(_BUFFER_INDEX.get(name, 0))
            if not same_expression(file, buffer, operand):
                return None
        elif not self._allocates_for(file, call, operand):
            return None
        return {"size": shorten(file.text_of(size)), "pointer": file.text_of(operand)}

    def _allocates_for(self, file: CFile, call: Call, pointer) -> bool:
        """`p = malloc(sizeof p)`: the allocation is stored in the pointer it measures."""
        parent = call.node.parent
        while parent is not None and parent.type in ("cast_expression", "parenthesized_expression"):
            parent = parent.parent
        if parent is None:
            return False
        if parent.type == "assignment_expression":
            return same_expression(file, parent.child_by_field_name("left"), pointer)
        if parent.type == "init_declarator":
            return file.text_of(pointer) in file.text_of(parent.child_by_field_name("declarator"))
        return False


def _declared(file: CFile, node: ts.Node | None) -> Variable | None:
    """The declaration of a plain identifier expression (after casts), else None."""
    node = strip_casts(node)
    return file.variable(node) if node is not None and node.type == "identifier" else None
