"""`free()` of memory that did not come from the heap.

## What it does
Flags `free(p)` (and, in C++, `delete p` / `delete[] p`) where `p` is a local (non-static) or global array, the address
of a variable (`&x`), a string literal, or a local pointer whose latest
assignment in the function made it point to one of those or to `alloca`
memory. A name the function declares twice with different shapes (a
pointer in one preprocessor configuration, an array in another) is left
alone: which one `free` sees depends on the build.

## Why is this bad?
`free` assumes its argument came from `malloc` and reads the allocator's
bookkeeping just before it. For stack or static memory that bookkeeping is
whatever bytes happen to be there: the allocator's state gets corrupted,
which crashes the program or, with attacker-influenced stack contents, lets
them steer later allocations onto memory of their choice (CWE-590).

## Example
```c
#include <stdlib.h>
#include <string.h>

void reset(const char *input) {
    char name[32];
    char *current = name;
    strncpy(current, input, sizeof name - 1);
    free(current);
}
```

## Use instead
```c
#include <stdlib.h>
#include <string.h>

void reset(const char *input) {
    char *current = malloc(32);
    if (current == NULL)
        return;
    strncpy(current, input, 31);
    current[31] = '\0';
    free(current);
}
```

## References
- https://cwe.mitre.org/data/definitions/590.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM34-C.+Only+free+memory+allocated+dynamically
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.buffers import STACK_ALLOCATORS
from secreview.lang.c_family.file import Call, CFile, Variable, strip_casts
from secreview.lang.c_family.lifetime import is_reference
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CCallRule

_MAX_HOPS = 4


class FreeOfNonHeapMemory(CCallRule):
    id = "free-of-non-heap-memory"
    cwe = 590
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = ("free", "g_free", "cfree")
    message = "`{callee}` releases {what}, which was never allocated on the heap"
    description = (
        "`{code}` passes {what} to the heap allocator. That memory lives on the stack or in static storage, "
        "so the allocator reads its bookkeeping from unrelated bytes: heap state is corrupted, the program "
        "may crash at once or later, and attackers who influence those bytes can steer future allocations."
    )
    solution = (
        "Only free what malloc/calloc/realloc/strdup returned; drop this call for stack or static buffers, "
        "or allocate the buffer with malloc if it must outlive the function."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        what = self._non_heap(file, call.arg(0), call.node, 0)
        return {"what": what} if what is not None else None

    def check(self, file: CFile) -> Iterator[Hit]:
        yield from super().check(file)
        for node in file.nodes_of_type("delete_expression") if file.language == "cpp" else ():
            operand = node.named_children[-1] if node.named_children else None
            what = self._non_heap(file, operand, node, 0)
            if what is not None:
                callee = "delete[]" if "[" in file.data[node.start_byte:operand.start_byte].decode() else "delete"
                yield Hit(node, {"callee": callee, "what": what})

    def _non_heap(self, file: CFile, node: ts.Node | None, at: ts.Node, hops: int) -> str | None:
        node = strip_casts(node)
        if node is None or hops > _MAX_HOPS:
            return None
        if node.type in ("string_literal", "concatenated_string"):
            return "a string literal"
        if node.type == "pointer_expression" and file.text_of(node.child_by_field_name("operator")) == "&":
            target = strip_casts(node.child_by_field_name("argument"))
            variable = file.variable(target) if target is not None and target.type == "identifier" else None
            if variable is None or variable.is_parameter or is_reference(file, variable):
                return None  # `&ref` / `&f()` may well be the address of a heap object
            return f"the address of `{shorten(file.text_of(target), 40)}`"
        if node.type != "identifier":
            return None
        variable = file.variable(node)
        if variable is None or _declared_otherwise(file, variable):
            return None
        if variable.is_array:
            where = "static" if variable.is_static or file.enclosing_function(variable.declaration) is None \
                else "stack"
            return f"the {where} array `{variable.name}`"
        if variable.is_pointer and not variable.is_parameter:
            return self._assigned_non_heap(file, node, at, hops)
        return None

    def _assigned_non_heap(self, file: CFile, node: ts.Node, at: ts.Node, hops: int) -> str | None:
        body = flow.body_of(file, node)
        if body is None:
            return None
        bindings = [(bound, value) for bound, value in flow.bindings(file, body, file.text_of(node))
                    if bound.start_byte < at.start_byte]
        if not bindings or not flow.runs_before(file, bindings[-1][0], at):
            return None
        value = bindings[-1][1]
        call = file.call_of(value)
        if call is not None and call.method in STACK_ALLOCATORS:
            return f"`{file.text_of(node)}`, which points to `{call.method}` stack memory"
        found = self._non_heap(file, value, bindings[-1][0], hops + 1)
        return f"`{file.text_of(node)}`, which points to {found}" if found is not None else None


def _declared_otherwise(file: CFile, variable: Variable) -> bool:
    """The name is declared again in the same function with another shape: one preprocessor configuration's
    `char *s = malloc(...)` beside another's `char s[PATH_MAX]`, which the parser sees together."""
    function = file.enclosing_function(variable.declaration)
    if function is None:
        return False
    return any(other.is_array != variable.is_array or other.pointer_depth != variable.pointer_depth
               for other in file.declarations_in(function).get(variable.name, ()))
