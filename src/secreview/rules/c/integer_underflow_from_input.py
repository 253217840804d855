"""Subtraction from a number read from input, without a lower-bound check.

## What it does
Flags `-`, `-=` and `--` applied to a local integer variable assigned from a
number conversion of text (`atoi`, `strtol`, ...), a `scanf`-style parse or
`rand()`, when no lower-bound check of the variable runs before.

## Why is this bad?
The input can be the smallest value of the type (or 0 for an unsigned one).
Subtracting then wraps around: `0u - 1` is `UINT_MAX`, and for signed types
the overflow is undefined behaviour. The huge or nonsensical result usually
becomes a length or an index (CWE-191).

## Example
```c
#include <stdlib.h>

unsigned int remaining(const char *text) {
    unsigned int left = strtoul(text, NULL, 10);
    return left - 1;
}
```

## Use instead
```c
#include <stdlib.h>

unsigned int remaining(const char *text) {
    unsigned int left = strtoul(text, NULL, 10);
    if (left == 0)
        return 0;
    return left - 1;
}
```

## References
- https://cwe.mitre.org/data/definitions/191.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT30-C.+Ensure+that+unsigned+integer+operations+do+not+wrap
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.numeric import external_arithmetic
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class IntegerUnderflowFromInput(CRule):
    id = "integer-underflow-from-input"
    cwe = 191
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{code}` can wrap below zero: `{name}` comes from `{source}` without a lower-bound check"
    description = (
        "`{code}` subtracts from `{name}`, which was read by `{source}` and is not checked against a lower "
        "limit first. Input at the type's minimum (0 for unsigned types) makes the result wrap around to a "
        "huge value, or overflow with undefined behaviour for signed types; used as a length or index, it "
        "sends the program far outside its buffers."
    )
    solution = (
        "Check the operand before subtracting, e.g. `if ({name} < INT_MIN + 1) /* reject */`, or for "
        "unsigned values `if ({name} == 0) /* reject */`."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for found in external_arithmetic(file, frozenset({"-"}), "lower"):
            yield Hit(found.node, {"name": found.operand.name, "source": found.operand.source})
