"""Locks for the value-flow engine: which calls and declarations take or give back which lock.

A lock has two names. Its `key` says which lock object it is: a global (`m1`) or a C++ data member of
`this` (`Class::mutex_`) is the same object in every function of the file; anything else (`q->lock`, a
local, `locks[i]`) is known by its text, in this function only (keys starting with `~`). Its `order` key
says which locks the engine compares across functions, for the order they are taken in: globals and
members as above, and a member reached through a pointer of a known struct type by that type
(`Wrapper.m` for `s->m`, whichever `Wrapper` s points to), as Infer does; empty for the others.

What a step does to the lock is `take`, `give`, or `unsure` (a try or timed lock, a shared reader lock: its
state is unknown afterwards).  The tables are in `library.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.taint import ir
from secreview.valueflow.library import (
    GUARD_ADOPTING, GUARD_DEFERRING, GUARD_TRYING, LOCK_GIVING_FUNCTIONS, LOCK_GUARD_TYPE, LOCK_TAKING_FUNCTIONS,
    LOCK_UNSURE_FUNCTIONS, LOCKING_SEVERAL, MUTEX_GIVING_METHODS, MUTEX_TAKING_METHODS, MUTEX_TYPE,
    MUTEX_UNSURE_METHODS, RECURSIVE_LOCK_FUNCTIONS, RECURSIVE_MUTEX_TYPE, RECURSIVE_PTHREAD_MARKERS,
    SYNCHRONISED_TYPE,
)

__all__ = ["LockKey", "LockStep", "call_steps", "class_of", "guard_steps", "is_failure_return", "member_key"]

_WRAPPERS = frozenset({"parenthesized_expression", "cast_expression", "pointer_expression"})
_TYPE_WORDS = re.compile(r"\b(?:struct|class|union|const|volatile)\s+")
_FAILURE = re.compile(r"^(?:NULL|nullptr|false|FALSE|-\s*\w+)$")
_LOCK_FUNCTIONS = LOCK_TAKING_FUNCTIONS | LOCK_GIVING_FUNCTIONS | LOCK_UNSURE_FUNCTIONS
_MUTEX_METHODS = MUTEX_TAKING_METHODS | MUTEX_GIVING_METHODS | MUTEX_UNSURE_METHODS
_GUARD_WORDS = GUARD_DEFERRING | GUARD_TRYING | GUARD_ADOPTING


@dataclass(frozen=True)
class LockKey:
    key: str  # which lock object (`~...`: known in this function only)
    text: str  # the lock as written here, for messages
    order: str  # the key its order is compared by across functions ("" for none)
    recursive: bool = False  # the thread holding it may take it again

    @property
    def everywhere(self) -> bool:
        """The same lock object in every function of the file."""
        return not self.key.startswith("~")


@dataclass(frozen=True)
class LockStep:
    action: str  # take | give | unsure | guard (a guard bound to the lock, taking nothing yet)
    lock: LockKey
    guard: str = ""  # the guard variable, for a C++ guard
    scope: tuple[int, int] | None = None  # ... and the block whose end gives the lock back
    together: bool = False  # taken with others at once (`std::scoped_lock`, `std::lock`): no order among them


def call_steps(file: CFile, call: ir.Call, function: ts.Node, guards: dict[str, LockStep]) -> list[LockStep]:
    """What `call` does to locks: a C lock function, a method of a mutex, or a method of a guard declared
    earlier (`guards`: guard variable -> the step that declared it)."""
    node = call.node
    if not isinstance(node, ts.Node):
        return []
    name = call.callee or ""
    if call.receiver is None and call.args and name in _LOCK_FUNCTIONS:
        lock = lock_key(file, call.args[0].node, function, recursive=name in RECURSIVE_LOCK_FUNCTIONS
                        or (name.startswith("pthread_mutex") and _recursive_pthread(file)))
        if lock is None:
            return []
        if name in LOCK_UNSURE_FUNCTIONS or not _result_unused(node):
            return [LockStep("unsure", lock)]  # `if (pthread_mutex_lock(&m) != 0) return;`: taken only if it worked
        return [LockStep("take" if name in LOCK_TAKING_FUNCTIONS else "give", lock)]
    if call.receiver is None and name in LOCKING_SEVERAL:
        locks = [lock_key(file, argument.node, function) for argument in call.args]
        return [LockStep("take", lock, together=True) for lock in locks if lock is not None]
    method = call.method or ""
    receiver = call.receiver
    if receiver is None or not method:
        return []
    if isinstance(receiver, ir.Name) and receiver.id in guards:
        declared = guards[receiver.id]
        if method in MUTEX_TAKING_METHODS:
            return [LockStep("take", declared.lock, declared.guard, declared.scope)]
        if method in MUTEX_GIVING_METHODS:
            return [LockStep("give", declared.lock, declared.guard, declared.scope)]
        return [LockStep("unsure", declared.lock)] if method in MUTEX_UNSURE_METHODS else []
    if method not in _MUTEX_METHODS:
        return []
    declared_type = _declared_type(file, receiver.node, function)
    if declared_type is None or not MUTEX_TYPE.match(declared_type):
        return []  # `weak.lock()` of a std::weak_ptr, a lock of a type not known here
    lock = lock_key(file, receiver.node, function, recursive=bool(RECURSIVE_MUTEX_TYPE.match(declared_type)))
    if lock is None:
        return []
    if method in MUTEX_UNSURE_METHODS or (method in MUTEX_TAKING_METHODS and not _result_unused(node)):
        return [LockStep("unsure", lock)]
    return [LockStep("take" if method in MUTEX_TAKING_METHODS else "give", lock)]


def guard_steps(file: CFile, target: ir.Name, value: ir.Expr | None, function: ts.Node) -> list[LockStep]:
    """What declaring `target` with `value` does, when it is a C++ lock guard (`std::lock_guard<std::mutex>
    g(m);`, `QMutexLocker locker(&mutex);`): it takes its mutexes, for the rest of its block."""
    if not isinstance(target.node, ts.Node):
        return []
    variable = file.variable(target.node)
    if variable is None or variable.is_parameter or variable.pointer_depth:
        return []
    built = isinstance(value, ir.Call) and bool(value.callee) and LOCK_GUARD_TYPE.match(value.callee or "") is not None
    if not LOCK_GUARD_TYPE.match(variable.type_text) and not (built and variable.type_text == "auto"):
        return []
    if built:
        arguments = value.args  # `auto g = std::unique_lock<std::mutex>(m);`
    elif isinstance(value, ir.Opaque):
        arguments = value.parts  # `T g(m);`, `T g{m};`
    else:
        return []
    nodes = [argument.node for argument in arguments if isinstance(argument.node, ts.Node)]
    words = {file.text_of(node) for node in nodes}
    block = _block_of(variable.declaration)
    scope = (block.start_byte, block.end_byte) if block is not None else None
    locks = []
    for node in nodes:
        if file.text_of(node) in _GUARD_WORDS:
            continue
        declared_type = _declared_type(file, node, function) or ""
        # a guard may hold any lockable type: only a mutex known not to be recursive counts as one
        recursive = bool(RECURSIVE_MUTEX_TYPE.match(declared_type)) or not MUTEX_TYPE.match(declared_type)
        lock = lock_key(file, node, function, recursive=recursive)
        if lock is not None:
            locks.append(lock)
    if words & GUARD_TRYING:
        return [LockStep("unsure", lock) for lock in locks]
    action = "guard" if words & (GUARD_DEFERRING | GUARD_ADOPTING) else "take"
    together = len(locks) > 1
    return [LockStep(action, lock, target.id, scope, together) for lock in locks]


def lock_key(file: CFile, node: ts.Node | None, function: ts.Node, recursive: bool = False) -> LockKey | None:
    """The key of the lock `node` names (`&m`, `s->lock`, `this->mutex_`, `mutex_`)."""
    node = _stripped(node)
    if node is None:
        return None
    text = " ".join(file.text_of(node).split())
    root, path = _root_and_path(file, node)
    local = LockKey("~" + text, text, "", recursive)
    if root is None:
        return local
    owner = class_of(file, function)
    if root == "this":
        return LockKey(f"{owner}::{path}", text, f"{owner}::{path}", recursive) if owner else local
    variable = file.lookup(root, node)
    if variable is None:
        if owner and root in file.fields:  # a data member, reached without `this->`
            member = f"{owner}::{root}{path and '.' + path}"
            return LockKey(member, text, member, recursive)
        return local
    if not path:
        return local if file.enclosing_function(variable.declaration) is not None \
            else LockKey(root, text, root, recursive)
    type_name = _TYPE_WORDS.sub("", variable.type_text).strip()
    if type_name and re.fullmatch(r"[\w:]+", type_name) and type_name not in ("void", "auto"):
        return LockKey("~" + text, text, f"{type_name}.{path}", recursive)
    return local


def member_key(file: CFile, expression: ir.Expr, function: ts.Node) -> str | None:
    """`Class::field` for a data member of the method's own class used as `field` (no local or global of
    that name in sight) or `this->field`; None for anything else, and for members that synchronise by
    themselves (atomics, mutexes)."""
    owner = class_of(file, function)
    if not owner:
        return None
    if isinstance(expression, ir.Name) and isinstance(expression.node, ts.Node) \
            and expression.node.type == "identifier" and expression.id in file.fields \
            and file.lookup(expression.id, expression.node) is None:
        name = expression.id
    elif isinstance(expression, ir.Attr) and isinstance(expression.obj, ir.Name) and expression.obj.id == "this" \
            and expression.attr in file.fields:
        name = expression.attr
    else:
        return None
    member = file.fields[name]
    if SYNCHRONISED_TYPE.search(member.type_text) or LOCK_GUARD_TYPE.match(member.type_text):
        return None
    return f"{owner}::{name}"


def is_failure_return(file: CFile, statement: ts.Node | None, returns_pointer: bool) -> bool:
    """Whether a return statement returns what reads as failure: NULL, false, a negative number or
    `-ERRNO`, and 0 from a function returning a pointer."""
    if statement is None or statement.type != "return_statement":
        return False
    values = [c for c in statement.named_children if c.type != "comment"]
    if not values:
        return False
    text = " ".join(file.text_of(_stripped(values[0]) or values[0]).split())
    return bool(_FAILURE.match(text)) or (returns_pointer and text == "0")


def _stripped(node: ts.Node | None) -> ts.Node | None:
    """`&m`, `(m)`, `(pthread_mutex_t *)&m`, `*m`: the lock expression inside."""
    while node is not None and node.type in _WRAPPERS:
        inner = node.child_by_field_name("argument") or node.child_by_field_name("value")
        if inner is None:
            named = [c for c in node.named_children if c.type != "comment"]
            inner = named[-1] if named else None
        node = inner
    return node


def _root_and_path(file: CFile, node: ts.Node) -> tuple[str | None, str]:
    """`s->m2.mutex` -> ("s", "m2.mutex"); `m` -> ("m", ""); `this->m` -> ("this", "m")."""
    fields: list[str] = []
    while node is not None and node.type == "field_expression":
        member = node.child_by_field_name("field")
        fields.append(file.text_of(member))
        node = _stripped(node.child_by_field_name("argument"))
    if node is None:
        return None, ""
    if node.type == "this":
        return "this", ".".join(reversed(fields))
    if node.type not in ("identifier", "field_identifier", "type_identifier"):  # a type: `T g(m);` misread
        return None, ""
    return file.text_of(node), ".".join(reversed(fields))


def _declared_type(file: CFile, node: ts.Node | None, function: ts.Node) -> str | None:
    """The declared type of the variable or data member a lock expression names."""
    node = _stripped(node)
    if node is None:
        return None
    if node.type == "field_expression":
        member = file.fields.get(file.text_of(node.child_by_field_name("field")))
        return member.type_text if member is not None else None
    if node.type not in ("identifier", "type_identifier"):
        return None
    variable = file.lookup(file.text_of(node), node)
    if variable is None and class_of(file, function):
        variable = file.fields.get(file.text_of(node))
    return variable.type_text if variable is not None else None


def class_of(file: CFile, function: ts.Node) -> str:
    """The class a C++ method belongs to: `Foo` for `void Foo::run()` or a method defined inside `class Foo`."""
    qualified = file.function_name(function)
    if "::" in qualified:  # `ns::Foo<T>::run`: Foo, as a method defined inside the class names it
        return qualified.rsplit("::", 1)[0].split("<")[0].rsplit("::", 1)[-1]
    parent = function.parent
    while parent is not None:
        if parent.type in ("class_specifier", "struct_specifier"):
            named = parent.child_by_field_name("name")  # `class Outer::Inner {`: Inner
            return file.text_of(named).split("<")[0].rsplit("::", 1)[-1] if named is not None else ""
        if parent.type == "function_definition":
            return ""
        parent = parent.parent
    return ""


def _block_of(declaration: ts.Node) -> ts.Node | None:
    block = declaration.parent
    while block is not None and block.type not in ("compound_statement", "for_statement", "for_range_loop",
                                                   "case_statement"):
        block = block.parent
    return block


def _result_unused(call: ts.Node) -> bool:
    """A call made for its effect only: its own statement (`(void)` casts aside)."""
    parent = call.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression"):
        parent = parent.parent
    return parent is not None and parent.type == "expression_statement"


def _recursive_pthread(file: CFile) -> bool:
    return file.memo(("recursive-pthread",), lambda: any(marker in file.text for marker in RECURSIVE_PTHREAD_MARKERS))
