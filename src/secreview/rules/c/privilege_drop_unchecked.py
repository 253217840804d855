"""Result of `setuid`/`setgid`/`seteuid` ignored when dropping privileges.

## What it does
Flags calls to `setuid`, `setgid`, `seteuid`, `setegid`, `setreuid`,
`setregid`, `setresuid`, `setresgid`, `setgroups` and `initgroups` used as a
statement on their own, their return value discarded.

## Why is this bad?
These calls fail: when the process lacks `CAP_SETUID`, when `RLIMIT_NPROC`
is reached for the target user, or in restricted containers. If the failure
is ignored the program carries on with root privileges while believing it
dropped them, and everything it does next on behalf of the user runs as root
(CWE-273). Attackers have triggered the `RLIMIT_NPROC` failure on purpose.

## Example
```c
#include <unistd.h>

void drop_privileges(uid_t uid, gid_t gid) {
    setgid(gid);
    setuid(uid);
}
```

## Use instead
```c
#include <stdlib.h>
#include <unistd.h>

void drop_privileges(uid_t uid, gid_t gid) {
    if (setgid(gid) != 0 || setuid(uid) != 0)
        abort();
}
```

## References
- https://cwe.mitre.org/data/definitions/273.html
- https://wiki.sei.cmu.edu/confluence/display/c/POS37-C.+Ensure+that+privilege+relinquishment+is+successful
"""

from __future__ import annotations

from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules.c import CCallRule


class PrivilegeDropUnchecked(CCallRule):
    id = "privilege-drop-unchecked"
    cwe = 273
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = ("setuid", "setgid", "seteuid", "setegid", "setreuid", "setregid", "setresuid", "setresgid",
               "setgroups", "initgroups")
    message = "Result of `{callee}` is ignored: a failed privilege change goes unnoticed"
    description = (
        "`{code}` can fail (missing capability, RLIMIT_NPROC reached for the target user, container "
        "restrictions), and its result is discarded. The program then continues with its old, usually root, "
        "privileges while acting as if it had dropped them, so everything it does for the user next runs "
        "with full privileges."
    )
    solution = "Check the result and stop on failure: `if ({callee}(...) != 0) abort();` (and verify with getuid/geteuid afterwards)."

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        parent = call.node.parent
        while parent is not None and parent.type in ("cast_expression", "parenthesized_expression"):
            if parent.type == "cast_expression":
                break  # `(void)setuid(...)` still discards it
            parent = parent.parent
        if parent is not None and parent.type == "cast_expression":
            parent = parent.parent
        return {} if parent is not None and parent.type == "expression_statement" else None
