"""Object created with `new` (no Qt parent) leaked by an early return.

## What it does
Flags an exit of a function (a `return`, or the end of its body) that leaves
while the function still owns an object it created with `new`, where another
path deletes it or hands it on. The value-flow engine follows the pointer on
every path. The object has no owner: no constructor argument could adopt it
(`this`, a `parent`, a pointer), no method that hands it over (`setParent`,
`deleteLater`, ...) was called on it, and it was not stored in a member, a
global or a smart pointer, returned, or passed to other code.
Shown by default when the path is one of its own and the exit is an error exit
(a `return` inside a branch, or after a cleanup label); otherwise in the audit
profile.

## Why is this bad?
Error paths are the ones an attacker triggers at will: send a malformed
request and the function bails out. Each time, the object (and everything it
owns: buffers, sockets, child widgets) is lost; repeated, the process runs out
of memory or handles (CWE-401).

## Example
```cpp
#include <QFile>

bool load(const QString &path) {
    QFile *file = new QFile(path);
    if (!file->open(QIODevice::ReadOnly))
        return false;
    file->readAll();
    delete file;
    return true;
}
```

## Use instead
```cpp
#include <QFile>

bool load(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    file.readAll();
    return true;
}
```

## References
- https://cwe.mitre.org/data/definitions/401.html
- https://doc.qt.io/qt-6/objecttrees.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow.ownership import definite_error_path_leak, leak_placeholders, leaks_in


class HeapObjectLeakedOnErrorPath(ValueFlowRule):
    language = "cpp"
    languages = ("cpp",)
    id = "heap-object-leaked-on-error-path"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "This exit leaks `{name}`, created with `new` on line {acquired_line} without an owner"
    description = (
        "`{code}` leaves the function while it still owns the object created with `new` on line "
        "{acquired_line} (held by `{name}`): it has no parent or other owner and nothing on this path deletes "
        "it, {elsewhere}. Exits that leak it: {exits}. Anyone who "
        "can trigger this error path repeatedly (malformed input, a missing file) leaks the object and "
        "everything it holds each time, until memory or handles run out."
    )
    solution = (
        "Give the object an owner from the start: a stack object, `std::unique_ptr`/`QScopedPointer`, or a "
        "Qt parent (`new T(..., this)`); otherwise `delete {name};` before this exit."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in leaks_in(file, "object"):
            if event.via_line:
                definite = definite_error_path_leak(event)
                yield Hit(event.node, leak_placeholders(event), evidence=Evidence.DEFINITE if definite else None)
