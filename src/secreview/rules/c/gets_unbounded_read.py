"""Line read with `gets()`, which cannot limit how much it writes.

## What it does
Flags calls to `gets` and `_getws`, which read a line from standard input into
a buffer without being told the buffer's size.

## Why is this bad?
`gets` keeps writing until it meets a newline, however long the line is. Any
input longer than the buffer overwrites the memory after it: the stack frame's
saved registers and return address for a local array. Whoever controls the
input controls the overflow (the Morris worm's entry point). The function was
removed from C11 and C++14 for this reason (CWE-242).

## Example
```c
#include <stdio.h>

void ask_name(void) {
    char name[32];
    gets(name);
}
```

## Use instead
```c
#include <stdio.h>
#include <string.h>

void ask_name(void) {
    char name[32];
    if (fgets(name, sizeof name, stdin) != NULL)
        name[strcspn(name, "\n")] = '\0';
}
```

## References
- https://cwe.mitre.org/data/definitions/242.html
- https://en.cppreference.com/w/c/io/gets
"""

from __future__ import annotations

from secreview.model import Confidence, Evidence, Severity
from secreview.rules.c import CCallRule


class GetsUnboundedRead(CCallRule):
    id = "gets-unbounded-read"
    cwe = 242
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = ("gets", "_getws")
    message = "`{callee}` reads a line of any length into a fixed buffer: {code}"
    description = (
        "`{code}` copies a whole input line into its buffer without knowing the buffer's size. A line longer "
        "than the buffer overwrites the memory that follows it (for a local array, the stack frame and return "
        "address), so whoever writes the input can crash the program or take over its control flow."
    )
    solution = (
        "Use `fgets(buffer, sizeof buffer, stdin)` (then strip the newline) or `getline()`, which never write "
        "more than the size they are given."
    )
