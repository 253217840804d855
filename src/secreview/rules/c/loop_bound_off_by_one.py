"""Loop runs one element past the end of an array (`<=` on its length).

## What it does
Flags counting loops such as `for (i = 0; i <= N; i++)` that index a buffer
with the loop variable when `N` is exactly the buffer's length (from its
declaration, or from the allocation the pointer got in the same function).

## Why is this bad?
A buffer of `N` elements has indices `0` to `N - 1`. With `<=` the last pass
uses index `N`: one element past the end (CWE-193). A write there silently
corrupts the neighbouring variable, a heap chunk header or a saved frame
pointer; a read leaks it. Off-by-one overflows of a single byte have been
enough to build full exploits.

## Example
```c
void clear(void) {
    int counts[16];
    for (int i = 0; i <= 16; i++)
        counts[i] = 0;
}
```

## Use instead
```c
void clear(void) {
    int counts[16];
    for (int i = 0; i < 16; i++)
        counts[i] = 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/193.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR30-C.+Do+not+form+or+use+out-of-bounds+pointers+or+array+subscripts
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.loops import counting_loops, indexed_accesses
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule


class LoopBoundOffByOne(CRule):
    id = "loop-bound-off-by-one"
    cwe = 193
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "Loop reaches index {bound} of `{buffer}`, which has only {bound} elements"
    description = (
        "The loop runs while `{variable} <= {bound}`, and `{access}` uses `{variable}` as the index, but "
        "`{buffer}` holds {bound} elements (indices 0 to {bound} - 1). The last iteration therefore "
        "{verb} one element past the end of the buffer, corrupting or disclosing the memory that follows it."
    )
    solution = "Use `{variable} < {bound}` as the loop condition (or size the buffer for {bound} + 1 elements)."

    def check(self, file: CFile) -> Iterator[Hit]:
        for loop in counting_loops(file):
            if loop.operator != "<=":
                continue
            for access in indexed_accesses(file, loop):
                if access.length == loop.bound:
                    yield Hit(loop.loop.child_by_field_name("condition"), {
                        "bound": str(loop.bound), "buffer": shorten(file.text_of(access.buffer)),
                        "variable": loop.variable, "access": shorten(file.text_of(access.access)),
                        "verb": "writes" if access.written else "reads"})
                    break
