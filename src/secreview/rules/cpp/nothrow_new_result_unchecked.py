"""Result of `new (std::nothrow)` used without a null check.

## What it does
Flags the first dereference (`*p`, `p[i]`, `p->m`, or passing `p` to
`memcpy`, `strcpy`...) of a pointer just returned by `new (std::nothrow)`,
when no test of the pointer runs between the allocation and that use.

## Why is this bad?
Plain `new` throws `std::bad_alloc` when memory runs out; the `nothrow` form
returns `nullptr` instead, which is the whole reason to choose it. Using the
result unchecked crashes on the null pointer exactly when allocation fails:
under memory pressure or when an attacker asks for a huge size (CWE-690).

## Example
```cpp
#include <new>

int *makeTable(std::size_t count) {
    int *table = new (std::nothrow) int[count];
    table[0] = 0;
    return table;
}
```

## Use instead
```cpp
#include <new>

int *makeTable(std::size_t count) {
    int *table = new (std::nothrow) int[count];
    if (table == nullptr)
        return nullptr;
    table[0] = 0;
    return table;
}
```

## References
- https://cwe.mitre.org/data/definitions/690.html
- https://en.cppreference.com/w/cpp/memory/new/nothrow
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP, acquisitions, first_unchecked_dereference
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CppRule


class NothrowNewResultUnchecked(CppRule):
    id = "nothrow-new-result-unchecked"
    cwe = 690
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{name}` from `new (std::nothrow)` on line {alloc_line} is used without a null check"
    description = (
        "`{name}` receives the result of `new (std::nothrow)` on line {alloc_line}, which is nullptr when "
        "the allocation fails, and `{code}` uses it without checking. The program crashes on the null "
        "pointer exactly when memory is short or an attacker requested a huge size."
    )
    solution = "Test the pointer before using it (`if ({name} == nullptr)` then handle the failure), or use plain `new` and let `std::bad_alloc` propagate."

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in acquisitions(file, HEAP):
            placement = acquisition.source.child_by_field_name("placement")
            if placement is None or "nothrow" not in file.text_of(placement):
                continue
            use = first_unchecked_dereference(file, acquisition)
            if use is not None:
                yield Hit(use.parent if use.parent is not None else use, {
                    "name": acquisition.name, "alloc_line": str(acquisition.source.start_point[0] + 1)})
