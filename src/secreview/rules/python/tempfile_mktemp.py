"""Temporary file name created with `tempfile.mktemp()` (race condition).

## What it does
Flags `tempfile.mktemp()` and the Python 2 `os.tempnam()` / `os.tmpnam()`,
which return a file name that does not exist yet without creating the file.

## Why is this bad?
Between the moment the name is chosen and the moment the program opens it,
another local user can create that path first, typically as a symlink to a
file the victim process may write (`~/.bashrc`, `/etc/passwd` when running
as root) or as a file they control. The program then writes its data into
the attacker's file or clobbers the symlink target, or reads attacker
content (CWE-377 / CWE-367 time-of-check to time-of-use).

## Example
```python
import tempfile

def write_report(data):
    path = tempfile.mktemp(suffix=".csv")
    with open(path, "w") as handle:
        handle.write(data)
    return path
```

## Use instead
```python
import tempfile

def write_report(data):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write(data)
    return handle.name
```

## References
- https://cwe.mitre.org/data/definitions/377.html
- https://docs.python.org/3/library/tempfile.html#tempfile.mktemp
"""

from __future__ import annotations

from secreview.model import Confidence, Evidence, Severity
from secreview.rules.python import CallRule


class TempfileMktemp(CallRule):
    id = "tempfile-mktemp"
    cwe = 377
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = ("tempfile.mktemp", "os.tempnam", "os.tmpnam")
    message = "Insecure temporary file name from `{callee}`: {code}"
    description = (
        "`{code}` only picks a name that does not exist yet; the file is created later, when the program "
        "opens it. In between, another local user can create that path first, as a symlink to a file this "
        "process may write or as a file they control, so the program overwrites the symlink target or "
        "reads and writes attacker-controlled content."
    )
    solution = (
        "Create the file atomically: `tempfile.NamedTemporaryFile(delete=False)` or `fd, path = "
        "tempfile.mkstemp()` (which opens with O_EXCL and mode 0o600), or `tempfile.mkdtemp()` / "
        "`TemporaryDirectory()` when you need a directory to put files in."
    )
