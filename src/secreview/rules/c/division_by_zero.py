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

from secreview.model import Confidence, Severity
from secreview.rules.c import EngineEventRule
from secreview.valueflow import Event, describe


class DivisionByZero(EngineEventRule):
    id = "division-by-zero"
    cwe = 369
    event_kind = "division-by-zero"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Division by `{divisor}`, which is 0 on a path reaching it ({why})"
    description = (
        "`{code}` divides by `{divisor}`, and on at least one path through the function it is 0 here: {why}. "
        "Integer division by zero traps (SIGFPE) and kills the process."
    )
    solution = "Leave the path where `{divisor}` is 0 before dividing (return or report an error), or give it a non-zero value."

    def placeholders(self, event: Event) -> dict[str, str]:
        return {"divisor": event.name, "why": describe(event.origin, "0")}
