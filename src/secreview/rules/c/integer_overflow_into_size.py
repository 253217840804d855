"""Integer arithmetic that overflows its type, whose wrapped result is then used as an index or a size.

## What it does
Flags `a + b`, `a - b`, `a * b` and `a << b` whose operands the value-flow
engine knows (from constants, tests and declared types, with C's integer
promotions and usual arithmetic conversions) and whose exact result is larger
than the largest value of the type the arithmetic is done in, when the
wrapped-around result then reaches an array index, an allocation size or a
copy length. When the operands were fully known on a path of its own, the
overflow is a definite defect; otherwise it is shown in the audit profile.
Arithmetic whose operands are unknown is never reported here (see
`integer-overflow-from-input` for values read from input).

## Why is this bad?
The stored result is not the mathematical one: a signed overflow is
undefined behaviour, an unsigned one wraps to a small number. Used as an
index it lands outside the buffer; used as an allocation size it makes a
buffer far smaller than the code then writes into (CWE-190, CWE-680).

## Example
```c
void fill(void) {
    unsigned short count = 65535;
    unsigned short total = count + 1;   /* 0 */
    char *buffer = malloc(total);
}
```

## Use instead
```c
void fill(void) {
    unsigned short count = 65535;
    size_t total = (size_t)count + 1;
    char *buffer = malloc(total);
}
```

## References
- https://cwe.mitre.org/data/definitions/190.html
- https://cwe.mitre.org/data/definitions/680.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT30-C.+Ensure+that+unsigned+integer+operations+do+not+wrap
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import EngineEventRule


class IntegerOverflowIntoSize(EngineEventRule):
    id = "integer-overflow-into-size"
    cwe = 190
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    event_kind = "integer-overflow"
    message = "`{name}` overflows its type (the stored result is {values}) and is then used as an index or size"
    description = (
        "`{code}` computes `{name}`, whose exact result on a path reaching it is larger than its type can "
        "hold; the wrapped value ({values}) is later used as an array index, an allocation size or a copy "
        "length, so that access or allocation is not the one the code means."
    )
    solution = (
        "Do the arithmetic in a type wide enough for the result (cast an operand to `size_t` or a 64-bit "
        "type), or check the operands against the type's limit before computing."
    )
