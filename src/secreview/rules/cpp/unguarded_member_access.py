"""C++ data member used without the lock that guards its writes elsewhere.

## What it does
Flags a read or write of a data member of the class (`count_`,
`this->count_`) in a method that holds no lock there, when another method
of the file writes the same member while holding a lock (`std::mutex`,
`QMutex`, a `std::lock_guard`/`QMutexLocker`, a pthread mutex, or a lock
wrapper of the file), as the value-flow engine follows the methods. Such a
write says the class expects the member to be reached from several
threads. Constructors and destructors are left out, and so are methods
that every call in the file makes with a lock held (`updateLocked()`
called inside the locked section). Atomics and locks themselves are never
flagged.

## Why is this bad?
The unguarded access races with the guarded write: a reader can see a
half-updated value or a pointer already freed by the writer, and two
writers can lose an update. Data races are undefined behaviour in C++ and
the source of crashes that show up only under load (CWE-362).

## Example
```cpp
#include <mutex>

class Counter {
public:
    void add(int n) {
        std::lock_guard<std::mutex> guard(mutex_);
        total_ += n;
    }
    int total() const { return total_; }
private:
    mutable std::mutex mutex_;
    int total_ = 0;
};
```

## Use instead
```cpp
#include <mutex>

class Counter {
public:
    void add(int n) {
        std::lock_guard<std::mutex> guard(mutex_);
        total_ += n;
    }
    int total() const {
        std::lock_guard<std::mutex> guard(mutex_);
        return total_;
    }
private:
    mutable std::mutex mutex_;
    int total_ = 0;
};
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://wiki.sei.cmu.edu/confluence/display/cplusplus/CON51-CPP.+Ensure+actively+held+locks+are+released+on+exceptional+conditions
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class UnguardedMemberAccess(ValueFlowRule):
    language = "cpp"
    id = "unguarded-member-access"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{member}` is {how} here without a lock; `{writer}()` writes it holding `{lock}` (line {line})"
    description = (
        "`{writer}()` writes `{member}` while holding `{lock}` (line {line}), so the class expects other "
        "threads to reach it; here it is {how} with no lock held. The two can run at once: a data race, "
        "which can show a half-written value or lose an update."
    )
    solution = "Take `{lock}` around this access too (an RAII guard such as `std::lock_guard`), or make `{member}` atomic."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("unguarded-member-access"):
            if event.origin is not None:
                yield Hit(event.node, {"member": event.name, "how": "written" if event.write else "read",
                                       "writer": event.via, "lock": event.origin.callee or "a lock",
                                       "line": str(event.via_line)})
