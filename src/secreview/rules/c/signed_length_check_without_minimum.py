"""Signed length or index checked against a maximum only, then used.

## What it does
Flags a signed integer (`int`, `long`, `ssize_t`, ...) read from input or
received as a parameter that is compared only with an upper limit (`if (len <
MAX)`) and then used as an array index or as the length of `memcpy`,
`malloc`, `strncpy`, `read` and similar functions; no test of it rules out
negative values.

## Why is this bad?
A negative value passes `len < MAX`. Used as an index it reaches memory before
the array; passed as a length it is converted to `size_t` and becomes a huge
number (`-1` is `SIZE_MAX`), so the copy runs far past the destination
(CWE-839, leading to CWE-195 conversions and buffer overflows).

## Example
```c
#include <string.h>

void store(char *table, const char *data, int len) {
    char buf[64];
    if (len < 64)
        memcpy(buf, data, len);
}
```

## Use instead
```c
#include <string.h>

void store(char *table, const char *data, int len) {
    char buf[64];
    if (len >= 0 && len < 64)
        memcpy(buf, data, len);
}
```

## References
- https://cwe.mitre.org/data/definitions/839.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT01-C.+Use+rsize_t+or+size_t+for+all+integer+values+representing+the+size+of+an+object
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.numeric import (
    MAGNITUDE_ORIGINS, bounds_established, converted_text, external_integer, size_uses)
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule
from secreview.rules.c._taint import TaintJudged


class SignedLengthCheckWithoutMinimum(TaintJudged, CRule):
    """Shown by default when dataflow traces the converted text to remote input, a socket (as
    `array-index-from-input`)."""

    id = "signed-length-check-without-minimum"
    vulnerability = "number"
    cwe = 839
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Signed `{name}` is checked against a maximum only, then used as {use}"
    description = (
        "`{name}` (a signed `{type}` from {source}) is only compared with an upper limit before `{code}` uses "
        "it as {use}. A negative value passes that check: as an index it reaches memory before the buffer, "
        "and as a length it is converted to size_t and becomes enormous, so the operation runs far past "
        "the end of the buffer."
    )
    solution = (
        "Reject negative values too (`if ({name} < 0 || {name} >= LIMIT) /* error */`), or keep the value "
        "in an unsigned type (size_t) from where it is read."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for anchor, value, use in size_uses(file):
            external = external_integer(file, value, parameters=True, origins=MAGNITUDE_ORIGINS)
            if external is None or not external.signed:
                continue
            if external.origin is None:
                # a parameter's assert(...) states the caller's contract; only runtime checks count here
                external = replace(external, tests=tuple(t for t in external.tests if not _in_call(t[0])))
            bounds = bounds_established(file, external)
            if "upper" in bounds and "lower" not in bounds:
                yield Hit(anchor, {"name": external.name, "use": use, "type": external.variable.type_text,
                                   "source": external.source}, data=converted_text(file, external))


def _in_call(node: ts.Node) -> bool:
    return any(a.type == "argument_list" for a in CFile.ancestors(node))
