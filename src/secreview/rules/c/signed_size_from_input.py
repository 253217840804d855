"""Signed integer read from input passed unchecked as a size.

## What it does
Flags calls such as `memcpy`, `memmove`, `strncpy`, `read`, `fgets`
whose length argument is a signed local variable (`int`, `long`, ...)
assigned from input (`atoi`, `strtol`, `scanf("%d")`, `rand()`) with no
comparison of it between that assignment and the call.

## Why is this bad?
These functions take a `size_t`. A negative input value is silently converted
to a huge unsigned number (`-1` becomes `SIZE_MAX`): copies run far past the
destination, `malloc` fails or allocates the wrong amount (CWE-195). The
input's author chooses the sign.

## Example
```c
#include <stdlib.h>
#include <string.h>

void copy_prefix(char *dest, const char *src, const char *len_text) {
    int len = atoi(len_text);
    memcpy(dest, src, len);
}
```

## Use instead
```c
#include <stdlib.h>
#include <string.h>

void copy_prefix(char *dest, const char *src, const char *len_text) {
    int len = atoi(len_text);
    if (len < 0 || len > 64)
        return;
    memcpy(dest, src, (size_t)len);
}
```

## References
- https://cwe.mitre.org/data/definitions/195.html
- https://wiki.sei.cmu.edu/confluence/display/c/INT31-C.+Ensure+that+integer+conversions+do+not+result+in+lost+or+misinterpreted+data
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.numeric import ALLOCATION_USES, MAGNITUDE_ORIGINS, external_integer, size_uses
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class SignedSizeFromInput(CRule):
    id = "signed-size-from-input"
    cwe = 195
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Signed `{name}` from `{source}` is used unchecked as {use}"
    description = (
        "`{code}` uses `{name}` as {use}; it is a signed `{type}` read by `{source}` and never compared with "
        "anything first. A negative input is converted to a huge size_t (-1 becomes SIZE_MAX), so the call "
        "copies or reads far past the end of its buffer."
    )
    solution = (
        "Validate the value where it is read: reject negatives and anything above the buffer's size "
        "(`if ({name} < 0 || (size_t){name} > sizeof dest) /* reject */`), or parse into an unsigned type "
        "with `strtoul` and check errno."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for anchor, value, use in size_uses(file):
            if use == "an array index" or use in ALLOCATION_USES:
                continue  # indices and allocation sizes have their own rules
            external = external_integer(file, value, origins=MAGNITUDE_ORIGINS)
            if external is not None and external.signed and not external.tests:
                yield Hit(anchor, {"name": external.name, "use": use, "type": external.variable.type_text,
                                   "source": external.source})
