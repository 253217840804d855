"""File or directory created or changed with permissions that let everyone write.

## What it does
Flags `chmod`, `fchmod`, `fchmodat`, `mkdir`, `mkfifo`, `open`, `openat` and
`creat` calls whose mode is a constant granting write access to other users
(`S_IWOTH`, or octal modes such as `0666`, `0777`, `0o2`).

## Why is this bad?
Any local user (or a compromised service running under another account) can
then modify the file: inject lines into a configuration, a script that a
privileged job runs, or a log that is trusted later; for directories, they
can replace the files in it (CWE-732).

## Example
```c
#include <sys/stat.h>

void publish(const char *path) {
    chmod(path, 0666);
}
```

## Use instead
```c
#include <sys/stat.h>

void publish(const char *path) {
    chmod(path, 0644);
}
```

## References
- https://cwe.mitre.org/data/definitions/732.html
- https://wiki.sei.cmu.edu/confluence/display/c/FIO06-C.+Create+files+with+appropriate+access+permissions
"""

from __future__ import annotations

from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule

_MODE_INDEX = {"chmod": 1, "fchmod": 1, "lchmod": 1, "fchmodat": 2, "mkdir": 1, "mkdirat": 2, "mkfifo": 1,
               "open": 2, "openat": 3, "creat": 1, "_open": 2}
_OTHER_WRITE = 0o002
_MODE_BITS = {"S_IWOTH": 0o002, "S_IRWXO": 0o007, "S_IRWXU": 0o700, "S_IRWXG": 0o070, "S_IRUSR": 0o400,
              "S_IWUSR": 0o200, "S_IXUSR": 0o100, "S_IRGRP": 0o040, "S_IWGRP": 0o020, "S_IXGRP": 0o010,
              "S_IROTH": 0o004, "S_IXOTH": 0o001, "ACCESSPERMS": 0o777, "ALLPERMS": 0o7777,
              "DEFFILEMODE": 0o666, "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000}


class WorldWritableFileMode(CCallRule):
    id = "world-writable-file-mode"
    cwe = 732
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    callees = tuple(_MODE_INDEX)
    message = "`{callee}` gives every user write access: mode {mode}"
    description = (
        "`{code}` uses mode `{mode}`, which includes write permission for all other users. Anyone on the "
        "system (or any compromised service account) can then change this file or directory: inject "
        "settings or commands that privileged code later trusts, or replace files inside a directory."
    )
    solution = (
        "Grant write access to the owner only (e.g. `0644` for files, `0755` for directories, or `0600`/"
        "`0700` for private data), and use group permissions when several accounts must write."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        mode = call.arg(_MODE_INDEX[call.method or ""])
        value = file.constant_value(mode)
        if not isinstance(value, int):
            value = self._symbolic_mode(file, file.text_of(mode)) if mode is not None else None
        if value is None or not value & _OTHER_WRITE:
            return None
        return {"mode": shorten(file.text_of(mode), 40)}

    @staticmethod
    def _symbolic_mode(file: CFile, text: str) -> int | None:
        """`S_IRUSR | S_IWOTH`: the flags from <sys/stat.h>, which the file itself does not define."""
        parts = [p.strip(" ()") for p in text.split("|")]
        if not parts or any(p not in _MODE_BITS for p in parts):
            return None
        value = 0
        for part in parts:
            value |= _MODE_BITS[part]
        return value
