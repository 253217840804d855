"""Shell command run with `system()` or `popen()` from non-constant text.

## What it does
Flags `system`, `popen`, `_popen`, `_wsystem` and `_wpopen` calls whose command
is not fixed by the program: neither a literal (or macro or constant) nor a
local buffer that only ever receives literal text.

## Why is this bad?
These functions hand the whole string to `/bin/sh -c` (or `cmd.exe /c`). If
any part of it comes from input (a file name, a host, a request field), shell
metacharacters such as `;`, `|`, `&&`, `$(...)` or backticks let an attacker
run any command with the program's privileges (CWE-78).

## Example
```c
#include <stdio.h>
#include <stdlib.h>

void ping(const char *host) {
    char command[256];
    snprintf(command, sizeof command, "ping -c 1 %s", host);
    system(command);
}
```

## Use instead
```c
#include <sys/wait.h>
#include <unistd.h>

void ping(const char *host) {
    pid_t pid = fork();
    if (pid == 0) {
        execlp("ping", "ping", "-c", "1", "--", host, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}
```

## References
- https://cwe.mitre.org/data/definitions/78.html
- https://wiki.sei.cmu.edu/confluence/display/c/ENV33-C.+Do+not+call+system%28%29
"""

from __future__ import annotations

from secreview.lang.c_family.expressions import is_constant_string
from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import DATA, CCallRule
from secreview.rules.c._taint import TaintJudged


class SystemNonLiteral(TaintJudged, CCallRule):
    id = "system-non-literal"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    vulnerability = "cmdi"
    callees = ("system", "popen", "_popen", "_wsystem", "_wpopen", "wsystem")
    message = "Shell command of `{callee}` is built from non-constant text: {argument}"
    description = (
        "`{code}` passes `{argument}` to the shell, and that text is not fixed by the program. If any part "
        "of it comes from input, shell metacharacters (`;`, `|`, `&&`, `$(...)`, backticks) let an attacker "
        "append and run arbitrary commands with this process's privileges."
    )
    solution = (
        "Run the program directly with `fork` + `execv`/`execvp` (or `posix_spawn`) and pass each value as "
        "its own argument, so no shell parses it; if a shell is unavoidable, validate the value against a "
        "strict allow-list first."
    )

    def matches(self, file: CFile, call: Call) -> dict | None:
        command = call.arg(0)
        if command is None or is_constant_string(file, command, call.node):
            return None
        return {"argument": shorten(file.text_of(command)), DATA: command}
