"""Result of `malloc`/`calloc`/`realloc`/`strdup` dereferenced without a NULL check.

## What it does
Flags the first dereference (`*p`, `p[i]`, `p->f`, or passing `p` to `memcpy`,
`strcpy`, `memset`, `fgets`...) of a pointer just returned by `malloc`,
`calloc`, `realloc`, `strdup` or `strndup`, when no test of the pointer runs
between the allocation and that use.

## Why is this bad?
Allocation fails and returns NULL when memory is short, when a requested size
is absurd (often attacker-influenced), or under limits (`ulimit -v`,
containers). Writing through NULL crashes the process; with a large offset
(`p[n]`) it writes to an address the attacker may be able to map, which has
turned such bugs into code execution (CWE-690).

## Example
```c
#include <stdlib.h>
#include <string.h>

char *copy_name(const char *name) {
    char *copy = malloc(strlen(name) + 1);
    strcpy(copy, name);
    return copy;
}
```

## Use instead
```c
#include <stdlib.h>
#include <string.h>

char *copy_name(const char *name) {
    char *copy = malloc(strlen(name) + 1);
    if (copy == NULL)
        return NULL;
    strcpy(copy, name);
    return copy;
}
```

## References
- https://cwe.mitre.org/data/definitions/690.html
- https://wiki.sei.cmu.edu/confluence/display/c/ERR33-C.+Detect+and+handle+standard+library+errors
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP, acquisitions, first_unchecked_dereference
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule


class AllocationResultUnchecked(CRule):
    id = "allocation-result-unchecked"
    cwe = 690
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{name}` from `{callee}` on line {alloc_line} is used without a NULL check"
    description = (
        "`{name}` receives the result of `{callee}` on line {alloc_line}, which is NULL when the allocation "
        "fails (memory pressure, limits, or an absurd size an attacker asked for), and `{code}` uses it "
        "without checking. The process then crashes on a NULL dereference, or, with an offset, writes to "
        "an address near zero that an attacker may control."
    )
    solution = "Test the result before using it: `if ({name} == NULL)` then report the failure and bail out."

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in acquisitions(file, HEAP):
            if acquisition.callee in ("new", "new[]"):
                continue  # plain new throws instead of returning NULL
            use = first_unchecked_dereference(file, acquisition)
            if use is not None:
                yield Hit(use.parent if use.parent is not None else use, {
                    "name": acquisition.name, "callee": acquisition.callee,
                    "alloc_line": str(acquisition.source.start_point[0] + 1),
                    "use": shorten(file.text_of(use.parent or use))})
