"""Allocated memory not freed on an early return.

## What it does
Flags an exit of a function (a `return`, or the end of its body) that leaves
while the function still owns memory from `malloc`, `calloc`, `strdup` or an
allocating function of the same file, where another path frees it or hands it
on. The value-flow engine follows the pointer and its copies on every path: a
path where the allocation failed (the pointer was found NULL) leaks nothing,
and a `goto` to a cleanup label is followed. One finding per allocation, at
its first leaking exit, with the others listed.
A function of the same file that stores what it is given only when it
succeeds (`if (full) return -1; q->items[n++] = item; return 0;`) leaves the
memory to the caller when it fails: the engine follows both outcomes of the
call, so a caller that drops the memory when the call fails is flagged, and
one that frees it there is not.
Shown by default when the path is one of its own and the exit is an error exit
(a `return` inside a branch, or after a cleanup label) or follows such a failed
call; otherwise in the audit profile.

## Why is this bad?
Error paths are exactly the ones an attacker can trigger at will: send a
malformed request and the server takes the early return. Each time, the
block is lost; repeat it and the process runs out of memory (CWE-401, a
denial of service). Leaked buffers may also keep secrets in memory longer.

## Example
```c
#include <stdlib.h>
#include <string.h>

int parse(const char *input) {
    char *copy = malloc(strlen(input) + 1);
    if (copy == NULL)
        return -1;
    strcpy(copy, input);
    if (copy[0] != '{')
        return -1;
    free(copy);
    return 0;
}
```

## Use instead
```c
#include <stdlib.h>
#include <string.h>

int parse(const char *input) {
    char *copy = malloc(strlen(input) + 1);
    if (copy == NULL)
        return -1;
    strcpy(copy, input);
    if (copy[0] != '{') {
        free(copy);
        return -1;
    }
    free(copy);
    return 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/401.html
- https://wiki.sei.cmu.edu/confluence/display/c/MEM31-C.+Free+dynamically+allocated+memory+when+no+longer+needed
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow.ownership import definite_error_path_leak, leak_placeholders, leaks_in


class MemoryLeakOnErrorPath(ValueFlowRule):
    id = "memory-leak-on-error-path"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "This exit leaks `{name}`, allocated by `{callee}` on line {acquired_line} ({reason})"
    description = (
        "`{code}` leaves the function while it still owns the memory `{callee}` returned on line "
        "{acquired_line} (held by `{name}`); nothing on this path frees it or passes it on, {elsewhere}. Exits that leak it: {exits}. Error paths like this one can usually be "
        "triggered from outside at will (malformed input), so repeating the request leaks memory until the "
        "process is exhausted."
    )
    solution = (
        "Free `{name}` on this path before the function leaves (`free({name});`), or route every exit through "
        "one cleanup label (`goto out;` with `out: free({name});`)."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in leaks_in(file, "memory"):
            if event.via_line:
                definite = definite_error_path_leak(event)
                yield Hit(event.node, leak_placeholders(event), evidence=Evidence.DEFINITE if definite else None)
