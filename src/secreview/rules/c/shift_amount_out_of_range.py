"""Shift by a negative amount, or by at least the width of the shifted type.

## What it does
Flags `x << n` and `x >> n` where the value-flow engine finds `n`, on some
path, negative or not smaller than the bit width of `x`'s type after
integer promotion (32 for `char`, `short` and `int`, 64 for `long` on
LP64), with the type of `x` known from its declaration, a cast or a literal's
suffix. Definite when `n`'s values are fully known from constants and tests
on a path of its own; otherwise shown in the audit profile.

## Why is this bad?
Such a shift is undefined behaviour in C and C++: x86 masks the amount
(`1 << 32` gives 1), other targets give 0, and optimisers may assume the
path cannot run. Masks, sizes and flags computed so are wrong, often
silently (CWE-1335).

## Example
```c
unsigned int mask(void) {
    int bits = 32;
    return 1u << bits;
}
```

## Use instead
```c
unsigned long long mask(void) {
    int bits = 32;
    return 1ull << bits;
}
```

## References
- https://cwe.mitre.org/data/definitions/1335.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT34-C.+Do+not+shift+an+expression+by+a+negative+number+of+bits+or+by+greater+than+or+equal+to+the+number+of+bits+that+exist+in+the+operand
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import EngineEventRule
from secreview.valueflow import Event


class ShiftAmountOutOfRange(EngineEventRule):
    id = "shift-amount-out-of-range"
    cwe = 1335
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    event_kind = "shift-out-of-range"
    message = "Shift by `{name}`, which is {values} on a path reaching it, outside 0 to {last}"
    description = (
        "`{code}` shifts a {size}-bit value by `{name}`, which is {values} on a path reaching it. A shift by a "
        "negative amount or by {size} or more bits is undefined behaviour: the result differs between "
        "targets and compilers may drop the path."
    )
    solution = "Keep the amount between 0 and {last} (test it first), or shift a wider type (`1ull << n`)."

    def placeholders(self, event: Event) -> dict[str, str]:
        return {**super().placeholders(event), "last": str((event.size or 1) - 1)}
