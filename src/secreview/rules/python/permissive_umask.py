"""Process umask that lets every user write new files.

## What it does
Flags `os.umask(mask)` with a constant mask that does not clear the
"other write" bit (`mask & 0o002 == 0`), most often `os.umask(0)`. The
idiom that reads the current mask and restores it at once
(`old = os.umask(0); os.umask(old)`) is not reported.

## Why is this bad?
The umask is the default-permission filter for every file, directory,
socket and FIFO the process (and its children) creates afterwards. With a
mask of 0, `open(path, "w")` creates 0o666 files and `os.makedirs` 0o777
directories: any local user can then rewrite logs, caches, uploaded files,
PID files or generated configuration, or replace them with symlinks to make
the process overwrite something else.

## Example
```python
import os

def daemonize():
    os.setsid()
    os.umask(0)
```

## Use instead
```python
import os

def daemonize():
    os.setsid()
    os.umask(0o027)
```

## References
- https://cwe.mitre.org/data/definitions/276.html
- https://docs.python.org/3/library/os.html#os.umask
"""

from __future__ import annotations

from secreview.lang.python.constants import mode_value
from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules.python import CallRule


class PermissiveUmask(CallRule):
    id = "permissive-umask"
    cwe = 276
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = ("os.umask",)
    message = "umask {mask} lets every user write files this process creates: {code}"
    description = (
        "`{code}` sets the process umask to {mask}, which keeps the 'other write' bit: every file, "
        "directory, socket or FIFO created afterwards by this process or its children (logs, caches, "
        "uploads, PID files, generated configuration) is writable by any local user, who can rewrite "
        "it or replace it with a symlink."
    )
    solution = (
        "Use a restrictive umask such as `os.umask(0o077)` (owner only) or `os.umask(0o027)`, and give "
        "files that must be shared an explicit mode when you create them."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        mask = mode_value(file, call.arg(0, "mask"))
        if mask is None or mask & 0o002 or self._restored(file, call):
            return None
        return {"mask": f"0o{mask:03o}"}

    @staticmethod
    def _restored(file: PyFile, call: Call) -> bool:
        """`old = os.umask(0)` followed by `os.umask(old)`: reading the mask, not setting it."""
        parent = call.node.parent
        if parent is None or parent.type != "assignment":
            return False
        left = parent.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return False
        name = file.text_of(left)
        scope = file.enclosing_scope(call.node)
        return any(later.node.start_byte > call.node.start_byte and file.enclosing_scope(later.node) == scope
                   and later.args and file.text_of(later.args[0]) == name
                   for later in file.calls_to("os.umask"))
