"""Array element read at an index outside the array's declared length.

## What it does
Flags reads of `a[i]` where `a` is an array whose length is declared
(`char table[16];`) and the value-flow engine finds `i` outside
`0 .. length - 1` on some path: a constant index past the end, a loop counter
that reaches the length, an index tested against a larger bound. When every
value the index can take on that path is out of range, or its range is fully
known from constants and tests, the read is a definite defect; an index
known only on one side (`if (n < 20)`) is shown in the audit profile.

The length may also be held in a variable: a buffer from `malloc(n)`,
`malloc(n * sizeof *p)` or `calloc(n, size)`, indexed at `n` (`p[n]`) or by
an index the code's own test lets reach `n` (`for (i = 0; i <= n; i++)`),
with neither variable changed in between, is out of bounds whatever n is.
So is a buffer passed to a function of the same file that always reads
an element past its end, and a C++ `std::vector` (or Qt container) indexed at
`v[v.size()]` or by an index its test lets reach `v.size()` (`i <= v.size()`),
with nothing changing v in between (`std::string` keeps a terminator at
`s[s.size()]`: only past it counts). A `std::vector` whose element count is
known (`std::vector<int> v(3)`, `= {1, 2}`, then `push_back`, `insert`,
`resize`, `clear`; `reserve` adds none) and a `std::array<T, N>` are checked
like arrays of that length.

## Why is this bad?
Reading past an array returns whatever lies next to it: other variables,
pointers, keys. Such over-reads leak memory contents to whoever sees the
result (Heartbleed was one) and crash on unmapped pages (CWE-125).

## Example
```c
int last(void) {
    int values[4] = {1, 2, 3, 4};
    return values[4];
}
```

## Use instead
```c
int last(void) {
    int values[4] = {1, 2, 3, 4};
    return values[3];
}
```

## References
- https://cwe.mitre.org/data/definitions/125.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR30-C.+Do+not+form+or+use+out-of-bounds+pointers+or+array+subscripts
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import OutOfBoundsIndexRule


class ArrayReadOutOfBounds(OutOfBoundsIndexRule):
    id = "array-read-out-of-bounds"
    cwe = 125
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{array}` ({size} elements) is read at index {index}, outside it"
    description = (
        "`{code}` reads `{array}`, declared with {size} elements, at an index that is {index} on a path "
        "reaching it. The read returns memory outside the array (other variables, pointers, secrets) or "
        "faults."
    )
    solution = "Keep the index below {size} (compare with `< {size}`, or use `sizeof {array} / sizeof {array}[0]`)."
    writes = False
