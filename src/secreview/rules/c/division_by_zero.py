"""Division or remainder by a value that is zero on a path reaching it.

## What it does
Flags `a / n`, `a % n`, `a /= n` and `a %= n` where the value-flow engine
finds `n` to be exactly 0 on some path through the function: it was set to
0 and no assignment on that path changed it, or a test found it 0
(`if (count == 0) log(...);`) and that branch went on to the division.
Floating-point divisors are left out (they yield infinities, not a trap).
When that path took at most one branch that nothing decides (so it is a path
of its own, not a combination of paths that may exclude each other), the
division is a definite defect; otherwise it is shown in the audit profile.

## Why is this bad?
Integer division by zero is undefined behaviour; on most platforms it kills
the process with SIGFPE, a denial of service whenever that path runs, and
optimisers may assume the path impossible and remove nearby checks
(CWE-369).

## Example
```c
int average(int total, int count) {
    if (count == 0)
        total = 0;
    return total / count;
}
```

## Use instead
```c
int average(int total, int count) {
    if (count == 0)
        return 0;
    return total / count;
}
```

## References
- https://cwe.mitre.org/data/definitions/369.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT33-C.+Ensure+that+division+and+remainder+operations+do+not+result+in+divide-by-zero+errors
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import describe, facts


class DivisionByZero(ValueFlowRule):
    id = "division-by-zero"
    cwe = 369
    hit_evidence = True
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Division by `{divisor}`, which is 0 on a path reaching it ({why})"
    description = (
        "`{code}` divides by `{divisor}`, and on at least one path through the function it is 0 here: {why}. "
        "Integer division by zero traps (SIGFPE) and kills the process."
    )
    solution = "Leave the path where `{divisor}` is 0 before dividing (return or report an error), or give it a non-zero value."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("division-by-zero"):
            yield Hit(event.node, {"divisor": event.name, "why": describe(event.origin, "0")},
                      evidence=Evidence.DEFINITE if event.certain else None)
