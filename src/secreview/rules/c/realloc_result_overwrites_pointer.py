"""`p = realloc(p, n)`: the old block leaks when realloc fails.

## What it does
Flags assignments that store the result of `realloc` (or `reallocf`-less
variants such as `g_realloc` or `_recalloc`) back into the pointer that was
passed to it.

A pointer set to NULL just before (so `realloc` acts as `malloc`) is not
reported.

## Why is this bad?
When `realloc` cannot grow the block it returns NULL and leaves the original
block allocated. Writing that NULL over the only pointer to the block loses
it: the memory leaks, and the code usually goes on to dereference NULL or
loses the data it held (CWE-401). Attackers who can make sizes large force
exactly this failure.

## Example
```c
#include <stdlib.h>

int grow(char **buffer, size_t size) {
    *buffer = realloc(*buffer, size * 2);
    return *buffer != NULL;
}
```

## Use instead
```c
#include <stdlib.h>

int grow(char **buffer, size_t size) {
    char *bigger = realloc(*buffer, size * 2);
    if (bigger == NULL)
        return 0;
    *buffer = bigger;
    return 1;
}
```

## References
- https://cwe.mitre.org/data/definitions/401.html
- https://wiki.sei.cmu.edu/confluence/display/c/WIN30-C.+Properly+pair+allocation+and+deallocation+functions
"""

from __future__ import annotations

from secreview.lang.c_family import flow
from secreview.lang.c_family.expressions import same_expression
from secreview.lang.c_family.file import Call, CFile, strip_casts
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule


class ReallocResultOverwritesPointer(CCallRule):
    id = "realloc-result-overwrites-pointer"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    callees = ("realloc", "g_realloc", "_recalloc", "reallocarray", "xrealloc_unchecked")
    message = "`{pointer}` is overwritten with the result of `{callee}`, losing the block if it fails"
    description = (
        "`{code}` stores the result of `{callee}` straight into `{pointer}`, the pointer it is resizing. If "
        "the reallocation fails it returns NULL but keeps the old block: the assignment then overwrites the "
        "only pointer to that block, which leaks, and later uses of `{pointer}` dereference NULL."
    )
    solution = (
        "Keep the result in a temporary and only replace the pointer on success: `tmp = {callee}({pointer}, "
        "size); if (tmp != NULL) {pointer} = tmp;` and handle the failure while `{pointer}` is still valid."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        parent = call.node.parent
        while parent is not None and parent.type in ("cast_expression", "parenthesized_expression"):
            parent = parent.parent
        if parent is None or parent.type != "assignment_expression" or not call.args:
            return None
        target = parent.child_by_field_name("left")
        if not same_expression(file, target, call.args[0]) or self._null_before(file, call):
            return None
        return {"pointer": shorten(file.text_of(target))}

    @staticmethod
    def _null_before(file: CFile, call: Call) -> bool:
        """`p = NULL; p = realloc(p, n);` is a plain allocation: there is no old block to lose."""
        pointer = strip_casts(call.args[0])
        body = flow.body_of(file, call.node)
        if pointer is None or pointer.type != "identifier" or body is None:
            return False
        earlier = [(bound, value) for bound, value in flow.bindings(file, body, file.text_of(pointer))
                   if bound.end_byte <= call.node.start_byte and value != call.node
                   and flow.runs_before(file, bound, call.node)]
        return bool(earlier) and file.is_null(earlier[-1][1])
