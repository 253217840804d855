"""Object created with `new` (no Qt parent) leaked by an early return.

## What it does
Flags an early `return` (inside an `if`, `else` or `switch`) that leaves a
function while a local pointer still owns an object created with `new` before
it: the object was given no owner (for Qt objects, no parent such as `this`
in the constructor and no later `setParent`), and nothing on that path
deletes it, returns it, stores it or passes it on.

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

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP, Acquisition, acquisitions, leaking_returns, owned_at_birth
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CppRule

# Calls on the object that hand it to an owner (Qt object tree, deferred deletion, smart pointers).
_OWNERSHIP_METHODS = frozenset({"setParent", "deleteLater", "setParentItem", "reset"})


class HeapObjectLeakedOnErrorPath(CppRule):
    id = "heap-object-leaked-on-error-path"
    cwe = 401
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Early return leaks `{name}`, created with `new` on line {acquired_line} without an owner"
    description = (
        "`{code}` leaves the function while `{name}` still owns the object created with `new` on line "
        "{acquired_line}: it has no parent or other owner and nothing on this path deletes it. Anyone who "
        "can trigger this error path repeatedly (malformed input, a missing file) leaks the object and "
        "everything it holds each time, until memory or handles run out."
    )
    solution = (
        "Give the object an owner from the start: a stack object, `std::unique_ptr`/`QScopedPointer`, or a "
        "Qt parent (`new T(..., this)`); otherwise `delete {name};` before this return."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in acquisitions(file, HEAP):
            if acquisition.callee != "new" or self._owned(file, acquisition):
                continue
            for ret in leaking_returns(file, acquisition, HEAP):
                if self._adopted_before(file, acquisition, ret):
                    continue
                yield Hit(ret, {"name": acquisition.name,
                                "acquired_line": str(acquisition.source.start_point[0] + 1)})
                break

    def _owned(self, file: CFile, acquisition: Acquisition) -> bool:
        return owned_at_birth(file, acquisition.source)

    @staticmethod
    def _adopted_before(file: CFile, acquisition: Acquisition, ret: ts.Node) -> bool:
        """`obj->setParent(...)` / `obj->deleteLater()` ran between the creation and this return."""
        return any(call.method in _OWNERSHIP_METHODS and call.receiver is not None and
                   file.text_of(call.receiver) == acquisition.name
                   for call in file.calls if acquisition.source.end_byte <= call.node.start_byte < ret.start_byte)
