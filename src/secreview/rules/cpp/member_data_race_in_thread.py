"""Data member written on a thread and used elsewhere without a lock.

## What it does
Flags writes to a data member of a class inside code that runs on another
thread (`run()` of a `QThread` subclass, a method passed as `&Class::method`
to `std::thread`/`std::jthread`/`QThread::create`/`QtConcurrent::run`, or a
lambda capturing `this` passed to them) when another method of the class
reads or writes the same member, and neither function takes a lock
(`QMutexLocker`, `std::lock_guard`, `std::unique_lock`, `mutex.lock()`...).
Members of atomic or synchronisation types are left alone.

## Why is this bad?
Two threads touching the same memory without synchronisation is a data race:
undefined behaviour in C++. Readers see torn or stale values, compilers may
cache the member in a register forever, and check-then-act sequences
interleave. Races on flags, sizes and pointers lead to crashes, use after
free and security checks evaluated on inconsistent state (CWE-362).

## Example
```cpp
#include <QThread>

class Downloader : public QThread {
public:
    int received() const { return m_received; }
protected:
    void run() override {
        for (int i = 0; i < 100; ++i)
            m_received = i;
    }
private:
    int m_received = 0;
};
```

## Use instead
```cpp
#include <QThread>
#include <atomic>

class Downloader : public QThread {
public:
    int received() const { return m_received.load(); }
protected:
    void run() override {
        for (int i = 0; i < 100; ++i)
            m_received = i;
    }
private:
    std::atomic<int> m_received{0};
};
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://doc.qt.io/qt-6/threads-synchronizing.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, Variable, is_written
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CppRule
from secreview.valueflow.library import SYNCHRONISED_TYPE

# Classes whose members are touched from a thread: entry points, member accesses, locks.
#
# A thread entry point of a class is `run()` when the class derives from
# `QThread`, a method passed as `&Class::method` to `std::thread`,
# `std::jthread`, `QThread::create` or `QtConcurrent::run`, or a lambda
# capturing `this` passed to one of them.  Accesses to data members are found
# as bare member names (not shadowed by a local) and as `this->member`.
_THREAD_STARTERS = frozenset({"std::thread", "std::jthread", "thread", "jthread", "QThread::create",
                              "QtConcurrent::run", "std::async", "async"})
_LOCKS = re.compile(r"\b(QMutexLocker|QWriteLocker|QReadLocker|lock_guard|unique_lock|scoped_lock|shared_lock|"
                    r"pthread_mutex_lock|EnterCriticalSection|QMutexLocker)\b|(\.|->)(lock|lockForWrite|lockForRead)"
                    r"\s*\(")


@dataclass
class _ThreadedClass:
    name: str
    node: ts.Node
    fields: dict[str, Variable]
    methods: dict[str, list[ts.Node]] = field(default_factory=dict)  # method name -> definitions
    entries: list[tuple[str, ts.Node]] = field(default_factory=list)  # (label, body running on the thread)


def _threaded_classes(file: CFile) -> Iterator[_ThreadedClass]:
    for node in file.nodes_of_type("class_specifier", "struct_specifier"):
        body = node.child_by_field_name("body")
        name_node = node.child_by_field_name("name")
        if body is None or name_node is None:
            continue
        cls = _ThreadedClass(file.text_of(name_node), node, _data_members(file, body))
        _collect_methods(file, cls)
        _collect_entries(file, cls)
        if cls.entries and cls.fields:
            yield cls


def _data_members(file: CFile, body: ts.Node) -> dict[str, Variable]:
    members = {}
    for declaration in body.named_children:
        if declaration.type != "field_declaration":
            continue
        for variable in file.declared_variables(declaration):
            text = file.text_of(declaration)
            if variable.is_static or SYNCHRONISED_TYPE.search(text) or "const " in text.split("=")[0]:
                continue
            members[variable.name] = variable
    return members


def _collect_methods(file: CFile, cls: _ThreadedClass) -> None:
    for function in file.nodes_of_type("function_definition"):
        name = file.function_name(function)
        inside = function.start_byte > cls.node.start_byte and function.end_byte <= cls.node.end_byte
        if inside and "::" not in name:
            cls.methods.setdefault(name, []).append(function)
        elif name.startswith(cls.name + "::"):
            cls.methods.setdefault(name.split("::")[-1], []).append(function)


def _collect_entries(file: CFile, cls: _ThreadedClass) -> None:
    bases = cls.node.child_by_field_name("base_class_clause") or next(
        (c for c in cls.node.children if c.type == "base_class_clause"), None)
    if bases is not None and "QThread" in file.text_of(bases):
        for function in cls.methods.get("run", []):
            cls.entries.append(("run()", function))
    for call in file.calls:
        if call.name not in _THREAD_STARTERS:
            continue
        _entry_from_arguments(file, cls, call.args)
    for declaration in file.nodes_of_type("declaration"):  # std::thread worker(&C::loop, this);
        type_text = file.text_of(declaration.child_by_field_name("type"))
        if "thread" in type_text:
            for declarator in declaration.children_by_field_name("declarator"):
                arguments = declarator.child_by_field_name("value") if declarator.type == "init_declarator" else None
                if arguments is not None and arguments.type in ("argument_list", "initializer_list"):
                    _entry_from_arguments(file, cls, tuple(arguments.named_children))


def _entry_from_arguments(file: CFile, cls: _ThreadedClass, args: tuple[ts.Node, ...]) -> None:
    for argument in args:
        text = "".join(file.text_of(argument).split())
        if text.startswith(f"&{cls.name}::"):
            for function in cls.methods.get(text.split("::")[-1], []):
                cls.entries.append((f"{text.split('::')[-1]}()", function))
        elif argument.type == "lambda_expression" and _captures_this(file, argument) and _in_methods(argument, cls):
            cls.entries.append(("a thread lambda", argument))


def _captures_this(file: CFile, lambda_node: ts.Node) -> bool:
    captures = lambda_node.child_by_field_name("captures")
    text = file.text_of(captures) if captures is not None else ""
    return "this" in text or "=" in text or "&" in text


def _in_methods(node: ts.Node, cls: _ThreadedClass) -> bool:
    return any(f.start_byte <= node.start_byte and node.end_byte <= f.end_byte
               for functions in cls.methods.values() for f in functions)


def _is_locked_at(file: CFile, node: ts.Node) -> bool:
    """A lock is taken earlier in a block enclosing `node` (RAII lockers live until their block ends)."""
    for block in file.ancestors(node):
        if block.type in ("lambda_expression", "function_definition"):
            return False
        if block.type != "compound_statement":
            continue
        for statement in block.named_children:
            if statement.end_byte > node.start_byte:
                break
            if _LOCKS.search(file.text_of(statement)):
                return True
    return False


def _member_accesses(file: CFile, cls: _ThreadedClass, function: ts.Node) -> Iterator[tuple[str, ts.Node, bool]]:
    """(member, node, is_write) for accesses to the class's data members inside `function`."""
    body = function.child_by_field_name("body")
    if body is None:
        return
    locals_ = file.variables_in(function) if function.type == "function_definition" else {}
    for name in cls.fields:
        if name in locals_:
            continue
        for node in file.identifiers(body).get(name, ()):
            if node.parent is not None and node.parent.type in ("field_expression", "qualified_identifier"):
                continue
            yield name, node, is_written(node)
    for node in file.nodes_of_type("field_expression", within=body):
        argument = node.child_by_field_name("argument")
        member = node.child_by_field_name("field")
        if argument is not None and argument.type == "this" and member is not None and \
                file.text_of(member) in cls.fields:
            yield file.text_of(member), node, is_written(node)


