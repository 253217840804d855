"""Loop writes more elements into a buffer than it holds.

## What it does
Flags counting loops `for (i = START; i < N; i++)` that assign `buf[i]` when
`N` is larger than the buffer's length, known from the buffer's declaration or
from the allocation the pointer received earlier in the same function.
(`<=` on exactly the length is `loop-bound-off-by-one`.)

## Why is this bad?
Every iteration past the buffer's last element writes into whatever memory
follows it: other locals, a saved return address, heap metadata (CWE-787).
Such loops usually copy data whose amount was assumed rather than checked.

## Example
```c
#include <stdlib.h>

void fill(const int *source) {
    int *table = malloc(10 * sizeof(int));
    for (size_t i = 0; i < 100; i++)
        table[i] = source[i];
}
```

## Use instead
```c
#include <stdlib.h>

void fill(const int *source) {
    int *table = malloc(100 * sizeof(int));
    for (size_t i = 0; i < 100; i++)
        table[i] = source[i];
}
```

## References
- https://cwe.mitre.org/data/definitions/787.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR30-C.+Do+not+form+or+use+out-of-bounds+pointers+or+array+subscripts
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.loops import counting_loops, indexed_accesses
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule


class LoopWritesPastBufferEnd(CRule):
    id = "loop-writes-past-buffer-end"
    cwe = 787
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "Loop writes `{access}` up to index {last}, but `{buffer}` holds {length} elements"
    description = (
        "The loop's condition lets `{variable}` reach {last}, and `{access}` is assigned on every pass, but "
        "`{buffer}` only holds {length} elements. The iterations past index {length} - 1 write beyond the end "
        "of the buffer, overwriting adjacent memory (other variables, heap metadata or the stack frame)."
    )
    solution = (
        "Bound the loop by the buffer's real length (e.g. `{variable} < {length}`, or a count derived from "
        "`sizeof {buffer} / sizeof {buffer}[0]` for an array), or allocate the buffer for all the elements "
        "the loop writes."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for loop in counting_loops(file):
            last = loop.bound if loop.operator == "<=" else loop.bound - 1
            for access in indexed_accesses(file, loop):
                off_by_one = loop.operator == "<=" and access.length == loop.bound
                if access.written and last >= access.length and not off_by_one and loop.start < access.length:
                    yield Hit(access.access, {
                        "access": shorten(file.text_of(access.access)), "buffer": shorten(file.text_of(access.buffer)),
                        "length": str(access.length), "last": str(last), "variable": loop.variable})
