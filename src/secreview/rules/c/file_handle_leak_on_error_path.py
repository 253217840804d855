"""Open file, socket or directory handle not closed on an early return.

## What it does
Flags an exit of a function that leaves while it still holds a handle from
`fopen`, `open`, `socket`, `accept`, `popen` or `opendir` (or an opening
function of the same file) where another path closes it or hands it on. The
value-flow engine follows the handle and its copies on every path: a path
where the open failed (the pointer was found NULL, the descriptor negative)
leaks nothing; storing the handle, returning it or passing it to code that may
keep it hands it on. One finding per handle, at its first leaking exit, with
the others listed. Shown by default when the path is one of its own and the
exit is an error exit (a `return` inside a branch, or after a cleanup label);
otherwise in the audit profile.

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
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow.ownership import definite_error_path_leak, leak_placeholders, leaks_in


class FileHandleLeakOnErrorPath(ValueFlowRule):
    id = "file-handle-leak-on-error-path"
    cwe = 775
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "This exit leaks handle `{name}`, opened by `{callee}` on line {acquired_line} ({reason})"
    description = (
        "`{code}` leaves the function while `{name}`, opened by `{callee}` on line {acquired_line}, is still "
        "open: nothing on this path closes it or passes it on, {elsewhere}. Exits that leak it: {exits}. Anyone "
        "who can trigger this error path repeatedly exhausts the process's descriptors, after which every "
        "open, accept and socket call fails."
    )
    solution = "Close `{name}` on this path before returning, or funnel all exits through one cleanup label."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in leaks_in(file, "handle"):
            if event.via_line:
                yield Hit(event.node, leak_placeholders(event),
                          evidence=Evidence.DEFINITE if definite_error_path_leak(event) else None)
