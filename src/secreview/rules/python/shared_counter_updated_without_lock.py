"""Shared counter or dict updated by concurrent threads without a lock (lost updates).

## What it does
Flags read-modify-write updates — `x += 1`, `x -= n`, `x = x + 1`,
`counts[key] += 1`, `d[k] = d.get(k, 0) + 1` — of state shared between
threads, inside a function that runs in several threads or green threads at
once, when no lock is held (`with lock:`, `lock.acquire()` ... `release()`,
`@synchronized`). Shared state is a module global declared `global`, a
module-level dict or list, a class attribute, or an attribute of `self` when
the thread target is a bound method (`Thread(target=self.worker)`). The
function must be started more than once: `threading.Thread(target=f)`,
`executor.submit(f, ...)`, `eventlet.spawn(f)`, `gevent.spawn(f)` inside a
loop or comprehension, a pool's `map(f, ...)`, or two start sites; a `run()`
method of a `Thread` subclass counts for globals and class attributes
(confidence low, hidden by default, since how many instances run is unknown).
Green threads (eventlet, gevent, or any module that imports them and so may
be monkey-patched) switch only where they block, so for them only updates
that call something between the read and the write (`total = total +
fetch_size()`, `used += self._query()`) are reported.

## Why is this bad?
`x += 1` is a read, an addition and a write; a thread switch between the read
and the write (for green threads, any I/O in between) makes two workers read
the same old value and one increment is lost. Counters that enforce limits
(failed logins, quota usage, rate limits, connection or retry budgets) then
stay below the real number and the limit is never reached; totals, reference
counts and bookkeeping dicts drift, and decisions taken from them are wrong
(CWE-366, race condition within a thread).

## Example
```python
import threading

failed_attempts = 0

def check_login(user, password, verify):
    global failed_attempts
    if not verify(user, password):
        failed_attempts += 1

def serve(requests, verify):
    for user, password in requests:
        threading.Thread(target=check_login, args=(user, password, verify)).start()
```

## Use instead
```python
import threading

failed_attempts = 0
_attempts_lock = threading.Lock()

def check_login(user, password, verify):
    global failed_attempts
    if not verify(user, password):
        with _attempts_lock:
            failed_attempts += 1

def serve(requests, verify):
    for user, password in requests:
        threading.Thread(target=check_login, args=(user, password, verify)).start()
```

## References
- https://cwe.mitre.org/data/definitions/366.html
- https://cwe.mitre.org/data/definitions/362.html
- https://docs.python.org/3/library/threading.html#lock-objects
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import lock_around
from secreview.lang.python.scopes import NESTED_SCOPES, declared_global
from secreview.lang.python.syntax import normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten


class SharedCounterUpdatedWithoutLock(Rule):
    id = "shared-counter-updated-without-lock"
    cwe = 366
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{target}` is updated by concurrent threads of `{function}` without a lock"
    description = (
        "`{code}` reads {shared}, changes it and writes it back, and `{function}` runs in several threads at "
        "once ({how}). Two threads can read the same old value and one update is lost; with no lock around the "
        "update, counters that enforce limits (attempts, quotas, rates) stay too low and bookkeeping drifts, "
        "so every decision taken from `{target}` can be wrong."
    )
    solution = (
        "Guard every update (and the reads that decide on it) with one lock shared by all threads: "
        "`with {lock}: {code}`; or use a thread-safe structure (`collections.Counter` per thread merged at the "
        "end, `queue.Queue`, `itertools.count()`)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        targets: dict[int, tuple[ts.Node, str, bool, bool]] = {}
        sites: dict[int, int] = {}
        for spawn in _thread_spawns(file):
            function = _function_named(file, spawn.target, spawn.call.node)
            if function is None:
                continue
            sites[function.id] = sites.get(function.id, 0) + 1
            how = f"started by `{shorten(file.text_of(spawn.call.node), 60)}` on line {spawn.call.line}" + \
                (" in a loop" if spawn.repeated and spawn.call.method not in ("map", "imap", "starmap") else "")
            previous = targets.get(function.id)
            repeated = spawn.repeated or (previous is not None and previous[2])
            green = spawn.green and (previous is None or previous[3])
            targets[function.id] = (function, previous[1] if previous and previous[2] else how, repeated, green)
        for function_id, (function, how, repeated, green) in targets.items():
            if not repeated and sites.get(function_id, 0) < 2:
                continue
            yield from self._updates(file, function, how, self_shared=True, confidence=None, green=green)
        for function in self._thread_run_methods(file):
            if function.id not in targets:
                yield from self._updates(file, function, f"`{file.text_of(function.child_by_field_name('name'))}` "
                                         "of a `Thread` subclass runs in each started thread", self_shared=False,
                                         confidence=Confidence.LOW)

    def _updates(self, file: PyFile, function: ts.Node, how: str, self_shared: bool,
                 confidence: Confidence | None, green: bool = False) -> Iterator[Hit]:
        name = file.text_of(function.child_by_field_name("name"))
        for statement in file.nodes_of_type("augmented_assignment", "assignment", within=function):
            if file.inside(statement, ("function_definition", "lambda")) != function:
                continue
            target = self._read_modify_write(file, statement)
            if target is None:
                continue
            shared = self._shared(file, function, target, self_shared)
            if shared is None or lock_around(file, statement) or _acquired(file, function, statement):
                continue
            if green and not _may_block(file, statement):
                continue  # a green thread does not switch inside `x += 1`: only a blocking call in between can
            text = file.text_of(target)
            lock = "self._lock" if text.startswith("self.") else "_lock"
            yield Hit(statement, {"target": shorten(text, 50), "function": name, "how": how, "shared": shared,
                                  "lock": lock}, confidence=confidence)

    @staticmethod
    def _read_modify_write(file: PyFile, statement: ts.Node) -> ts.Node | None:
        left = statement.child_by_field_name("left")
        if left is None or left.type not in ("identifier", "attribute", "subscript"):
            return None
        if statement.type == "augmented_assignment":
            operator = file.text_of(statement.child_by_field_name("operator"))
            return left if operator in ("+=", "-=", "*=", "|=", "&=", "^=", "<<=", ">>=", "//=", "%=") else None
        right = statement.child_by_field_name("right")
        if right is None or right.type != "binary_operator":
            return None
        target = normalise(file.text_of(left))
        operand = normalise(file.text_of(right.child_by_field_name("left")))
        if operand == target:  # x = x + 1
            return left
        if left.type == "subscript":  # d[k] = d.get(k, 0) + 1
            container = normalise(file.text_of(left.child_by_field_name("value")))
            key = normalise(file.text_of(left.child_by_field_name("subscript")))
            if operand.startswith(f"{container}.get({key}"):
                return left
        return None

    @staticmethod
    def _shared(file: PyFile, function: ts.Node, target: ts.Node, self_shared: bool) -> str | None:
        """How `target` is shared between the threads, or None for thread-local state."""
        root = target
        if root.type == "subscript":
            root = root.child_by_field_name("value")
        if root.type == "identifier":
            name = file.text_of(root)
            if declared_global(file, function, name):
                return f"the module global `{name}`"
            if target.type == "subscript" and not file.bindings_of(name, function) \
                    and not file.is_parameter(name, function) and file.bindings_of(name, file.root):
                return f"the module-level container `{name}`"
            return None
        if root.type == "attribute":
            owner = root.child_by_field_name("object")
            owner_name = file.text_of(owner) if owner is not None else ""
            cls = file.inside(function, ("class_definition",))
            class_name = file.text_of(cls.child_by_field_name("name")) if cls is not None else None
            if owner_name == "cls" or (class_name and owner_name == class_name):
                return f"the class attribute `{file.text_of(root)}`"
            if owner_name == "self" and self_shared:
                return f"`{file.text_of(root)}` of the object whose method every thread runs"
        return None

    @staticmethod
    def _thread_run_methods(file: PyFile) -> Iterator[ts.Node]:
        for cls in file.nodes_of_type("class_definition"):
            superclasses = cls.child_by_field_name("superclasses")
            bases = [file.qualified_name(b) or file.text_of(b) for b in superclasses.named_children] \
                if superclasses is not None else []
            if not any(b in ("threading.Thread", "Thread") for b in bases):
                continue
            body = cls.child_by_field_name("body")
            for child in body.named_children if body is not None else ():
                if child.type == "function_definition" and file.text_of(child.child_by_field_name("name")) == "run":
                    yield child


_NON_BLOCKING = frozenset({"len", "int", "float", "str", "min", "max", "abs", "round", "sum", "bool", "get", "items",
                           "keys", "values", "time", "monotonic", "lower", "upper", "strip", "split", "join",
                           "format", "count", "index", "append", "copy", "isinstance", "getattr", "hash"})


def _may_block(file: PyFile, statement: ts.Node) -> bool:
    """The update calls something that may do I/O (and so let another green thread run) between reading
    the old value and writing the new one."""
    right = statement.child_by_field_name("right")
    if right is None:
        return False
    for call in file.nodes_of_type("call", within=right):
        resolved = file.call_at(call)
        if (resolved.method or "") not in _NON_BLOCKING:
            return True
    return False


def _acquired(file: PyFile, function: ts.Node, statement: ts.Node) -> bool:
    calls = [c for c in file.calls if function.start_byte <= c.node.start_byte < function.end_byte
             and not any(a.type in NESTED_SCOPES for a in file.ancestors(c.node) if a.start_byte > function.start_byte)]
    return any(c.method == "acquire" and c.node.start_byte < statement.start_byte for c in calls) and \
        any(c.method == "release" and c.node.start_byte > statement.start_byte for c in calls)


_SPAWNERS = {
    "threading.Thread": ("target", 1), "threading.Timer": ("function", 1), "thread.start_new_thread": (None, 0),
    "_thread.start_new_thread": (None, 0), "eventlet.spawn": (None, 0), "eventlet.spawn_n": (None, 0),
    "eventlet.spawn_after": (None, 1), "eventlet.greenthread.spawn": (None, 0),
    "eventlet.greenthread.spawn_n": (None, 0),
    "greenthread.spawn": (None, 0), "greenthread.spawn_n": (None, 0), "gevent.spawn": (None, 0),
    "utils.spawn": (None, 0), "utils.spawn_n": (None, 0),
}
_SPAWN_METHODS = {"submit": 0, "map": 0, "imap": 0, "imap_unordered": 0, "starmap": 0, "apply_async": 0,
                  "spawn": 0, "spawn_n": 0, "run_in_executor": 1}
_POOLISH = re.compile(r"executor|pool|workers|threads|tpe|green|gt|futures", re.I)


@dataclass(frozen=True)
class _Spawn:
    call: Call
    target: ts.Node  # the function passed to the thread / pool
    repeated: bool  # started more than once: in a loop, a comprehension, or a pool's map
    green: bool  # a green thread (eventlet/gevent): it only switches where it blocks (I/O, sleep)


def _thread_spawns(file: PyFile) -> Iterator[_Spawn]:
    """Calls that run a function in another thread or green thread, with the function they run."""
    for call in file.calls:
        target = None
        repeated = False
        if call.name in _SPAWNERS:
            keyword, position = _SPAWNERS[call.name]
            target = call.arg(position if keyword is None else None, keyword)
            if target is None and keyword is not None:
                target = call.kwargs.get(keyword)
        elif call.method in _SPAWN_METHODS and call.receiver is not None and \
                _POOLISH.search(file.text_of(call.receiver)):
            target = call.arg(_SPAWN_METHODS[call.method])
            repeated = call.method in ("map", "imap", "imap_unordered", "starmap")
        if target is None:
            continue
        repeated = repeated or file.inside(call.node, ("for_statement", "while_statement", "list_comprehension",
                                                       "generator_expression", "set_comprehension")) is not None
        green = (call.name or "").startswith(("eventlet", "gevent", "greenthread", "utils.spawn")) or \
            call.method in ("spawn", "spawn_n", "spawn_after") or _imports_green(file)
        yield _Spawn(call, target, repeated, green)


def _imports_green(file: PyFile) -> bool:
    """The module uses green threads: eventlet/gevent, or a GreenPool/greenthread helper of the project."""
    return any(full.split(".")[0] in ("eventlet", "gevent") or "green" in full.lower()
               for full in file.imports.values())


def _function_named(file: PyFile, target: ts.Node, near: ts.Node) -> ts.Node | None:
    """The definition a thread target names: `worker` (a module function) or `self.worker` (a method of
    the class around `near`)."""
    target = unwrap(target) or target
    if target.type == "identifier":
        name = file.text_of(target)
        for function in file.nodes_of_type("function_definition"):
            if file.text_of(function.child_by_field_name("name")) == name and \
                    file.inside(function, ("function_definition", "class_definition")) is None:
                return function
        return None
    if target.type == "attribute" and file.text_of(target.child_by_field_name("object")) in ("self", "cls"):
        cls = file.inside(near, ("class_definition",))
        name = file.text_of(target.child_by_field_name("attribute"))
        body = cls.child_by_field_name("body") if cls is not None else None
        for child in body.named_children if body is not None else ():
            function = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            if function is not None and function.type == "function_definition" and \
                    file.text_of(function.child_by_field_name("name")) == name:
                return function
    return None
