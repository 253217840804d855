"""Concurrency as data: what makes a module's code run in several threads at once, which object states
a check-then-act race is about, and which `with` contexts serialise the code they wrap.

Read by `secreview.lang.python.shared_state`.  Nothing here runs: names only.
"""

from __future__ import annotations

# Importing one of these means the module's code runs in threads or green threads (a service's worker
# pool, a WSGI server's threads). asyncio is left out: a coroutine is only interleaved at an `await`,
# which the analyses do not model.
THREAD_MODULES: tuple[str, ...] = (
    "threading", "_thread", "thread", "concurrent.futures", "eventlet", "gevent", "greenlet",
    "multiprocessing.dummy", "multiprocessing.pool", "socketserver", "oslo_service", "futurist", "cotyledon",
)
# The check-then-act analysis also counts an RPC server dispatching each message on its own green thread.
CONCURRENCY_MODULES: tuple[str, ...] = THREAD_MODULES + ("oslo_messaging",)

# States an object reaches once and keeps, by the words of the flag that tells (`is_configured`,
# `_initialized`, `started`) and the first word of the method that brings the object there
# (`configure(...)`, `setup_domain_drivers(...)`, `start()`): state -> (flag words, establishing verbs).
# `if not x.configured: x.configure()` done by two threads at once configures twice.
STATE_FLAGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "configured": (frozenset({"configured"}),
                   frozenset({"configure", "reconfigure", "setup", "set", "load", "init", "initialize", "initialise"})),
    "initialised": (frozenset({"initialized", "initialised", "inited"}),
                    frozenset({"initialize", "initialise", "init", "setup", "start", "load", "configure"})),
    "set up": (frozenset({"setup"}), frozenset({"setup", "set", "configure", "init", "initialize", "initialise"})),
    "started": (frozenset({"started"}), frozenset({"start", "restart", "launch", "spawn", "run"})),
    "loaded": (frozenset({"loaded"}), frozenset({"load", "reload"})),
    "registered": (frozenset({"registered"}), frozenset({"register"})),
    "connected": (frozenset({"connected"}), frozenset({"connect", "reconnect"})),
    "prepared": (frozenset({"prepared"}), frozenset({"prepare"})),
    "populated": (frozenset({"populated"}), frozenset({"populate", "fill", "load"})),
}

# Methods called in a `with` item that hold a lock for the block: `with task_manager.acquire(ctx, node):`,
# `with self._sem.acquire_lock():`, `with coordinator.get_lock(name):`.  (Items whose text names a lock,
# mutex or semaphore are recognised by `flow.lock_around` already.)
LOCK_CONTEXT_METHODS: frozenset[str] = frozenset({
    "acquire", "acquire_lock", "reserve", "get_lock", "locked", "lock", "synchronized", "exclusive",
})

# First words of the callee a shared object was fetched from (`self._store = kvs.get_store(name)`): a
# look-up returns an object others hold too, unlike a constructor, which makes a fresh one.
FETCH_VERBS: frozenset[str] = frozenset({"get", "lookup", "find", "fetch"})

# A record looked up and then created when it was missing (`get_role(id)` ... `create_role(id, ...)`,
# also noun-first `role_get` / `role_create`): the words of the look-up and of the creation.
LOOKUP_VERBS: frozenset[str] = frozenset({"get", "find", "lookup", "show", "fetch", "read"})
EXISTENCE_WORDS: frozenset[str] = frozenset({"exists", "exist", "has"})
CREATE_VERBS: frozenset[str] = frozenset({"create", "add", "insert", "register"})
# Words that end a noun in a method name: `get_user_by_name` looks up a "user".
NOUN_ENDS: frozenset[str] = frozenset({"by", "for", "from", "if", "or", "with", "in", "on", "of", "and", "to", "at"})
# Words of an exception that says "there is no such record" (`RoleNotFound`, `DoesNotExist`, `NoResultFound`).
NOT_FOUND_WORDS: frozenset[tuple[str, str]] = frozenset({("not", "found"), ("not", "exist"), ("no", "result"),
                                                         ("no", "such"), ("not", "exists")})
# Words of an exception a creation raises when someone else created the record first: catching it makes
# the look-up-then-create safe (`except exception.Conflict:`, `DBDuplicateEntry`, `IntegrityError`).
CONFLICT_WORDS: frozenset[str] = frozenset({"conflict", "duplicate", "integrity", "already", "exists", "unique"})
# Words of arguments that say who asks or through what, not which record: a request context, a session.
# An argument the look-up and the creation share must be another one to show they are about one record.
CALLER_ARGUMENT_WORDS: frozenset[str] = frozenset({
    "context", "ctx", "cctxt", "ctxt", "session", "request", "req", "conn", "connection", "client", "self", "cls",
    "admin", "transaction", "txn", "db",
})

# Words of a stored record's field that holds its life-cycle state (`status`, `task_state`,
# `provisioning_status`): a transition checks it and writes it back.
STATE_FIELD_WORDS: frozenset[str] = frozenset({"state", "status"})
# Methods that write a loaded record back to storage (`instance.save()`, `stack.store()`).
PERSIST_METHODS: frozenset[str] = frozenset({"save", "store", "persist", "commit", "update", "flush"})
# Keywords of a write that make it a compare-and-swap: it succeeds only while the stored state is still
# the one that was checked (`instance.save(expected_task_state=[None])`, heat's `atomic_key`).
GUARD_KEYWORD_PREFIXES: tuple[str, ...] = ("expected", "atomic_key", "if_match", "if_state", "from_state",
                                           "compare", "version")
# Words of a state value that claims the record for an operation in progress (`PENDING_UPDATE`,
# `DELETING`, `IN_PROGRESS`, `"rebuilding"`); any word ending in "ing" counts too. Setting an error
# state, or clearing the field, after a failure claims nothing.
CLAIM_STATE_WORDS: frozenset[str] = frozenset({"pending", "progress", "busy", "claimed", "locked", "reserved"})
