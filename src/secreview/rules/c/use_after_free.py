"""Pointer used after the memory it points to was freed.

## What it does
Flags uses of a variable after `free(p)` (or `delete p`) on some path through
the function, as the value-flow engine follows it, when the variable is not
reassigned on that path: dereferences, member accesses, passing it to a
library call that reads through it or to a function whose name says it reads
its argument (`print...`, `log...`). A conditional release followed by an
unconditional use (`if (failed) free(p); ... p->len`) is a use after free on
the path where the condition held; paths a later test rules out are not
followed.

## Why is this bad?
After `free`, the allocator reuses the memory for other objects. Reading
through the stale pointer returns someone else's data; writing corrupts it.
Attackers exploit use-after-free by arranging for an object they control to
occupy the freed slot, typically overwriting a function pointer or vtable
(CWE-416). It is one of the most exploited bug classes in C and C++.

## Example
```c
#include <stdio.h>
#include <stdlib.h>

void finish(char *message) {
    free(message);
    printf("done: %s\n", message);
}
```

## Use instead
```c
#include <stdio.h>
#include <stdlib.h>

void finish(char *message) {
    printf("done: %s\n", message);
    free(message);
}
```

## References
- https://cwe.mitre.org/data/definitions/416.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM30-C.+Do+not+access+freed+memory
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class UseAfterFree(ValueFlowRule):
    id = "use-after-free"
    cwe = 416
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "`{name}` is used after it was freed on line {free_line}"
    description = (
        "`{name}` was released on line {free_line} (`{release}`) and is used again here without being "
        "reassigned. The allocator may already have handed that memory to another object: reading returns "
        "its data, writing corrupts it, and attackers who get their own data placed there can hijack "
        "function pointers or vtables."
    )
    solution = (
        "Release `{name}` only after its last use, and set it to NULL right after `free` (`free({name}); "
        "{name} = NULL;`) so any later use fails visibly."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("use-after-free"):
            if event.certain and event.origin is not None:
                yield Hit(event.node, {"name": event.name, "free_line": str(event.origin.node.start_point[0] + 1),
                                       "release": file.text_of(event.origin.node)})
