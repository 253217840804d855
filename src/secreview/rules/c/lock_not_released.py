"""Function returns still holding a lock that its other paths give back.

## What it does
Flags a `return` (or the end of the function) reached with a lock the
function took by hand still held (`pthread_mutex_lock`, `mtx_lock`,
`EnterCriticalSection`, `m.lock()` on a `std::mutex` or `QMutex`, or a lock
wrapper of the same file), when other exits of the same function give it
back: the early return or error path that forgot the unlock. A function
that gives the lock back only where it fails and keeps it where it succeeds
is taking the lock for its caller and is not flagged; neither is a
function that keeps it on every exit. Guards (`std::lock_guard`,
`QMutexLocker`) give their lock back by themselves.

It is shown by default when the exit that keeps the lock returns nothing or
a failure (`-1`, `-EINVAL`, `NULL`, `false`); other exits are for the audit
profile.

## Why is this bad?
The lock stays taken after the function returns. The next caller that
takes it waits for ever, and so does every thread behind it: one request
that takes the error path hangs the whole service (CWE-667).

## Example
```c
#include <pthread.h>

struct queue {
    pthread_mutex_t lock;
    int count;
    int items[64];
};

int queue_push(struct queue *q, int item) {
    pthread_mutex_lock(&q->lock);
    if (q->count == 64)
        return -1;
    q->items[q->count++] = item;
    pthread_mutex_unlock(&q->lock);
    return 0;
}
```

## Use instead
```c
#include <pthread.h>

struct queue {
    pthread_mutex_t lock;
    int count;
    int items[64];
};

int queue_push(struct queue *q, int item) {
    int result = -1;
    pthread_mutex_lock(&q->lock);
    if (q->count < 64) {
        q->items[q->count++] = item;
        result = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return result;
}
```

## References
- https://cwe.mitre.org/data/definitions/667.html
- https://wiki.sei.cmu.edu/confluence/display/c/CON31-C.+Do+not+destroy+a+mutex+while+it+is+locked
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts
from secreview.valueflow.locks import is_failure_return


class LockNotReleased(ValueFlowRule):
    id = "lock-not-released"
    cwe = 667
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "This exit keeps `{lock}` (taken on line {line}) locked, while line {other} gives it back"
    description = (
        "`{lock}` was taken on line {line}, and this path leaves the function without giving it back, although "
        "the exit on line {other} does. The lock stays taken: the next thread that takes it waits for ever."
    )
    solution = ("Give `{lock}` back on this path too (a single exit with the unlock, a `goto out` that "
                "unlocks, or an RAII guard such as `std::lock_guard`).")

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("lock-not-released"):
            if not event.certain or event.origin is None:
                continue
            node = event.node
            plain = node.type != "return_statement" or len([c for c in node.named_children if c.type != "comment"]) == 0
            definite = plain or is_failure_return(file, node, returns_pointer=False)
            yield Hit(node, {"lock": event.name, "line": str(event.origin.node.start_point[0] + 1),
                             "other": str(event.via_line)},
                      evidence=Evidence.DEFINITE if definite else None)
