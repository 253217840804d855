"""String copied with `strcpy()` into a buffer without checking that it fits.

## What it does
Flags `strcpy`, `wcscpy`, `stpcpy`, `_mbscpy` and `lstrcpy` calls whose source is not
a literal and is not known (from the declarations in the same function) to fit
the destination.  When the source buffer is larger than the destination, the
finding has high confidence.

## Why is this bad?
`strcpy` copies until the source's terminating NUL, whatever the size of the
destination. A longer source overwrites adjacent memory: other variables,
heap metadata or the return address. If the source comes from input, the
attacker picks both the length and the bytes written (CWE-120).

## Example
```c
#include <string.h>

void set_name(const char *input) {
    char name[16];
    strcpy(name, input);
}
```

## Use instead
```c
#include <stdio.h>

void set_name(const char *input) {
    char name[16];
    snprintf(name, sizeof name, "%s", input);
}
```

## References
- https://cwe.mitre.org/data/definitions/120.html
- https://wiki.sei.cmu.edu/confluence/display/c/STR31-C.+Guarantee+that+storage+for+strings+has+sufficient+space+for+character+data+and+the+null+terminator
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import UnboundedCopyRule


class StrcpyUnboundedCopy(UnboundedCopyRule):
    id = "strcpy-unbounded-copy"
    cwe = 120
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = ("strcpy", "wcscpy", "stpcpy", "_mbscpy", "lstrcpy", "lstrcpyA", "lstrcpyW", "_tcscpy", "StrCpy")
    message = "`{callee}` copies `{source}` into `{destination}` without a size limit"
    description = (
        "`{code}` copies `{source}` up to its terminating NUL into `{destination}` (a buffer {room}) and never "
        "checks the length. A longer source writes past the end of `{destination}` into neighbouring memory; "
        "if the source comes from input, an attacker chooses both how far and what is written, which can "
        "corrupt data or hijack control flow."
    )
    solution = (
        "Copy with an explicit bound and check for truncation, e.g. `if (snprintf({destination}, "
        "sizeof {destination}, \"%s\", {source}) >= (int)sizeof {destination}) /* reject */`, or `strlcpy` "
        "where available; validate `strlen({source})` before copying."
    )
