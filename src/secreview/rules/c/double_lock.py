"""Lock taken again by the thread that already holds it.

## What it does
Flags taking a lock that the same path of the function already holds, as the
value-flow engine follows it: `pthread_mutex_lock(&m)` (or `mtx_lock`,
`AcquireSRWLockExclusive`, `m.lock()` on a `std::mutex` or `QMutex`, a
`std::lock_guard`/`std::unique_lock`/`QMutexLocker` declared on it) while an
earlier take of `m` on that path was not given back, directly or in a
function of the file that is called with the lock held and takes it too.
Recursive locks (`std::recursive_mutex`, `QRecursiveMutex`, critical
sections, pthread mutexes in a file that makes them recursive) are left out,
and so are try-locks, whose result says whether they took it. A C++ guard
gives its lock back at the end of its block.

## Why is this bad?
A non-recursive mutex taken twice by one thread never becomes free: the
second take waits for the first holder, which is the thread itself. The
thread hangs, and with it every other thread that needs the lock: a denial
of service that any request reaching this path can trigger (CWE-764). For
`std::mutex` it is undefined behaviour.

## Example
```c
#include <pthread.h>

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int entries;

static void add_entry(void) {
    pthread_mutex_lock(&table_lock);
    entries++;
    pthread_mutex_unlock(&table_lock);
}

void rebuild(void) {
    pthread_mutex_lock(&table_lock);
    entries = 0;
    add_entry();
    pthread_mutex_unlock(&table_lock);
}
```

## Use instead
```c
#include <pthread.h>

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int entries;

static void add_entry_locked(void) {
    entries++;
}

void rebuild(void) {
    pthread_mutex_lock(&table_lock);
    entries = 0;
    add_entry_locked();
    pthread_mutex_unlock(&table_lock);
}
```

## References
- https://cwe.mitre.org/data/definitions/764.html
- https://wiki.sei.cmu.edu/confluence/display/c/POS51-C.+Avoid+deadlock+with+POSIX+threads+by+locking+in+predefined+order
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class DoubleLock(ValueFlowRule):
    id = "double-lock"
    cwe = 764
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "`{lock}` is taken again{how} while this path still holds it from line {line}"
    description = (
        "Line {line} took `{lock}` and nothing on this path gave it back, so taking it again{how} waits for "
        "a lock the thread itself holds. A non-recursive lock never becomes free then: the thread hangs, and "
        "so does every thread that needs `{lock}`."
    )
    solution = ("Take `{lock}` once: give it back before the second take, or call a variant of the function "
                "that expects the lock to be held already. Use a recursive lock only if re-entry is intended.")

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("double-lock"):
            if event.certain and event.origin is not None:
                how = f" inside `{event.via}()`" if event.via else ""
                yield Hit(event.node, {"lock": event.name, "how": how,
                                       "line": str(event.origin.node.start_point[0] + 1)})
