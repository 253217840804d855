"""File checked with `access`/`stat` and then opened by name (TOCTOU race).

## What it does
Flags `open`, `fopen`, `creat`, `chmod`, `chown`, `unlink`, `rename`,
`truncate`, `execve` and similar calls on a path after the same function
checked the same path with `access`, `eaccess`, `stat` or `lstat`.

## Why is this bad?
The check and the use look the file up by name at two different moments.
In between, anyone who can write to the directory can replace the file with
a symbolic link to another one: the program (often privileged, which is
why it checked with `access`) then opens, changes or deletes the target of
the attacker's choosing (CWE-367).

## Example
```c
#include <stdio.h>
#include <unistd.h>

FILE *open_report(const char *path) {
    if (access(path, W_OK) != 0)
        return NULL;
    return fopen(path, "w");
}
```

## Use instead
```c
#include <fcntl.h>
#include <stdio.h>

FILE *open_report(const char *path) {
    int fd = open(path, O_WRONLY | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    return fdopen(fd, "w");
}
```

## References
- https://cwe.mitre.org/data/definitions/367.html
- https://wiki.sei.cmu.edu/confluence/display/c/FIO45-C.+Avoid+TOCTOU+race+conditions+while+accessing+files
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family import flow
from secreview.lang.c_family.expressions import literal_text, same_expression
from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule

_CHECKS = ("access", "eaccess", "euidaccess", "faccessat", "stat", "lstat", "_access", "_waccess", "_stat",
           "stat64", "lstat64")
_USES = ("open", "fopen", "creat", "chmod", "chown", "lchown", "unlink", "remove", "rename", "truncate",
         "execve", "execv", "freopen", "_wfopen", "_open", "_wopen", "fopen64", "open64", "mkfifo", "link",
         "symlink")


class FileCheckThenOpen(CRule):
    id = "file-check-then-open"
    cwe = 367
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{callee}` uses `{path}` after `{check}` checked it on line {check_line} (race)"
    description = (
        "`{check}` on line {check_line} looks `{path}` up by name, and `{code}` looks it up again. Between "
        "the two, anyone who can write to the containing directory can swap the file for a symbolic link, "
        "so the program acts on a file of the attacker's choosing, with its own privileges, despite the check."
    )
    solution = (
        "Drop the separate check and act on the file once: open it (with `O_NOFOLLOW`, and `O_CREAT|O_EXCL` "
        "when creating), then check the open descriptor with `fstat`/`fchmod`; or drop privileges "
        "(`seteuid`) instead of checking with `access`."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        checks = file.calls_to(*_CHECKS)
        if not checks:
            return
        for use in file.calls_to(*_USES):
            path = use.arg(0)
            if path is None or literal_text(file, path) is not None:
                continue
            for check in checks:
                body = flow.body_of(file, check.node)
                if check.node.start_byte < use.node.start_byte and flow.inside(use.node, body) and \
                        same_expression(file, check.arg(1 if check.method == "faccessat" else 0), path):
                    yield Hit(use.node, {"callee": use.method or "open", "path": shorten(file.text_of(path)),
                                         "check": check.method or "access",
                                         "check_line": str(check.node.start_point[0] + 1)})
                    break
