"""Integer arithmetic that goes below its type's minimum, whose wrapped result is then used as an index or
a size.

## What it does
Flags `a - b` (also `a + b` and `a * b` with negative operands) whose
operands the value-flow engine knows, computed in a type (after C's
promotions and usual arithmetic conversions) that cannot hold the exact
result because it is below the type's minimum, typically an unsigned
subtraction going below 0, when the wrapped result then reaches an array
index, an allocation size or a copy length. Definite when the operands were
fully known on a path of its own; otherwise shown in the audit profile.

## Why is this bad?
An unsigned value that goes below 0 wraps to a huge number; a signed one
below its minimum is undefined behaviour. As an index or a length the result
points far outside the buffer (CWE-191).

## Example
```c
void last(void) {
    char line[16];
    size_t used = 0;
    line[used - 1] = 0;
}
```

## Use instead
```c
void last(void) {
    char line[16];
    size_t used = 0;
    if (used > 0)
        line[used - 1] = 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/191.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT30-C.+Ensure+that+unsigned+integer+operations+do+not+wrap
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import EngineEventRule


class IntegerUnderflowIntoSize(EngineEventRule):
    id = "integer-underflow-into-size"
    cwe = 191
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    event_kind = "integer-underflow"
    message = "`{name}` goes below its type's minimum (the stored result is {values}) and is then used as an index or size"
    description = (
        "`{code}` computes `{name}`, whose exact result on a path reaching it is below the smallest value "
        "its type holds; the wrapped value ({values}) is later used as an array index, an allocation size or "
        "a copy length, far outside what the code means."
    )
    solution = "Test that the subtraction cannot go below 0 first (`if (used > 0)`), or compute in a signed type wide enough."
