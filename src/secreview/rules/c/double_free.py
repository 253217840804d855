"""Same pointer freed twice in one function.

## What it does
Flags `free(p)` / `delete p` when the same variable was already released on
some path reaching it, as the value-flow engine follows the function, and the
variable was not reassigned on that path (`free(NULL)` does nothing, so a
pointer set to NULL after its release is fine). Releases on an error branch
that does not leave (`if (failed) free(p); ... free(p);`) count; paths a
test rules out do not.

## Why is this bad?
Freeing the same block twice corrupts the allocator's bookkeeping: the block
ends up twice on a free list, so two later allocations return the same
memory. Attackers use this to make one object overlap another they control,
a classic route to arbitrary writes and code execution (CWE-415).

## Example
```c
#include <stdlib.h>

int process(char *buffer, int failed) {
    free(buffer);
    if (failed) {
        free(buffer);
        return -1;
    }
    return 0;
}
```

## Use instead
```c
#include <stdlib.h>

int process(char *buffer, int failed) {
    free(buffer);
    buffer = NULL;
    if (failed) {
        free(buffer);
        return -1;
    }
    return 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/415.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM30-C.+Do+not+access+freed+memory
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class DoubleFree(ValueFlowRule):
    id = "double-free"
    cwe = 415
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "`{name}` is released again after `{release}` on line {free_line}"
    description = (
        "`{name}` was already released on line {free_line} and nothing reassigned it since, so `{code}` frees "
        "the same block a second time. That corrupts the allocator's free lists: later allocations can "
        "return overlapping memory, which attackers turn into arbitrary writes."
    )
    solution = "Release `{name}` exactly once, and set it to NULL after releasing it (`free(NULL)` is harmless)."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("double-free"):
            if event.certain and event.origin is not None:
                yield Hit(event.node, {"name": event.name, "free_line": str(event.origin.node.start_point[0] + 1),
                                       "release": file.text_of(event.origin.node)})
