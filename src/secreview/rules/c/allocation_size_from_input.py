"""Memory allocated with a size read from input and never limited.

## What it does
Flags `malloc`, `calloc`, `realloc`, `alloca` and `new T[n]` whose size (or
element count) is a local variable assigned from input (`atoi`, `strtol`,
`scanf`, `rand()`, ...) with no upper-bound check before the allocation.

## Why is this bad?
The input decides how much memory the program takes. A huge value exhausts
memory or address space (denial of service, and for `alloca` a stack
overflow that can jump over guard pages); a negative `int` becomes an
enormous `size_t` (CWE-789).

## Example
```c
#include <stdlib.h>

char *read_body(const char *length_header) {
    int length = atoi(length_header);
    return malloc(length);
}
```

## Use instead
```c
#include <stdlib.h>
#define MAX_BODY 65536

char *read_body(const char *length_header) {
    int length = atoi(length_header);
    if (length <= 0 || length > MAX_BODY)
        return NULL;
    return malloc(length);
}
```

## References
- https://cwe.mitre.org/data/definitions/789.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM35-C.+Allocate+sufficient+memory+for+an+object
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.buffers import allocation_sizes
from secreview.lang.c_family.file import CFile, strip_casts
from secreview.lang.c_family.numeric import MAGNITUDE_ORIGINS, bounds_established, external_integer
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class AllocationSizeFromInput(CRule):
    id = "allocation-size-from-input"
    cwe = 789
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{allocator}` size `{name}` comes from `{source}` without an upper limit"
    description = (
        "`{code}` allocates as much memory as `{name}` says, and `{name}` was read by `{source}` with no "
        "upper-bound check before. Input can ask for gigabytes (exhausting memory, or the stack for alloca) "
        "or, through a negative int converted to size_t, for an impossible size whose failure the code may "
        "not expect."
    )
    solution = "Limit the size before allocating: `if ({name} <= 0 || {name} > MAX_ALLOWED) /* reject */`."

    def check(self, file: CFile) -> Iterator[Hit]:
        for allocation in allocation_sizes(file):
            size = strip_casts(allocation.size)
            external = external_integer(file, size, origins=MAGNITUDE_ORIGINS)
            if external is None or "upper" in bounds_established(file, external):
                continue
            yield Hit(allocation.anchor, {"name": external.name, "source": external.source,
                                          "allocator": allocation.allocator})
