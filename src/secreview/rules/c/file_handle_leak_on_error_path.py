"""Open file, socket or directory handle not closed on an early return.

## What it does
Flags an early `return` (inside an `if`, `else` or `switch`) that leaves a
function while a local variable still holds a handle from `fopen`, `open`,
`socket`, `accept`, `popen` or `opendir` acquired before it, and nothing on
that path closes it, returns it or hands it on.

## Why is this bad?
Each process has a limited number of descriptors. An error path that forgets
to close one can be triggered repeatedly from outside (a bad request, a
missing file) until `open`, `accept` and `socket` start failing for every
user: a denial of service (CWE-775). Leaked descriptors are also inherited by
child processes, exposing files they should not see.

## Example
```c
#include <stdio.h>

int first_line(const char *path, char *line, int size) {
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    if (fgets(line, size, in) == NULL)
        return -1;
    fclose(in);
    return 0;
}
```

## Use instead
```c
#include <stdio.h>

int first_line(const char *path, char *line, int size) {
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    int status = fgets(line, size, in) == NULL ? -1 : 0;
    fclose(in);
    return status;
}
```

## References
- https://cwe.mitre.org/data/definitions/775.html
- https://wiki.sei.cmu.edu/confluence/display/c/FIO42-C.+Close+files+when+they+are+no+longer+needed
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import FILES, error_path_leaks
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class FileHandleLeakOnErrorPath(CRule):
    id = "file-handle-leak-on-error-path"
    cwe = 775
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Early return leaks handle `{name}`, opened by `{callee}` on line {acquired_line}"
    description = (
        "`{code}` leaves the function while `{name}`, opened by `{callee}` on line {acquired_line}, is still "
        "open; nothing on this path closes it or passes it on. Anyone who can trigger this error path "
        "repeatedly exhausts the process's descriptors, after which every open, accept and socket call fails."
    )
    solution = "Close `{name}` on this path before returning, or funnel all exits through one cleanup label."

    def check(self, file: CFile) -> Iterator[Hit]:
        for ret, acquisition in error_path_leaks(file, FILES):
            yield Hit(ret, acquisition.placeholders())
