"""Shared object created lazily (check-then-create) without a lock in threaded code.

## What it does
Flags the lazy-initialisation idiom `if X is None: X = make()` (also `if not
X:`) when `X` is shared between threads — a module global declared `global`
in the function, a class attribute (`cls._instance`, `Klass._client`), or an
attribute of `self` — in a module that runs code concurrently (it imports
`threading`, `concurrent.futures`, `eventlet`, `gevent`, `socketserver`,
`futurist`...), and neither the check nor the assignment is under a lock
(`with self._lock:`, `lock.acquire()` ... `release()`, `@synchronized`,
`@lockutils.synchronized(...)`).
Only creations that build something stateful are reported (a call such as a
client, a connection, a pool, a lock or an instance); idempotent look-ups
(`re.compile`, `logging.getLogger`, `importlib.import_module`) are not.
Confidence is medium for globals and class attributes, low (hidden by
default) for `self` attributes, whose object may not be shared.

## Why is this bad?
Checking and creating are two steps. Two threads (or green threads that
yield inside `make()`, which does I/O) can both see `None` and both create
the object; the last assignment wins. The loser's connection, session or
file handle leaks; state stored in it (a cache, a token, registered
callbacks) is silently lost; a lazily created lock that exists twice no
longer excludes anything; a "singleton" holding quotas or credentials exists
twice (CWE-362, also CWE-543 for singletons).

## Example
```python
import threading

_client = None

def get_client(factory):
    global _client
    if _client is None:
        _client = factory.connect()
    return _client
```

## Use instead
```python
import threading

_client = None
_client_lock = threading.Lock()

def get_client(factory):
    global _client
    with _client_lock:
        if _client is None:
            _client = factory.connect()
    return _client
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://cwe.mitre.org/data/definitions/543.html
- https://docs.python.org/3/library/threading.html#lock-objects
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.concurrency import THREAD_MODULES
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import lock_around
from secreview.lang.python.scopes import declared_global
from secreview.lang.python.shared_state import concurrency_import
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

# creations that return the same object every time, or have no state worth losing
_IDEMPOTENT = re.compile(r"(?:^|\.)(?:compile|getLogger|get_logger|import_module|__import__|getattr|get|getenv|"
                         r"str|int|float|bool|len|tuple|frozenset|namedtuple|partial|lru_cache|cache|join|"
                         r"dirname|abspath|realpath|expanduser|format|strip|lower|upper|encode|decode|time|"
                         r"monotonic|uuid4|copy|deepcopy|load_entry_point|signature|list|dict|set|sorted|map|"
                         r"OrderedDict|defaultdict)$")


class LazyInitialisationWithoutLock(Rule):
    id = "lazy-initialisation-without-lock"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{target}` is created lazily without a lock: concurrent callers can create it twice"
    description = (
        "`{check}` and `{target} = {value}` are two separate steps on {shared}, and this module runs code "
        "concurrently (it imports `{module}`). Two threads or green threads can both find `{target}` unset "
        "and both run `{value}`; the last assignment wins. The other object (a connection, session, lock or "
        "cached state) is lost or leaked, callers briefly hold different instances, and anything that relies "
        "on there being exactly one (a lock, a token, a quota counter) silently stops working."
    )
    solution = (
        "Create it under a lock, rechecking inside: `with {lock_name}:` then `if {target} is None: {target} = "
        "{value}` (a module-level `threading.Lock()`, created eagerly), or create it eagerly at import or in "
        "`__init__` so no check is needed."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        module = concurrency_import(file, THREAD_MODULES)
        if module is None:
            return
        for statement in file.nodes_of_type("if_statement"):
            found = self._lazy_creation(file, statement)
            if found is None:
                continue
            target, assignment, value, kind = found
            if lock_around(file, statement) or lock_around(file, assignment) or _acquires(file, statement):
                continue
            text = file.text_of(target)
            owner = text.split(".", 1)[0]
            shared = {"global": f"the module global `{text}`", "class": f"the class attribute `{text}`",
                      "self": f"the attribute `{text}` of an object that may be shared between threads"}[kind]
            yield Hit(statement, {
                "target": text, "value": shorten(file.text_of(value), 50), "module": module, "shared": shared,
                "check": shorten(file.text_of(statement.child_by_field_name("condition")), 50),
                "lock_name": "self._lock" if owner == "self" else f"_{text.rsplit('.', 1)[-1].lstrip('_')}_lock",
            }, confidence=Confidence.LOW if kind == "self" else None)

    @staticmethod
    def _lazy_creation(file: PyFile, statement: ts.Node):
        """(target, assignment, value, kind) for `if X is None: ... X = call(...)`."""
        condition = unwrap(statement.child_by_field_name("condition"))
        if condition is None:
            return None
        subject = _unset_test(file, condition)
        if subject is None:
            return None
        body = statement.child_by_field_name("consequence")
        text = file.text_of(subject)
        for child in body.named_children if body is not None else ():
            assign = child.named_children[0] if child.type == "expression_statement" and child.named_children \
                else None
            if assign is None or assign.type != "assignment":
                continue
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is None or right is None or file.text_of(left) != text:
                continue
            right = unwrap(right)
            if right is None or right.type != "call" or _IDEMPOTENT.search(
                    file.text_of(right.child_by_field_name("function"))):
                continue
            kind = _sharing(file, statement, subject)
            return (subject, assign, right, kind) if kind else None
        return None


def _unset_test(file: PyFile, condition: ts.Node) -> ts.Node | None:
    """`X` in `X is None`, `not X`, `X == None`."""
    if condition.type == "not_operator":
        argument = unwrap(condition.child_by_field_name("argument"))
        return argument if argument is not None and argument.type in ("identifier", "attribute") else None
    if condition.type == "comparison_operator" and condition.named_child_count == 2:
        left, right = condition.named_children
        operator = " ".join(file.text_of(c) for c in condition.children if not c.is_named)
        if right.type == "none" and operator in ("is", "==") and left.type in ("identifier", "attribute"):
            return left
    return None


def _sharing(file: PyFile, statement: ts.Node, subject: ts.Node) -> str | None:
    """How the target is shared: "global", "class", "self", or None (a local)."""
    function = file.inside(statement, ("function_definition",))
    if function is None:
        return None
    if subject.type == "identifier":
        return "global" if declared_global(file, function, file.text_of(subject)) else None
    owner = subject.child_by_field_name("object")
    if owner is None or owner.type != "identifier":
        return None
    name = file.text_of(owner)
    function_name = file.text_of(function.child_by_field_name("name"))
    if function_name in ("__init__", "__new__", "setUp", "__post_init__", "__enter__"):
        return None if name == "self" else "class"
    if name == "self":
        return "self"
    cls = file.inside(function, ("class_definition",))
    class_name = file.text_of(cls.child_by_field_name("name")) if cls is not None else None
    if name == "cls" or name == class_name:
        return "class"
    return None


def _acquires(file: PyFile, statement: ts.Node) -> bool:
    """A lock taken by hand around the creation: `lock.acquire()` before it in the function (or inside the
    `if` body) and `lock.release()` after it."""
    function = file.inside(statement, ("function_definition",))
    body = statement.child_by_field_name("consequence")
    if function is None or body is None:
        return False
    calls = [c for c in file.calls if function.start_byte <= c.node.start_byte < function.end_byte]
    acquired = any(c.method == "acquire" and c.node.start_byte < body.end_byte for c in calls)
    released = any(c.method == "release" and c.node.start_byte > body.start_byte for c in calls)
    return acquired and released
