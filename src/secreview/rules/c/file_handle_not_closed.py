"""File, socket or directory handle opened into a local and never closed.

## What it does
Flags `fopen`, `open`, `socket`, `accept`, `popen` and `opendir` results (and
those of opening functions of the same file) that no path of the function
closes, returns, stores or passes to code that could keep them, as the
value-flow engine follows them. A path where the open failed leaks nothing.
`main` is left alone: process exit closes its handles. Shown by default when
the leak is seen on a path of its own.

## Why is this bad?
Each call of the function keeps one more descriptor open. Descriptors are a
small, per-process resource; once exhausted, every later `open`, `accept`
or `socket` fails, so any user who can make the function run often can deny
service to everyone (CWE-775). Open handles are also inherited by child
processes.

## Example
```c
#include <stdio.h>

void append_log(const char *message) {
    FILE *log = fopen("/var/log/app.log", "a");
    if (log == NULL)
        return;
    fputs(message, log);
}
```

## Use instead
```c
#include <stdio.h>

void append_log(const char *message) {
    FILE *log = fopen("/var/log/app.log", "a");
    if (log == NULL)
        return;
    fputs(message, log);
    fclose(log);
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
from secreview.valueflow.ownership import leak_placeholders, leaks_in


class FileHandleNotClosed(ValueFlowRule):
    id = "file-handle-not-closed"
    cwe = 775
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "Handle `{name}` from `{callee}` is never closed, returned or handed on (the function leaves on line {exits})"
    description = (
        "`{code}` opens a handle that `{name}` holds, and no path of this function closes it, returns it or "
        "passes it to code that could keep it (exits that leak it: {exits}). Each call leaks one descriptor; "
        "anyone who can make the function run repeatedly exhausts the process's descriptor table, after which "
        "opening files and accepting connections fails for every user."
    )
    solution = "Close `{name}` when done with it (`fclose`, `close`, `closedir`, `pclose`), on every path out of the function."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in leaks_in(file, "handle"):
            if event.via_line == 0 and event.origin is not None:  # no path closes or hands it on
                yield Hit(event.origin.node, leak_placeholders(event),
                          evidence=Evidence.DEFINITE if event.certain else None)
