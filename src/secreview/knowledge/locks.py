"""Locks and transactions as data: what serialises the code it wraps, and what undoes shared state.

A function decorated with one of these runs under a lock: `@lockutils.synchronized(name)`
(oslo.concurrency, also re-exported as `utils.synchronized` by many projects),
`@synchronized` (wrapt and home-grown helpers), `@fasteners.interprocess_locked(path)`,
`@fasteners.locked`.  Decorators are matched by the last part of their callee's name, so
`@utils.synchronized(...)` and `@lockutils.synchronized(...)` are one entry.
"""

from __future__ import annotations

LOCK_DECORATORS: frozenset[str] = frozenset({
    "synchronized", "synchronised", "locked", "interprocess_locked", "interprocess_read_locked",
    "interprocess_write_locked", "read_locked", "write_locked", "serialized", "with_lock", "lock_file",
})

# Methods that take and give back a lock held by hand (`lock.acquire()` ... `lock.release()`).
ACQUIRE_METHODS: frozenset[str] = frozenset({"acquire", "acquire_lock", "lock"})
RELEASE_METHODS: frozenset[str] = frozenset({"release", "release_lock", "unlock"})

# Methods that undo a unit of work on failure: a database transaction's or a session's rollback.
ROLLBACK_METHODS: frozenset[str] = frozenset({"rollback", "rollback_transaction", "abort_transaction"})

# Calls that make a new, unnamed lock object (import-resolved names). Such a lock excludes only the
# code that uses this very object: made afresh for each use, it excludes nothing. (Named locks such as
# `lockutils.lock(name)` or `fasteners.InterProcessLock(path)` are shared through their name: not here.)
LOCK_CONSTRUCTORS: frozenset[str] = frozenset({
    "threading.Lock", "threading.RLock", "threading.Semaphore", "threading.BoundedSemaphore",
    "threading.Condition", "_thread.allocate_lock", "thread.allocate_lock",
    "multiprocessing.Lock", "multiprocessing.RLock", "multiprocessing.Semaphore",
    "multiprocessing.BoundedSemaphore", "asyncio.Lock", "asyncio.Semaphore", "asyncio.BoundedSemaphore",
    "eventlet.semaphore.Semaphore", "eventlet.semaphore.BoundedSemaphore", "eventlet.lock.Lock",
    "gevent.lock.Semaphore", "gevent.lock.BoundedSemaphore", "gevent.lock.RLock", "trio.Lock",
})