class MemberDataRaceInThread(CppRule):
    id = "member-data-race-in-thread"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{member}` is written on a thread in {entry} and used in `{other}()` without a lock"
    description = (
        "`{code}` writes `{member}` from {entry}, which runs on its own thread, while `{other}()` accesses the "
        "same member from another thread; neither takes a lock and the member is not atomic. That data race "
        "is undefined behaviour: readers see torn or stale values and interleaved updates, which breaks any "
        "check or pointer that depends on `{member}`."
    )
    solution = (
        "Protect every access to `{member}` with the same mutex (`QMutexLocker locker(&m_mutex);` or "
        "`std::lock_guard<std::mutex> lock(m_mutex);`), make it `std::atomic`/`QAtomicInt` if it is a "
        "single value, or hand results over with queued signals."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for cls in _threaded_classes(file):
            entry_nodes = {id(node) for _, node in cls.entries}
            for label, entry in cls.entries:
                yield from self._races(file, cls, label, entry, entry_nodes)

    def _races(self, file: CFile, cls: _ThreadedClass, label: str, entry: ts.Node,
               entry_nodes: set[int]) -> Iterator[Hit]:
        reported = set()
        for member, node, written in _member_accesses(file, cls, entry):
            if not written or member in reported or _is_locked_at(file, node):
                continue
            other = self._unlocked_user(file, cls, member, entry, entry_nodes)
            if other is not None:
                reported.add(member)
                yield Hit(node.parent if node.parent is not None else node,
                          {"member": member, "entry": label, "other": other})

    def _unlocked_user(self, file: CFile, cls: _ThreadedClass, member: str, entry: ts.Node,
                       entry_nodes: set[int]) -> str | None:
        for name, functions in cls.methods.items():
            if name in (cls.name, "~" + cls.name):
                continue  # construction and destruction happen before the thread starts / after it joins
            for function in functions:
                if id(function) in entry_nodes or function == entry or _contains(function, entry):
                    continue
                if any(m == member and not _is_locked_at(file, n) for m, n, _ in _member_accesses(file, cls, function)):
                    return name
        return None


def _contains(outer: ts.Node, inner: ts.Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte
