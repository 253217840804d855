"""Array index read from input and used without any bounds check.

## What it does
Flags `buf[i]` where `i` is a local variable assigned from input (`atoi`,
`strtol`, `scanf("%d")`, a read, `rand()`) and no upper-bound check of `i`
runs between that assignment and the access (none at all, or only `i >= 0`;
`signed-length-check-without-minimum` reports the other half). Shown by default
when dataflow traces the converted text to remote input (a socket).

## Why is this bad?
The index is whatever the input says. Anything outside `0 .. length - 1`
reads or writes memory outside the array: a write lets an attacker change
chosen bytes near the buffer (return addresses, function pointers, flags),
a read discloses them (CWE-129).

## Example
```c
#include <stdlib.h>

int lookup(const int *table, const char *text) {
    int slot = atoi(text);
    return table[slot];
}
```

## Use instead
```c
#include <stdlib.h>

int lookup(const int *table, const char *text) {
    int slot = atoi(text);
    if (slot < 0 || slot >= 16)
        return -1;
    return table[slot];
}
```

## References
- https://cwe.mitre.org/data/definitions/129.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR30-C.+Do+not+form+or+use+out-of-bounds+pointers+or+array+subscripts
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.numeric import (
    MAGNITUDE_ORIGINS, bounds_established, converted_text, external_integer, size_uses)
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule
from secreview.rules.c._taint import TaintJudged


class ArrayIndexFromInput(TaintJudged, CRule):
    """Shown by default when dataflow traces the converted text to remote input (a socket): the peer then
    chooses the index, and nothing bounds it above. The console, files and the environment are the local
    user's (`taint` kind "local"), and stay audit."""

    id = "array-index-from-input"
    vulnerability = "number"
    cwe = 129
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Index `{name}` comes from `{source}` and is {checked}"
    description = (
        "`{code}` indexes with `{name}`, which was read by `{source}` and is {checked}: nothing "
        "limits it to the array's length. Input can set it to any value, negative or past the end, so the access reads or writes "
        "memory outside the array: attackers use such writes to change return addresses, pointers or flags."
    )
    solution = "Check the index against both ends first: `if ({name} < 0 || {name} >= LENGTH) /* reject */`."

    def check(self, file: CFile) -> Iterator[Hit]:
        for anchor, value, use in size_uses(file):
            if use != "an array index":
                continue
            external = external_integer(file, value, origins=MAGNITUDE_ORIGINS)
            if external is not None and "upper" not in bounds_established(file, external):
                checked = "only checked against a lower bound" if external.tests else "used without a bounds check"
                yield Hit(anchor, {"name": external.name, "source": external.source, "checked": checked},
                          data=converted_text(file, external))
