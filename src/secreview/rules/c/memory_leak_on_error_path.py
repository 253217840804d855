"""Allocated memory not freed on an early return.

## What it does
Flags an early `return` (inside an `if`, `else` or `switch`) that leaves a
function while a local pointer still owns memory from `malloc`, `calloc`,
`realloc`, `strdup` (or `new` in C++) acquired before it: nothing on that
path frees it, returns it, or hands it to another function or variable.

## Why is this bad?
Error paths are exactly the ones an attacker can trigger at will: send a
malformed request and the server takes the early return. Each time, the
block is lost; repeat it and the process runs out of memory (CWE-401, a
denial of service). Leaked buffers may also keep secrets in memory longer.

## Example
```c
#include <stdlib.h>
#include <string.h>

int parse(const char *input) {
    char *copy = malloc(strlen(input) + 1);
    if (copy == NULL)
        return -1;
    strcpy(copy, input);
    if (copy[0] != '{')
        return -1;
    free(copy);
    return 0;
}
```

## Use instead
```c
#include <stdlib.h>
#include <string.h>

int parse(const char *input) {
    char *copy = malloc(strlen(input) + 1);
    if (copy == NULL)
        return -1;
    strcpy(copy, input);
    if (copy[0] != '{') {
        free(copy);
        return -1;
    }
    free(copy);
    return 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/401.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM31-C.+Free+dynamically+allocated+memory+when+no+longer+needed
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP, error_path_leaks
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class MemoryLeakOnErrorPath(CRule):
    id = "memory-leak-on-error-path"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Early return leaks `{name}`, allocated by `{callee}` on line {acquired_line}"
    description = (
        "`{code}` leaves the function while `{name}` still owns the memory `{callee}` returned on line "
        "{acquired_line}; nothing on this path frees it or passes it on. Error paths like this one can "
        "usually be triggered from outside at will (malformed input), so repeating the request leaks memory "
        "until the process is exhausted."
    )
    solution = (
        "Free `{name}` before returning (`free({name}); {code}`), or route every exit through one cleanup "
        "label (`goto out;` with `out: free({name});`)."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for ret, acquisition in error_path_leaks(file, HEAP):
            yield Hit(ret, acquisition.placeholders())
