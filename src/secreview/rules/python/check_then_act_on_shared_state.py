"""A shared object's "not yet" flag is checked, then the object is brought to that state, with no lock.

## What it does
Flags an `if`/`elif` that reads a flag telling whether an object reached a state it keeps
(`x.configured`, `x.is_initialized()`, `x._started`, `x.loaded`: knowledge/concurrency.py
`STATE_FLAGS`) when the code that runs while the flag says "not yet" brings that same object to the
state: it calls an establishing method on it (`x.configure(...)`, `x.setup_drivers(...)`,
`x.start()`), or does some work and then sets the flag (`...; x.loaded = True`). The object must be
shared (lang/python/shared_state.py): a module global, a class attribute, an attribute of `self`
outside the constructors, or an object fetched from a registry (`self._store = kvs.get_store(name)`),
and the act must not run under a lock (`with lock:`, `lock.acquire()` ... `release()`, `@synchronized`,
`with task_manager.acquire(...)`: knowledge/locks.py and knowledge/concurrency.py); an act under a lock
was checked under it or is re-checked there (double-checked locking).
Confidence is medium when the act calls an establishing method on a global, a class attribute, a
fetched object, or `self` in a module that runs code concurrently (it imports `threading`, `eventlet`,
`oslo_messaging`...); low otherwise: the object may not be shared, and work done before setting a flag
by hand is often idempotent (a second look-up of the same handle), which a set-up method seldom is.

## Why is this bad?
The check and the act are two steps. Two threads, or two green threads when the act does I/O, both
see "not configured" and both configure: the object is set up twice (a `RegionAlreadyConfigured`
error in a request, two drivers loaded where one was expected), or the second caller sees the flag
already set while the first is still half-way and uses an object that is not ready (CWE-362). In a
service whose request handlers share managers and drivers this shows up under load as sporadic
errors and wrong behaviour that no single-threaded test reproduces.

## Example
```python
import threading

class Token:
    def __init__(self, kvs):
        self._store = kvs.get_key_value_store("token")
        if not self._store.is_configured:
            self._store.configure(backing_store="memory")
```

## Use instead
```python
import threading

STORE_LOCK = threading.Lock()

class Token:
    def __init__(self, kvs):
        self._store = kvs.get_key_value_store("token")
        with STORE_LOCK:
            if not self._store.is_configured:
                self._store.configure(backing_store="memory")
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://docs.python.org/3/library/threading.html#lock-objects
- https://wiki.sei.cmu.edu/confluence/display/java/VNA02-J.+Ensure+that+compound+operations+on+shared+variables+are+atomic
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import function_of
from secreview.lang.python.shared_state import (
    CLASS,
    FETCHED,
    GLOBAL,
    acts,
    concurrency_import,
    serialised,
    sharing,
    state_checks,
)
from secreview.lang.python.syntax import line_of
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule, shorten

_SHARED_AS = {
    GLOBAL: "the module global `{subject}`, which every thread of the process reaches",
    CLASS: "the class attribute `{subject}`, which every instance and thread reaches",
    FETCHED: "`{subject}`, an object fetched from a registry that other callers fetch too",
}


class CheckThenActOnSharedState(Rule):
    id = "check-then-act-on-shared-state"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{check}` and `{act}` (line {act_line}) on shared `{subject}` are two steps with no lock"
    description = (
        "Line {line} checks whether `{subject}` is {state} (`{check}`) and, when it is not, line {act_line} "
        "makes it so (`{act}`). `{subject}` is {shared}. With no lock between the check and the act, two "
        "threads or green threads can both see it not {state} and both run `{act}`: the object is set up "
        "twice (a duplicate-setup error, a second driver or connection replacing the first), or one caller "
        "sees the flag set while the other is still half-way and uses an object that is not ready."
    )
    solution = (
        "Hold one lock across the check and the act, and check again inside it: `with {lock}:` then "
        "`if not {check}: ...`. Or make the act itself idempotent and atomic (set the state once, "
        "eagerly, at start-up)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        concurrent = concurrency_import(file)
        for check in state_checks(file):
            function = function_of(file, check.read)
            kind = sharing(file, check.subject, function) if function is not None else None
            if kind is None:
                continue
            act = next((a for a in acts(file, check) if not serialised(file, a.node)), None)
            if act is None:
                continue
            subject = file.text_of(check.subject)
            shared = _SHARED_AS.get(kind, "reached through `self` outside a constructor, so every thread that uses "
                                          "this object reaches it")
            if kind not in _SHARED_AS and concurrent:
                shared += f" (this module imports `{concurrent}`, so its code runs concurrently)"
            confident = (kind in _SHARED_AS or concurrent is not None) and act.kind == "call"
            yield Hit(check.read, {
                "subject": subject, "state": check.state, "shared": shared.format(subject=subject),
                "check": shorten(file.text_of(check.read), 50),
                "act": shorten(file.text_of(act.node), 60), "act_line": str(line_of(act.node)),
                "lock": "self._lock" if subject.startswith("self") else "_lock",
            }, confidence=None if confident else Confidence.LOW)
