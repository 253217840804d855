"""String appended with `strcat()` without checking the room left in the buffer.

## What it does
Flags `strcat`, `wcscat`, `_mbscat` and `lstrcat` calls whose appended string is
not a literal.

## Why is this bad?
`strcat` appends the whole source after whatever the destination already
holds, without knowing the destination's size. When the combined length
exceeds the buffer, the copy runs past its end and overwrites adjacent memory;
input that reaches the source decides how much and with what (CWE-120).

## Example
```c
#include <string.h>

void build_path(char *path, const char *name) {
    char full[64] = "/var/data/";
    strcat(full, name);
}
```

## Use instead
```c
#include <stdio.h>

void build_path(char *path, const char *name) {
    char full[64];
    if (snprintf(full, sizeof full, "/var/data/%s", name) >= (int)sizeof full)
        return;
}
```

## References
- https://cwe.mitre.org/data/definitions/120.html
- https://wiki.sei.cmu.edu/confluence/display/c/STR31-C.+Guarantee+that+storage+for+strings+has+sufficient+space+for+character+data+and+the+null+terminator
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import UnboundedCopyRule


class StrcatUnboundedAppend(UnboundedCopyRule):
    id = "strcat-unbounded-append"
    cwe = 120
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    appends = True
    callees = ("strcat", "wcscat", "_mbscat", "lstrcat", "lstrcatA", "lstrcatW", "_tcscat", "StrCat")
    message = "`{callee}` appends `{source}` to `{destination}` without checking the room left"
    description = (
        "`{code}` appends `{source}` after the current contents of `{destination}` (a buffer {room}) without "
        "any length check. When the two strings together are longer than the buffer, the copy runs past its "
        "end and overwrites adjacent memory; if `{source}` can be influenced from outside, an attacker "
        "chooses how far and with which bytes."
    )
    solution = (
        "Build the string with one bounded call and check for truncation, e.g. `snprintf({destination}, "
        "sizeof {destination}, \"%s%s\", prefix, {source})`, or check `strlen({destination}) + "
        "strlen({source}) < sizeof {destination}` before appending (or use `strlcat`)."
    )
