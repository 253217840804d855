"""Two locks taken in opposite orders in two places.

## What it does
Flags taking lock B while holding lock A when another function of the file
(or another place in the same one) takes A while holding B, as the
value-flow engine follows them, directly or through functions of the file
that take a lock. Locks are compared by what they name: a global, a data
member of the class, or a member of a struct type reached through a pointer
(`s->lock` of any `struct session`). Locks taken together by `std::lock` or
`std::scoped_lock`, and pairs that a third lock held in both places keeps
apart, are left out. It is shown by default when both places name the same
two lock objects (globals, or members of the class); a pair of members of a
struct type reached through pointers, which may be two different objects,
is for the audit profile.

## Why is this bad?
Two threads running the two places at once can each take their first lock
and then wait for ever for the other's: a deadlock that hangs both threads
and everything waiting on either lock (CWE-833). It shows only under load,
so tests rarely catch it.

## Example
```c
#include <pthread.h>

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER;

void post_entry(void) {
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_lock(&journal_lock);
    pthread_mutex_unlock(&journal_lock);
    pthread_mutex_unlock(&accounts_lock);
}

void rotate_journal(void) {
    pthread_mutex_lock(&journal_lock);
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_unlock(&accounts_lock);
    pthread_mutex_unlock(&journal_lock);
}
```

## Use instead
```c
#include <pthread.h>

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER;

void post_entry(void) {
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_lock(&journal_lock);
    pthread_mutex_unlock(&journal_lock);
    pthread_mutex_unlock(&accounts_lock);
}

void rotate_journal(void) {
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_lock(&journal_lock);
    pthread_mutex_unlock(&journal_lock);
    pthread_mutex_unlock(&accounts_lock);
}
```

## References
- https://cwe.mitre.org/data/definitions/833.html
- https://wiki.sei.cmu.edu/confluence/display/c/CON35-C.+Avoid+deadlock+by+locking+in+a+predefined+order
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class LockOrderInversion(ValueFlowRule):
    id = "lock-order-inversion"
    cwe = 833
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "`{lock}` is taken while holding `{held}` (line {held_line}); `{other}()` takes them the other way round (line {other_line})"
    description = (
        "Here `{lock}` is taken while `{held}` is held, and `{other}()` takes `{held}` while holding `{lock}` "
        "(line {other_line}). Two threads running both at once can each hold one lock and wait for ever for "
        "the other: a deadlock."
    )
    solution = ("Take the two locks in one fixed order everywhere (document it), take them together "
                "(`std::scoped_lock(a, b)`), or give `{held}` back before taking `{lock}`.")

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("lock-order-inversion"):
            if event.origin is None:
                continue
            yield Hit(event.node, {"lock": event.name, "held": event.origin.callee,
                                   "held_line": str(event.origin.node.start_point[0] + 1),
                                   "other": event.via, "other_line": str(event.via_line)},
                      evidence=Evidence.DEFINITE if event.certain else None)
