"""Memory allocated into a local pointer and never freed.

## What it does
Flags `malloc`, `calloc`, `realloc`, `strdup` (and `new` in C++) results stored
in a local variable of a function that never frees them, never returns them
and never hands them to another variable or to a function that could keep
them (calls whose names say they only read, such as `print*`, `log*` or the
`str*`/`mem*` library, do not count). `main` is left alone: process exit
releases its memory.

## Why is this bad?
Every call of the function loses the block for good. In a server, a loop or
a library used by long-running programs, the leak grows with the number of
requests until memory runs out; an attacker who can trigger the function
controls how fast (CWE-401).

## Example
```c
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void greet(const char *name) {
    char *line = malloc(strlen(name) + 8);
    if (line == NULL)
        return;
    sprintf(line, "hello %s", name);
    puts(line);
}
```

## Use instead
```c
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void greet(const char *name) {
    char *line = malloc(strlen(name) + 8);
    if (line == NULL)
        return;
    sprintf(line, "hello %s", name);
    puts(line);
    free(line);
}
```

## References
- https://cwe.mitre.org/data/definitions/401.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM31-C.+Free+dynamically+allocated+memory+when+no+longer+needed
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP, unreleased
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class MemoryNotFreed(CRule):
    id = "memory-not-freed"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{name}` from `{callee}` is never freed, returned or handed on"
    description = (
        "`{code}` stores newly allocated memory in `{name}`, and nothing in this function frees it, returns "
        "it or passes it to code that could keep it. Every call leaks the block; callers that run this "
        "function per request or in a loop slowly exhaust memory, and an attacker who can trigger it "
        "decides how fast."
    )
    solution = "Free `{name}` once it is no longer needed (`free({name});`, or `delete` for `new`), on every path out of the function."

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in unreleased(file, HEAP):
            yield Hit(acquisition.source, acquisition.placeholders())
