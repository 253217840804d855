"""Data member written on a thread and used elsewhere without a lock.

## What it does
Flags writes to a data member of a class inside code that runs on another
thread (`run()` of a `QThread` subclass, a method passed as `&Class::method`
to `std::thread`/`std::jthread`/`QThread::create`/`QtConcurrent::run`, or a
lambda capturing `this` passed to them) when another method of the class
reads or writes the same member, and neither function takes a lock
(`QMutexLocker`, `std::lock_guard`, `std::unique_lock`, `mutex.lock()`...).
Members of atomic or synchronisation types are left alone.

## Why is this bad?
Two threads touching the same memory without synchronisation is a data race:
undefined behaviour in C++. Readers see torn or stale values, compilers may
cache the member in a register forever, and check-then-act sequences
interleave. Races on flags, sizes and pointers lead to crashes, use after
free and security checks evaluated on inconsistent state (CWE-362).

## Example
```cpp
#include <QThread>

class Downloader : public QThread {
public:
    int received() const { return m_received; }
protected:
    void run() override {
        for (int i = 0; i < 100; ++i)
            m_received = i;
    }
private:
    int m_received = 0;
};
```

## Use instead
```cpp
#include <QThread>
#include <atomic>

class Downloader : public QThread {
public:
    int received() const { return m_received.load(); }
protected:
    void run() override {
        for (int i = 0; i < 100; ++i)
            m_received = i;
    }
private:
    std::atomic<int> m_received{0};
};
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://doc.qt.io/qt-6/threads-synchronizing.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c._helpers import CppRule
from secreview.rules.cpp._threads import ThreadedClass, is_locked_at, member_accesses, threaded_classes


class MemberDataRaceInThread(CppRule):
    id = "member-data-race-in-thread"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{member}` is written on a thread in {entry} and used in `{other}()` without a lock"
    description = (
        "`{code}` writes `{member}` from {entry}, which runs on its own thread, while `{other}()` accesses the "
        "same member from another thread; neither takes a lock and the member is not atomic. That data race "
        "is undefined behaviour: readers see torn or stale values and interleaved updates, which breaks any "
        "check or pointer that depends on `{member}`."
    )
    solution = (
        "Protect every access to `{member}` with the same mutex (`QMutexLocker locker(&m_mutex);` or "
        "`std::lock_guard<std::mutex> lock(m_mutex);`), make it `std::atomic`/`QAtomicInt` if it is a "
        "single value, or hand results over with queued signals."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for cls in threaded_classes(file):
            entry_nodes = {id(node) for _, node in cls.entries}
            for label, entry in cls.entries:
                yield from self._races(file, cls, label, entry, entry_nodes)

    def _races(self, file: CFile, cls: ThreadedClass, label: str, entry: ts.Node,
               entry_nodes: set[int]) -> Iterator[Hit]:
        reported = set()
        for member, node, written in member_accesses(file, cls, entry):
            if not written or member in reported or is_locked_at(file, node):
                continue
            other = self._unlocked_user(file, cls, member, entry, entry_nodes)
            if other is not None:
                reported.add(member)
                yield Hit(node.parent if node.parent is not None else node,
                          {"member": member, "entry": label, "other": other})

    def _unlocked_user(self, file: CFile, cls: ThreadedClass, member: str, entry: ts.Node,
                       entry_nodes: set[int]) -> str | None:
        for name, functions in cls.methods.items():
            if name in (cls.name, "~" + cls.name):
                continue  # construction and destruction happen before the thread starts / after it joins
            for function in functions:
                if id(function) in entry_nodes or function == entry or _contains(function, entry):
                    continue
                if any(m == member and not is_locked_at(file, n) for m, n, _ in member_accesses(file, cls, function)):
                    return name
        return None


def _contains(outer: ts.Node, inner: ts.Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte
