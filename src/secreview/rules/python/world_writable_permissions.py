"""File or directory made writable by every user on the system.

## What it does
Flags constant permission modes that grant write access to "others"
(`mode & 0o002`, e.g. `0o777`, `0o666`, `stat.S_IWOTH`, `stat.S_IRWXO`)
given to `os.chmod`, `os.fchmod`, `os.lchmod`, `Path.chmod` (and other
`.chmod(path, mode)` methods), and to the creating calls `os.open`,
`os.mkdir`, `os.makedirs`, `os.mkfifo`, `Path.mkdir` and `Path.touch`.
The creating calls get low confidence (hidden by default): the process
umask (usually 022) still removes bits from their mode, and 0o666 / 0o777
are exactly what `open()` and `os.makedirs()` use by default, so they are a
defect only under a permissive umask (see `permissive-umask`); `chmod`
applies the mode exactly.

## Why is this bad?
Any local user or compromised service account can modify a world-writable
file: replace a script or configuration that a privileged process later
runs or reads, plant content in a cache or upload directory, truncate logs
to hide their tracks, or swap a file for a symlink. It turns a foothold as
any user into code execution or data tampering as the owner.

## Example
```python
import os

def save_config(path, text):
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o777)
```

## Use instead
```python
import os

def save_config(path, text):
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
```

## References
- https://cwe.mitre.org/data/definitions/732.html
- https://docs.python.org/3/library/os.html#os.chmod
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.constants import mode_value
from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

# callee -> (position, keyword) of the mode, and whether the umask applies
_EXACT = {"os.chmod": (1, "mode"), "os.fchmod": (1, "mode"), "os.lchmod": (1, "mode")}
_CREATING = {"os.open": (2, "mode"), "os.mkdir": (1, "mode"), "os.makedirs": (1, "mode"),
             "os.mkfifo": (1, "mode"), "os.mknod": (1, "mode")}
_PATH_METHODS = {"mkdir": (0, "mode"), "touch": (0, "mode")}


class WorldWritablePermissions(Rule):
    id = "world-writable-permissions"
    cwe = 732
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "World-writable mode {mode} set by `{callee}`: {code}"
    description = (
        "`{code}` gives mode {mode}, which lets every user on the machine write to this file or "
        "directory{umask}. Any local account or compromised service can replace its content: plant code "
        "or configuration that a privileged process later runs or trusts, tamper with data or logs, or "
        "swap entries for symlinks."
    )
    solution = (
        "Grant only what the owner (and, if needed, the group) requires, e.g. `{fixed}` (0o600 for "
        "secrets, 0o644 for public files, 0o700/0o755 for directories); share files through a group "
        "rather than through the 'other' write bit."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        seen: set[int] = set()
        for call in file.calls_to(*_EXACT, *_CREATING):
            seen.add(call.node.start_byte)
            name = call.name or ""
            position = _EXACT.get(name) or _CREATING[name]
            yield from self._check(file, call, call.arg(*position), exact=name in _EXACT)
        for call in file.method_calls("chmod", "lchmod", *_PATH_METHODS):
            if call.node.start_byte in seen or call.receiver is None or file.text_of(call.receiver) == "os":
                continue
            if call.method in _PATH_METHODS:
                mode = call.arg(*_PATH_METHODS[call.method])
                if call.method == "mkdir" and len(call.args) > 1:  # sftp.mkdir(path, mode)
                    mode = call.args[1]
                yield from self._check(file, call, mode, exact=False)
            else:
                mode = call.kwargs.get("mode") or (call.args[-1] if 1 <= len(call.args) <= 2 else None)
                yield from self._check(file, call, mode, exact=True)

    @staticmethod
    def _check(file: PyFile, call: Call, node, *, exact: bool) -> Iterator[Hit]:
        mode = mode_value(file, node)
        if mode is None or not mode & 0o002:
            return
        start, end = node.start_byte - call.node.start_byte, node.end_byte - call.node.start_byte
        text = file.data[call.node.start_byte:call.node.end_byte]
        fixed = (text[:start] + f"0o{mode & ~0o022:03o}".encode() + text[end:]).decode("utf-8", "replace")
        yield Hit(call.node, {
            "callee": call.name or call.method or "chmod",
            "mode": f"0o{mode:03o}",
            "umask": "" if exact else " (unless the process umask happens to remove the bit)",
            "fixed": shorten(fixed, 80),
        }, confidence=None if exact else Confidence.LOW)
