"""Temporary file name from `tmpnam`, `tempnam` or `mktemp` (race condition).

## What it does
Flags `tmpnam`, `tmpnam_r`, `tempnam`, `mktemp` and their Windows forms
(`_tempnam`, `_mktemp`, `_wtmpnam`, `_wmktemp`...), which return a name that
did not exist a moment ago, without creating the file.

A name that the same function then opens with `O_CREAT | O_EXCL` (which fails
when the name already exists) is not reported.

## Why is this bad?
The program creates the file later, in a separate step. In between, another
local user can create that name in the shared temporary directory, usually as
a symbolic link to a file the program may write (`~/.ssh/authorized_keys`,
`/etc/passwd` when running as root). The program then writes into the
attacker's target or reads data the attacker planted (CWE-377).

## Example
```c
#include <stdio.h>

FILE *scratch(void) {
    char *name = tmpnam(NULL);
    return fopen(name, "w+");
}
```

## Use instead
```c
#include <stdio.h>
#include <stdlib.h>

FILE *scratch(void) {
    char name[] = "/tmp/scratch-XXXXXX";
    int fd = mkstemp(name);
    return fd < 0 ? NULL : fdopen(fd, "w+");
}
```

## References
- https://cwe.mitre.org/data/definitions/377.html
- https://wiki.sei.cmu.edu/confluence/display/c/FIO21-C.+Do+not+create+temporary+files+in+shared+directories
"""

from __future__ import annotations

from secreview.lang.c_family import flow
from secreview.lang.c_family.expressions import same_expression
from secreview.lang.c_family.file import Call, CFile
from secreview.lang.c_family.lifetime import bound_identifier
from secreview.model import Confidence, Evidence, Severity
from secreview.rules.c import CCallRule

_IN_PLACE = frozenset({"mktemp", "_mktemp", "_wmktemp", "_mktemp_s"})  # fill in their template argument
_OPENS = {"open": 1, "_open": 1, "_wopen": 1, "open64": 1, "openat": 2}


class InsecureTempFileName(CCallRule):
    id = "insecure-temp-file-name"
    cwe = 377
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = ("tmpnam", "tmpnam_r", "tempnam", "mktemp", "_tempnam", "_mktemp", "_wtmpnam", "_wtempnam",
               "_wmktemp", "_tmpnam", "_mktemp_s", "tmpnam_s")
    message = "`{callee}` returns a temporary file name without creating the file (race)"
    description = (
        "`{code}` only picks a name that does not exist yet; the file is created later by a separate call. "
        "In between, another local user can create that path in the shared temporary directory, typically "
        "as a symbolic link, so the program writes into a file of the attacker's choosing or reads "
        "attacker-controlled content."
    )
    solution = (
        "Create the file atomically with `mkstemp()` (or `tmpfile()`, or `open` with `O_CREAT|O_EXCL` and "
        "mode 0600) and use the descriptor it returns; use `mkdtemp()` for a private directory."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        return None if self._opened_exclusively(file, call) else {}

    def _opened_exclusively(self, file: CFile, call: Call) -> bool:
        """The name is then opened with O_CREAT|O_EXCL, which fails if someone created it first."""
        name = call.arg(0) if call.method in _IN_PLACE else bound_identifier(call.node)
        body = flow.body_of(file, call.node)
        if name is None or body is None:
            return False
        for opener in file.calls_to(*_OPENS):
            if opener.node.start_byte <= call.node.end_byte or not flow.inside(opener.node, body):
                continue
            flags = opener.arg(_OPENS[opener.method or ""])
            if same_expression(file, opener.arg(_OPENS[opener.method or ""] - 1), name) and \
                    flags is not None and "O_EXCL" in file.text_of(flags):
                return True
        return False
