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
