"""Classes whose members are touched from a thread: entry points, member accesses, locks.

A thread entry point of a class is `run()` when the class derives from
`QThread`, a method passed as `&Class::method` to `std::thread`,
`std::jthread`, `QThread::create` or `QtConcurrent::run`, or a lambda
capturing `this` passed to one of them.  Accesses to data members are found
as bare member names (not shadowed by a local) and as `this->member`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, Variable, is_written

THREAD_STARTERS = frozenset({"std::thread", "std::jthread", "thread", "jthread", "QThread::create",
                             "QtConcurrent::run", "std::async", "async"})
_LOCKS = re.compile(r"\b(QMutexLocker|QWriteLocker|QReadLocker|lock_guard|unique_lock|scoped_lock|shared_lock|"
                    r"pthread_mutex_lock|EnterCriticalSection|QMutexLocker)\b|(\.|->)(lock|lockForWrite|lockForRead)"
                    r"\s*\(")
_SYNCHRONISED_TYPES = re.compile(r"atomic|Atomic|mutex|Mutex|QSemaphore|condition_variable|QWaitCondition|"
                                 r"QThreadStorage|thread_local|QReadWriteLock|std::once_flag")


@dataclass
class ThreadedClass:
    name: str
    node: ts.Node
    fields: dict[str, Variable]
    methods: dict[str, list[ts.Node]] = field(default_factory=dict)  # method name -> definitions
    entries: list[tuple[str, ts.Node]] = field(default_factory=list)  # (label, body running on the thread)


def threaded_classes(file: CFile) -> Iterator[ThreadedClass]:
    for node in file.nodes_of_type("class_specifier", "struct_specifier"):
        body = node.child_by_field_name("body")
        name_node = node.child_by_field_name("name")
        if body is None or name_node is None:
            continue
        cls = ThreadedClass(file.text_of(name_node), node, _data_members(file, body))
        _collect_methods(file, cls)
        _collect_entries(file, cls)
        if cls.entries and cls.fields:
            yield cls


def _data_members(file: CFile, body: ts.Node) -> dict[str, Variable]:
    members = {}
    for declaration in body.named_children:
        if declaration.type != "field_declaration":
            continue
        for variable in file._declared(declaration, is_parameter=False):
            text = file.text_of(declaration)
            if variable.is_static or _SYNCHRONISED_TYPES.search(text) or "const " in text.split("=")[0]:
                continue
            members[variable.name] = variable
    return members


def _collect_methods(file: CFile, cls: ThreadedClass) -> None:
    for function in file.nodes_of_type("function_definition"):
        name = file.function_name(function)
        inside = function.start_byte > cls.node.start_byte and function.end_byte <= cls.node.end_byte
        if inside and "::" not in name:
            cls.methods.setdefault(name, []).append(function)
        elif name.startswith(cls.name + "::"):
            cls.methods.setdefault(name.split("::")[-1], []).append(function)


def _collect_entries(file: CFile, cls: ThreadedClass) -> None:
    bases = cls.node.child_by_field_name("base_class_clause") or next(
        (c for c in cls.node.children if c.type == "base_class_clause"), None)
    if bases is not None and "QThread" in file.text_of(bases):
        for function in cls.methods.get("run", []):
            cls.entries.append(("run()", function))
    for call in file.calls:
        if call.name not in THREAD_STARTERS:
            continue
        _entry_from_arguments(file, cls, call.args)
    for declaration in file.nodes_of_type("declaration"):  # std::thread worker(&C::loop, this);
        type_text = file.text_of(declaration.child_by_field_name("type"))
        if "thread" in type_text:
            for declarator in declaration.children_by_field_name("declarator"):
                arguments = declarator.child_by_field_name("value") if declarator.type == "init_declarator" else None
                if arguments is not None and arguments.type in ("argument_list", "initializer_list"):
                    _entry_from_arguments(file, cls, tuple(arguments.named_children))


def _entry_from_arguments(file: CFile, cls: ThreadedClass, args: tuple[ts.Node, ...]) -> None:
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


def _in_methods(node: ts.Node, cls: ThreadedClass) -> bool:
    return any(f.start_byte <= node.start_byte and node.end_byte <= f.end_byte
               for functions in cls.methods.values() for f in functions)


def is_locked_at(file: CFile, node: ts.Node) -> bool:
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


def member_accesses(file: CFile, cls: ThreadedClass, function: ts.Node) -> Iterator[tuple[str, ts.Node, bool]]:
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
