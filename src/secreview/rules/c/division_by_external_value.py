"""Division or remainder by a value read from input without a zero check.

## What it does
Flags `a / n`, `a % n`, `a /= n` and `a %= n` where `n` is a local variable
assigned from a number conversion of text (`atoi`, `strtol`, ...), a
`scanf`-style parse, a read or a pseudo-random generator, and no comparison
or truth test of `n` runs between that assignment and the division.

## Why is this bad?
Whoever supplies the input can make `n` zero. Integer division by zero is
undefined behaviour and kills the process with SIGFPE (a denial of service);
`INT_MIN / -1` overflows the same way. Floating-point division by zero
yields infinities and NaNs that poison later computations (CWE-369).

## Example
```c
#include <stdlib.h>

int per_item(const char *count_text, int total) {
    int count = atoi(count_text);
    return total / count;
}
```

## Use instead
```c
#include <stdlib.h>

int per_item(const char *count_text, int total) {
    int count = atoi(count_text);
    if (count <= 0)
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
from secreview.lang.c_family.numeric import bounds_established, external_integer
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class DivisionByExternalValue(CRule):
    id = "division-by-external-value"
    cwe = 369
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Division by `{divisor}`, read from input by `{source}`, without a zero check"
    description = (
        "`{code}` divides by `{divisor}`, which comes from `{source}` and is never compared with zero before "
        "this point. Input that makes it 0 crashes the process with a division-by-zero trap (SIGFPE), a "
        "denial of service; for signed integers `INT_MIN / -1` overflows the same way."
    )
    solution = "Reject zero (and, for signed values, -1 with INT_MIN) before dividing: `if ({divisor} == 0) /* error */`."

    def check(self, file: CFile) -> Iterator[Hit]:
        for node in file.nodes_of_type("binary_expression", "assignment_expression"):
            operator = file.text_of(node.child_by_field_name("operator"))
            if operator not in ("/", "%", "/=", "%="):
                continue
            divisor = node.child_by_field_name("right")
            external = external_integer(file, divisor)
            if external is None or "zero" in bounds_established(file, external):
                continue
            yield Hit(node, {"divisor": external.name, "source": external.source})
