"""File, socket or directory handle opened into a local and never closed.

## What it does
Flags `fopen`, `open`, `socket`, `accept`, `popen` and `opendir` results
stored in a local variable of a function that never closes them, never
returns them and never passes them to another variable or to a function that
could keep them. `main` is left alone: process exit closes its handles.

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
from secreview.lang.c_family.lifetime import FILES, unreleased
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class FileHandleNotClosed(CRule):
    id = "file-handle-not-closed"
    cwe = 775
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Handle `{name}` from `{callee}` is never closed, returned or handed on"
    description = (
        "`{code}` opens a handle into `{name}`, and nothing in this function closes it, returns it or passes "
        "it to code that could keep it. Each call leaks one descriptor; anyone who can make the function run "
        "repeatedly exhausts the process's descriptor table, after which opening files and accepting "
        "connections fails for every user."
    )
    solution = "Close `{name}` when done with it (`fclose`, `close`, `closedir`, `pclose`), on every path out of the function."

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in unreleased(file, FILES):
            yield Hit(acquisition.source, acquisition.placeholders())
