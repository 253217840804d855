"""Allocation size computed from input with arithmetic that can wrap around.

## What it does
Flags `malloc`, `realloc`, `calloc`, `alloca` and `new T[...]` whose size is
computed by multiplication, addition or shift (`n * sizeof(T)`, `n + 1`) where
`n` is read from input (`atoi`, `strtol`, `scanf`, `rand()`, ...), or is a
parameter, and no upper-bound check of `n` runs before. Parameters give low
confidence (the caller may have checked).

## Why is this bad?
The arithmetic is done in a fixed-width type: a large `n` makes `n * 4`
wrap around to a small number. The allocation succeeds with a tiny buffer,
and the code that then writes `n` elements overflows the heap (CWE-680, the
pattern behind many image- and protocol-parser exploits).

## Example
```c
#include <stdlib.h>

int *read_table(const char *count_text) {
    int count = atoi(count_text);
    int *table = malloc(count * sizeof(int));
    return table;
}
```

## Use instead
```c
#include <stdint.h>
#include <stdlib.h>

int *read_table(const char *count_text) {
    int count = atoi(count_text);
    if (count <= 0 || (size_t)count > SIZE_MAX / sizeof(int))
        return NULL;
    return calloc((size_t)count, sizeof(int));
}
```

## References
- https://cwe.mitre.org/data/definitions/680.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT30-C.+Ensure+that+unsigned+integer+operations+do+not+wrap
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.buffers import allocation_sizes
from secreview.lang.c_family.file import CFile, strip_casts
from secreview.lang.c_family.numeric import MAGNITUDE_ORIGINS, bounds_established, external_integer
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule


class AllocSizeOverflow(CRule):
    id = "alloc-size-overflow"
    cwe = 680
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Allocation size `{size}` can wrap around: `{name}` comes from {source} unchecked"
    description = (
        "`{code}` computes its size as `{size}`, and `{name}` (from {source}) has no upper-bound check before. "
        "A large value makes the arithmetic wrap around to a small size: the allocation succeeds with a "
        "buffer far smaller than the code expects, and writing `{name}` elements into it overflows the heap."
    )
    solution = (
        "Check the count before computing the size, e.g. `if ({name} < 0 || (size_t){name} > SIZE_MAX / "
        "sizeof(element)) /* reject */`, or use `calloc(count, size)`/`reallocarray`, which check the "
        "multiplication themselves."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for allocation in allocation_sizes(file):
            if allocation.allocator == "calloc":
                continue  # calloc checks its own multiplication
            for operand in _arithmetic_operands(file, allocation.size):
                external = external_integer(file, operand, parameters=True, origins=MAGNITUDE_ORIGINS)
                if external is None or "upper" in bounds_established(file, external):
                    continue
                source = f"`{external.source}`" if external.origin is not None else "a parameter"
                yield Hit(allocation.anchor, {"size": shorten(file.text_of(allocation.size)), "name": external.name,
                                              "source": source},
                          confidence=None if external.origin is not None else Confidence.LOW)
                break


def _arithmetic_operands(file: CFile, size: ts.Node) -> Iterator[ts.Node]:
    """The operands of `*`, `+` and `<<` in a size expression, nested ones included."""
    size = strip_casts(size)
    if size is None or size.type != "binary_expression":
        return
    operator = file.text_of(size.child_by_field_name("operator"))
    for side in (size.child_by_field_name("left"), size.child_by_field_name("right")):
        inner = strip_casts(side)
        if inner is not None and inner.type == "binary_expression":
            yield from _arithmetic_operands(file, inner)
        elif inner is not None and operator in ("*", "+", "<<"):
            yield inner
