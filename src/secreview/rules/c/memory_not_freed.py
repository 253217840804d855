"""Memory allocated into a local pointer and never freed.

## What it does
Flags memory from `malloc`, `calloc`, `strdup` (and `new` in C++, or a function
of the same file that returns what it allocated) that the function still owns
when it leaves, where no path of the function frees it, returns it or hands it
on. The value-flow engine follows the pointer and its copies on every path: a
path where the allocation failed (the pointer was found NULL) leaks nothing,
and storing the pointer anywhere the function does not follow (a member, a
global, through a pointer, a smart pointer), returning it, or passing it to
code that may keep it (anything but the library calls that only use the
memory, such as `strcpy` or `printf`, and functions of the file that only use
that parameter) hands it on. `main` is left alone: process exit releases its
memory.

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
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow.ownership import leak_placeholders, leaks_in


class MemoryNotFreed(ValueFlowRule):
    id = "memory-not-freed"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "`{name}` from `{callee}` is never freed, returned or handed on (the function leaves on line {exits})"
    description = (
        "`{code}` allocates memory that `{name}` holds, and no path of this function frees it, returns it or "
        "passes it to code that could keep it: on line {exit_line} the function leaves with the allocation "
        "still its own (exits that leak it: {exits}). Every call leaks the block; callers that run this "
        "function per request or in a loop slowly exhaust memory, and an attacker who can trigger it "
        "decides how fast."
    )
    solution = "Free `{name}` once it is no longer needed (`free({name});`, or `delete` for `new`), on every path out of the function."

    def check(self, file: CFile) -> Iterator[Hit]:
        for resource in ("memory", "object"):
            for event in leaks_in(file, resource):
                if event.via_line == 0 and event.origin is not None:  # no path releases or hands it on
                    yield Hit(event.origin.node, leak_placeholders(event),
                              evidence=Evidence.DEFINITE if event.certain else None)
