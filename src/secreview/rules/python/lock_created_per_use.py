"""A lock made afresh where it is taken: it excludes nothing.

## What it does
Flags a lock object created at the place it is used, so that each caller takes its own lock: a `with`
whose item constructs one (`with threading.Lock():`), or a lock made by a function into a local
variable that is only ever taken and released there (`lock = threading.RLock()` then `with lock:` or
`lock.acquire()`), never returned, passed on, stored or used by a nested function. The lock
constructors are data (knowledge/locks.py `LOCK_CONSTRUCTORS`: `threading`, `multiprocessing`,
`asyncio`, `eventlet`, `gevent`); named locks (`lockutils.lock(name)`, file locks) are shared through
their name and are not flagged.

## Why is this bad?
A lock excludes only the threads that take the *same* lock object. One created for each use is held
by nobody else, so the block it "protects" runs concurrently in every thread as if there were no lock
at all: the lazy initialisation, counter update or check-then-act it was meant to serialise races
(CWE-667). The code reads as thread-safe, so nobody looks for the race when it shows up under load.

## Example
```python
import threading

application = None
with threading.Lock():
    if application is None:
        application = initialize_application()
```

## Use instead
```python
import threading

application = None
lock = threading.Lock()
with lock:
    if application is None:
        application = initialize_application()
```

## References
- https://cwe.mitre.org/data/definitions/667.html
- https://docs.python.org/3/library/threading.html#lock-objects
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.locks import ACQUIRE_METHODS, LOCK_CONSTRUCTORS, RELEASE_METHODS
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.scopes import descendants, function_of
from secreview.lang.python.syntax import line_of, unwrap
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_TAKING = ACQUIRE_METHODS | RELEASE_METHODS | {"locked"}


class LockCreatedPerUse(Rule):
    id = "lock-created-per-use"
    cwe = 667
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # a lock nobody else can take serialises nothing: no safe reading
    message = "`{lock}` makes a new lock where it is taken: no other thread can hold it, so it excludes nothing"
    description = (
        "`{lock}` (line {made_line}) creates a lock object {where}, so every caller takes its own, separate "
        "lock. A lock excludes only the threads that take the same object: the block it guards runs "
        "concurrently in every thread as if it were not there, and whatever it was meant to serialise races."
    )
    solution = (
        "Create the lock once where every caller shares it (a module-level `_lock = threading.Lock()`, or "
        "`self._lock` set in `__init__`) and take that one: `with _lock:`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls_to(*LOCK_CONSTRUCTORS):
            item = call.node.parent
            if item is not None and item.type == "as_pattern":
                item = item.parent  # `with threading.Lock() as held:`
            if item is not None and item.type == "with_item":
                yield Hit(call.node, {"lock": file.text_of(call.node), "made_line": str(line_of(call.node)),
                                      "where": "in the `with` statement that takes it"})
                continue
            taken = _taken_only_here(file, call)
            if taken is not None:
                yield Hit(taken, {"lock": file.text_of(call.node), "made_line": str(line_of(call.node)),
                                  "where": "in a local variable each time the function runs, and only this "
                                           "call of the function ever takes it"})


def _taken_only_here(file: PyFile, call: Call) -> ts.Node | None:
    """Where a function takes the lock it made into a local name, when that is all it does with it."""
    function = function_of(file, call.node)
    assignment = call.node.parent
    if function is None or assignment is None or assignment.type != "assignment" \
            or unwrap(assignment.child_by_field_name("right")) != call.node:
        return None
    target = assignment.child_by_field_name("left")
    if target is None or target.type != "identifier":
        return None
    name = file.text_of(target)
    first_take = None
    for ident in descendants(function, frozenset({"identifier"}), stop=frozenset()):
        if file.text_of(ident) != name or ident == target:
            continue
        if function_of(file, ident) != function or not _is_taken(file, ident):
            return None  # used by a nested function, passed on, returned, stored, or rebound
        first_take = first_take or ident
    return first_take


def _is_taken(file: PyFile, ident: ts.Node) -> bool:
    """`with <ident>:` or `<ident>.acquire()` / `.release()` / `.locked()`."""
    parent = ident.parent
    if parent is not None and parent.type == "with_item":
        return True
    if parent is None or parent.type != "attribute" or parent.child_by_field_name("object") != ident:
        return False
    method = file.text_of(parent.child_by_field_name("attribute"))
    return method in _TAKING and parent.parent is not None and parent.parent.type == "call"
