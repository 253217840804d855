"""Pointer used after the memory it points to was freed.

## What it does
Flags uses of a variable after `free(p)` (or `delete p`) in the same function,
when the free always runs before the use and the variable is not reassigned
in between: dereferences, member accesses, and passing it to functions.

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
from secreview.lang.c_family.lifetime import released_pointers, uses_after
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class UseAfterFree(CRule):
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
        for release in released_pointers(file):
            for use, is_release in uses_after(file, release):
                if not is_release:
                    yield Hit(use.parent if use.parent is not None else use, {
                        "name": release.name, "free_line": str(release.node.start_point[0] + 1),
                        "release": file.text_of(release.node)})
                break  # report the first use only: the rest follow from it
