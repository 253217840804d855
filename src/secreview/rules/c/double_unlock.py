"""Lock given back twice.

## What it does
Flags giving back a lock (`pthread_mutex_unlock(&m)`, `mtx_unlock`,
`m.unlock()` on a `std::mutex` or `QMutex`, or on a `std::unique_lock` or
`QMutexLocker`) that the same path of the function already gave back, with
no take in between, as the value-flow engine follows it. Only gives after
a give in the same function count: a function that unlocks what its caller
locked is not flagged. Recursive locks are left out.

## Why is this bad?
Unlocking a mutex the thread does not hold is undefined behaviour for
`pthread_mutex_unlock` on a default mutex and for `std::mutex`: it can
release a lock another thread holds, letting two threads into the section
the lock protects, or corrupt the mutex so that later takes hang (CWE-765).

## Example
```c
#include <pthread.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

int flush_cache(int failed) {
    pthread_mutex_lock(&cache_lock);
    pthread_mutex_unlock(&cache_lock);
    if (failed) {
        pthread_mutex_unlock(&cache_lock);
        return -1;
    }
    return 0;
}
```

## Use instead
```c
#include <pthread.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

int flush_cache(int failed) {
    pthread_mutex_lock(&cache_lock);
    pthread_mutex_unlock(&cache_lock);
    if (failed)
        return -1;
    return 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/765.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class DoubleUnlock(ValueFlowRule):
    id = "double-unlock"
    cwe = 765
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "`{lock}` is given back again after line {line} gave it back"
    description = (
        "Line {line} gave `{lock}` back and nothing on this path took it since, so this unlocks a lock the "
        "thread does not hold: undefined behaviour that can release the lock for another thread's critical "
        "section or leave the mutex corrupted."
    )
    solution = "Give `{lock}` back exactly once on each path: remove this unlock, or take the lock again first."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("double-unlock"):
            if event.certain and event.origin is not None:
                yield Hit(event.node, {"lock": event.name, "line": str(event.origin.node.start_point[0] + 1)})
