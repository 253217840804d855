"""Pointer tested for NULL after it was already dereferenced.

## What it does
Flags a NULL test of a pointer (`if (!p)`, `if (p == NULL)`, `if (p &&
...)`) that every path reaching the test dereferenced before (`p->f`,
`*p`, `p[i]`, a library call reading through it), with no assignment to it
in between, as the value-flow engine follows the function. Only pointers
whose nullness nothing had told yet count: a test of a pointer that an
earlier test or allocation check already settled is not flagged.

## Why is this bad?
The test says the author expects the pointer to be NULL sometimes; the
dereference before it crashes in exactly that case (CWE-476). Either the
dereference needs the test in front of it, or the test is dead code that
hides which of the two the code relies on. Compilers that see the
dereference may also delete the test as unreachable.

## Example
```c
#include <stddef.h>

struct stream {
    int available;
};

int bytes_available(struct stream *s) {
    int n = s->available;
    if (s == NULL)
        return 0;
    return n;
}
```

## Use instead
```c
#include <stddef.h>

struct stream {
    int available;
};

int bytes_available(struct stream *s) {
    if (s == NULL)
        return 0;
    return s->available;
}
```

## References
- https://cwe.mitre.org/data/definitions/476.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP34-C.+Do+not+dereference+null+pointers
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class NullCheckAfterDereference(ValueFlowRule):
    id = "null-check-after-dereference"
    cwe = 476
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{name}` is tested for NULL here, but line {line} already dereferenced it on every path"
    description = (
        "This test expects `{name}` to be NULL sometimes, yet every path to it dereferenced `{name}` on line "
        "{line} first. When it is NULL, that dereference crashes before the test can help; when it never is, "
        "the test is dead."
    )
    solution = "Move the NULL test before the first dereference of `{name}` (line {line}), or drop it if it can never be NULL."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("null-checked-after-dereference"):
            if event.origin is not None:
                yield Hit(event.node, {"name": event.name, "line": str(event.origin.node.start_point[0] + 1)})
