"""Addition or multiplication on a number read from input, without a range check.

## What it does
Flags `+`, `*`, `<<`, `+=`, `*=` and `++` applied to a local integer variable
assigned from a number conversion of text (`atoi`, `strtol`, ...), a
`scanf`-style parse or `rand()`, when no upper-bound check of the variable
runs before the arithmetic.

## Why is this bad?
The input can be the largest value of the type. One more, or twice as much,
overflows: for signed integers that is undefined behaviour (compilers may
delete later checks), for unsigned ones the value wraps to a small number.
Either way the result no longer means what the code thinks, and it typically
flows into a size, an index or a security decision (CWE-190).

## Example
```c
#include <stdlib.h>

int next_sequence(const char *text) {
    int last = atoi(text);
    return last + 1;
}
```

## Use instead
```c
#include <limits.h>
#include <stdlib.h>

int next_sequence(const char *text) {
    int last = atoi(text);
    if (last >= INT_MAX)
        return -1;
    return last + 1;
}
```

## References
- https://cwe.mitre.org/data/definitions/190.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT32-C.+Ensure+that+operations+on+signed+integers+do+not+result+in+overflow
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.numeric import external_arithmetic
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class IntegerOverflowFromInput(CRule):
    id = "integer-overflow-from-input"
    cwe = 190
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{code}` can overflow: `{name}` comes from `{source}` without an upper-bound check"
    description = (
        "`{code}` adds to or multiplies `{name}`, which was read by `{source}` and is not checked against an "
        "upper limit first. Input at or near the type's maximum makes the result overflow: undefined "
        "behaviour for signed types, a silent wrap-around to a small value for unsigned ones, so whatever "
        "uses the result (a size, an index, a limit) is wrong."
    )
    solution = (
        "Check the operand before the arithmetic, e.g. `if ({name} > INT_MAX - 1) /* reject */` for an "
        "addition or `if ({name} > INT_MAX / factor)` for a multiplication, or use `__builtin_add_overflow` "
        "/ `__builtin_mul_overflow`."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for found in external_arithmetic(file, frozenset({"+", "*", "<<"}), "upper"):
            yield Hit(found.node, {"name": found.operand.name, "source": found.operand.source})
