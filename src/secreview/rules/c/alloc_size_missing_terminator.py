"""Buffer allocated with `strlen(s)` bytes: no room for the terminating NUL.

## What it does
Flags `malloc(strlen(s))`, `alloca(strlen(s))`, `new char[strlen(s)]` and the
wide forms (`wcslen(s) * sizeof(wchar_t)`) where the size has no `+ 1` for
the string's terminator.

## Why is this bad?
`strlen` does not count the terminating NUL. Copying the string into a buffer
of exactly `strlen(s)` bytes (with `strcpy`, `sprintf`, `memcpy(..., len + 1)`)
writes one byte past the allocation (CWE-131): an off-by-one heap overflow
that corrupts allocator metadata and has been exploited in practice.

## Example
```c
#include <stdlib.h>
#include <string.h>

char *duplicate(const char *s) {
    char *copy = malloc(strlen(s));
    if (copy != NULL)
        strcpy(copy, s);
    return copy;
}
```

## Use instead
```c
#include <stdlib.h>
#include <string.h>

char *duplicate(const char *s) {
    char *copy = malloc(strlen(s) + 1);
    if (copy != NULL)
        strcpy(copy, s);
    return copy;
}
```

## References
- https://cwe.mitre.org/data/definitions/131.html
- https://wiki.sei.cmu.edu/confluence/display/c/STR31-C.+Guarantee+that+storage+for+strings+has+sufficient+space+for+character+data+and+the+null+terminator
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule

_ALLOCATORS = ("malloc", "alloca", "_alloca", "g_malloc", "xmalloc")
_LENGTHS = frozenset({"strlen", "wcslen", "_tcslen", "lstrlen"})


class AllocSizeMissingTerminator(CRule):
    id = "alloc-size-missing-terminator"
    cwe = 131
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Buffer of `{size}` has no room for the string's terminating NUL"
    description = (
        "`{code}` allocates `{size}`: exactly the characters of the string, without the terminating NUL that "
        "`strlen`/`wcslen` does not count. Copying the string into it (strcpy, sprintf, memcpy of len + 1) "
        "writes one element past the end of the allocation, corrupting heap metadata or the next object."
    )
    solution = "Allocate one more element for the terminator, e.g. `strlen(s) + 1` (or use `strdup`)."

    def check(self, file: CFile) -> Iterator[Hit]:
        for call in file.calls_to(*_ALLOCATORS):
            size = call.arg(0)
            if self._is_bare_length(file, size):
                yield Hit(call.node, {"size": file.text_of(size)})
        for node in file.nodes_of_type("new_expression") if file.language == "cpp" else ():
            declarator = node.child_by_field_name("declarator")
            length = declarator.child_by_field_name("length") if declarator is not None else None
            if length is not None and self._is_bare_length(file, length):
                yield Hit(node, {"size": file.text_of(length)})

    def _is_bare_length(self, file: CFile, size: ts.Node | None) -> bool:
        """`strlen(s)` alone or scaled by an element size, with nothing added."""
        size = strip_casts(size)
        if size is None:
            return False
        if size.type == "binary_expression" and file.text_of(size.child_by_field_name("operator")) == "*":
            sides = [size.child_by_field_name("left"), size.child_by_field_name("right")]
            return any(self._is_bare_length(file, side) for side in sides) and \
                any(file.is_constant(side) for side in sides)
        call = file.call_of(size)
        return call is not None and call.method in _LENGTHS
