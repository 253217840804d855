"""Lifetimes of heap memory and handles inside one function.

An *acquisition* binds a local variable to fresh memory (`p = malloc(n)`,
`p = new T`) or to an open handle (`f = fopen(...)`, `fd = open(...)`).
Later occurrences of that variable are classified as a *release* (`free(p)`,
`fclose(f)`, `delete p`), an *escape* (ownership may leave the function:
returned, stored elsewhere, passed to a function that may keep it) or a
plain use.  The rules built on this (leaks, use after free, double free,
unchecked results, mismatched release) only reason about local variables of
one function, and stay quiet whenever ownership may have moved.

Leaks, uses after release and double releases are the value-flow engine's
(`secreview.valueflow`), which follows paths; it reads the resource tables
here (`HEAP`, `FILES`, `RELEASERS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge.vocabulary import words
from secreview.lang.c_family import flow
from secreview.lang.c_family.file import Call, CFile, Variable, cpp_cast_operand, strip_casts


@dataclass(frozen=True)
class Resource:
    """One kind of resource: how it is acquired and how it is released."""

    noun: str
    acquire: frozenset[str]
    release: frozenset[str]
    new_expression: bool = False  # `new T` acquires it (released by delete)


HEAP = Resource(
    "memory",
    frozenset({"malloc", "calloc", "realloc", "strdup", "strndup", "wcsdup", "_strdup", "_wcsdup", "aligned_alloc",
               "valloc", "reallocarray", "g_malloc", "g_malloc0", "g_strdup"}),
    frozenset({"free", "g_free", "realloc", "reallocarray", "kfree"}),
    new_expression=True,
)
FILES = Resource(
    "handle",
    frozenset({"fopen", "fdopen", "_wfopen", "tmpfile", "open", "openat", "creat", "socket", "accept", "popen",
               "opendir", "_open", "_wopen", "dup", "fopen64", "open64"}),
    frozenset({"fclose", "close", "pclose", "closedir", "_close", "closesocket", "shutdown_and_close"}),
)

# How many arguments each opening call of `FILES` takes at least: a call with fewer is another function of
# the same name (a C++ method called from inside its class, `QDialog::accept()`, `Stream::open()`).
OPENING_ARITY = {"fopen": 2, "fdopen": 2, "_wfopen": 2, "tmpfile": 0, "open": 2, "openat": 3, "creat": 2, "socket": 3,
                 "accept": 3, "popen": 2, "opendir": 1, "_open": 2, "_wopen": 2, "dup": 1, "fopen64": 2, "open64": 2}

# Library calls that read or fill a buffer or stream without taking ownership of it.
BORROWING_CALLS = frozenset({
    "memcpy", "memmove", "memset", "memcmp", "memchr", "strcpy", "strncpy", "strcat", "strncat", "strlen", "strnlen",
    "strcmp", "strncmp", "strchr", "strrchr", "strstr", "strtok", "sprintf", "snprintf", "vsprintf", "vsnprintf",
    "printf", "fprintf", "puts", "fputs", "fputc", "putc", "fgets", "fgetc", "getc", "fread", "fwrite", "fseek",
    "ftell", "rewind", "fflush", "feof", "ferror", "fscanf", "sscanf", "read", "write", "send", "recv", "sendto",
    "recvfrom", "wcscpy", "wcsncpy", "wcscat", "wcslen", "wmemset", "wmemcpy", "wprintf", "fwprintf", "swprintf",
    "atoi", "atol", "strtol", "strtoul", "qsort", "bzero", "explicit_bzero", "fstat", "fileno", "setvbuf", "getline",
    "ioctl", "fcntl", "lseek", "bind", "connect", "listen", "setsockopt", "select", "poll", "readdir", "fsync",
    "isatty", "ftruncate", "assert", "sizeof",
})
# Functions of the program itself whose names say they only look at their argument.
BORROWING_NAME = re.compile(r"^(?:print|log|dump|show|display|debug|trace|write|put|is|has|check|validate|"
                             r"compare|cmp|hash|format|count|len|size|find|search|read|parse|use|process|handle)",
                             re.I)
# Functions whose names say they read (print, log, write out) the data they are given.
READING_NAME = re.compile(r"^(?:print|log|dump|show|display|debug|trace|write|put|puts|send|format|hash|parse|use|"
                          r"process|handle|read|copy|str|mem|wcs)", re.I)


@dataclass(frozen=True)
class Acquisition:
    name: str
    identifier: ts.Node  # where the variable is bound
    source: ts.Node  # the allocating call or new expression
    callee: str  # "malloc", "new", "new[]", "fopen" ...
    body: ts.Node  # body of the enclosing function

    def placeholders(self) -> dict[str, str]:
        """The values a finding about this acquisition names: variable, acquiring call and its line."""
        return {"name": self.name, "callee": self.callee, "acquired_line": str(self.source.start_point[0] + 1)}


def is_reference(file: CFile, variable: Variable) -> bool:
    """A C++ reference (`T &r`, `T *&r`): it names an object that lives elsewhere."""
    return "&" in file.text_of(variable.declarator).split("=")[0]


def acquisitions(file: CFile, resource: Resource) -> Iterator[Acquisition]:
    """Local variables bound to a freshly acquired resource, in source order."""
    sources: list[tuple[ts.Node, str]] = [(c.node, c.method or "") for c in file.calls_to(*resource.acquire)]
    if resource.new_expression and file.language == "cpp":
        sources += [(n, "new[]" if _is_array_new(n) else "new") for n in file.nodes_of_type("new_expression")]
    for node, callee in sorted(sources, key=lambda item: item[0].start_byte):
        bound = bound_identifier(node)
        body = flow.body_of(file, node)
        if bound is None or body is None:
            continue
        variable = file.variable(bound)
        if variable is None or variable.is_parameter or variable.is_static or is_reference(file, variable) or \
                file.enclosing_function(variable.declaration) is None:
            continue  # globals, statics, parameters and references outlive the call: not ours to judge
        yield Acquisition(file.text_of(bound), bound, node, callee, body)


def _is_array_new(node: ts.Node) -> bool:
    declarator = node.child_by_field_name("declarator")
    return declarator is not None and declarator.type == "new_declarator"


def bound_identifier(value: ts.Node) -> ts.Node | None:
    """`p` for `p = <value>` or `T *p = <value>` (through casts and parentheses)."""
    node = value
    parent = node.parent
    while parent is not None:
        if parent.type in ("parenthesized_expression", "cast_expression"):
            node, parent = parent, parent.parent
        elif parent.type == "argument_list" and cpp_cast_operand(parent.parent) == node:
            node, parent = parent.parent, parent.parent.parent  # static_cast<T *>(value)
        else:
            break
    if parent is None:
        return None
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = strip_casts(parent.child_by_field_name("left"))
        return left if left is not None and left.type == "identifier" else None
    if parent.type == "init_declarator" and parent.child_by_field_name("value") == node:
        declarator = parent.child_by_field_name("declarator")
        while declarator is not None and declarator.type in ("pointer_declarator", "reference_declarator"):
            declarator = declarator.child_by_field_name("declarator") or next(iter(declarator.named_children), None)
        return declarator if declarator is not None and declarator.type == "identifier" else None
    return None


def releases(file: CFile, body: ts.Node, name: str, resource: Resource) -> list[ts.Node]:
    """Calls and delete expressions that release `name` in `body`, in source order."""
    found = []
    for call in file.calls_to(*resource.release):
        if flow.inside(call.node, body) and call.args and _names(file, call.args[0], name):
            found.append(call.node)
    if resource.new_expression and file.language == "cpp":
        for node in file.nodes_of_type("delete_expression", within=body):
            if _names(file, node.named_children[-1] if node.named_children else None, name):
                found.append(node)
    return sorted(found, key=lambda n: n.start_byte)


def _names(file: CFile, node: ts.Node | None, name: str) -> bool:
    node = strip_casts(node)
    return node is not None and node.type == "identifier" and file.text_of(node) == name


def escapes(file: CFile, acquisition: Acquisition, resource: Resource, *,
            methods_may_adopt: bool = False) -> list[ts.Node]:
    """Occurrences after the acquisition through which ownership may leave the function.

    For an object made with `new`, a parent given to its constructor (`new QTimer(this)`) owns it
    from birth; with `methods_may_adopt`, any method call on it (`dialog->show()` after
    WA_DeleteOnClose, `obj->registerWith(p)`) may hand it over too.
    """
    if acquisition.callee == "new" and owned_at_birth(file, acquisition.source):
        return [acquisition.source]
    found = []
    for node in flow.occurrences(file, acquisition.body, acquisition.name):
        if node.start_byte <= acquisition.source.end_byte or node == acquisition.identifier:
            continue
        if _is_escape(file, node, resource) or \
                (methods_may_adopt and acquisition.callee == "new" and _method_receiver(file, node)):
            found.append(node)
    return found


def owned_at_birth(file: CFile, new_expression: ts.Node) -> bool:
    """`this`, `parent`, `m_owner`, `parentWidget()` ... among the constructor arguments: a Qt-style parent."""
    arguments = new_expression.child_by_field_name("arguments")
    for argument in arguments.named_children if arguments is not None else ():
        if argument.type == "this":
            return True
        if any(w in ("parent", "owner") for w in words(file.text_of(argument).split("(")[0])):
            return True
    return False


def _method_receiver(file: CFile, node: ts.Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "field_expression" and \
        parent.child_by_field_name("argument") == node and parent.parent is not None and \
        parent.parent.type == "call_expression"


def _is_escape(file: CFile, node: ts.Node, resource: Resource) -> bool:
    current, parent = node, node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression", "static_cast",
                                                  "reinterpret_cast", "conditional_expression", "comma_expression"):
        current, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type in ("return_statement", "initializer_list", "init_declarator", "lambda_capture_specifier",
                       "co_return_statement", "throw_statement"):
        return True
    if parent.type == "pointer_expression":
        operator = parent.child_by_field_name("operator")
        return operator is not None and operator.type == "&"
    if parent.type == "assignment_expression":
        return parent.child_by_field_name("right") == current
    if parent.type == "argument_list" and parent.parent is not None:
        call = file.call_of(parent.parent)
        return call is None or not _borrows(call, resource)
    return False


def _borrows(call: Call, resource: Resource) -> bool:
    name = call.method or call.name or ""
    return name in BORROWING_CALLS or name in resource.release or bool(BORROWING_NAME.match(name))


def dereferences(file: CFile, acquisition: Acquisition) -> Iterator[ts.Node]:
    """Occurrences of the variable after the acquisition that dereference it."""
    for node in flow.occurrences(file, acquisition.body, acquisition.name):
        if node.start_byte > acquisition.source.end_byte and is_dereference(file, node):
            yield node


# Library calls that dereference (read or write through) every pointer argument.
DEREFERENCING_CALLS = frozenset({
    "memcpy", "memmove", "memset", "memcmp", "strcpy", "strncpy", "strcat", "strncat", "strlen", "strcmp", "strncmp",
    "sprintf", "snprintf", "vsprintf", "fgets", "fread", "fwrite", "fprintf", "fputs", "fputc", "fgetc", "fscanf",
    "fseek", "ftell", "rewind", "fflush", "wcscpy", "wcsncpy", "wcscat", "wcslen", "wmemset", "wmemcpy", "fwprintf",
    "fgetws", "fputws", "strchr", "strstr", "puts", "atoi", "strtok", "bzero", "fclose", "getc", "putc",
    # streams and directories (the C library does not test them for NULL)
    "feof", "ferror", "clearerr", "fileno", "fgetpos", "fsetpos", "ungetc", "vfprintf", "fputwc", "fgetwc",
    "setvbuf", "setbuf", "pclose", "readdir", "closedir", "rewinddir", "dirfd", "getline", "getdelim",
    "strrchr", "strdup", "strndup", "strcasecmp", "strncasecmp", "strtol", "strtoul", "strtod", "atol", "atof",
})


def is_dereference(file: CFile, node: ts.Node) -> bool:
    """`*p`, `p[i]`, `p->f`, `p->m()` or `p` handed to a library call that reads or writes through it."""
    parent = node.parent
    if parent is None or any(a.type in ("sizeof_expression", "alignof_expression", "decltype")
                             for a in CFile.ancestors(node)):
        return False  # unevaluated operands touch no memory
    if parent.type == "pointer_expression":
        operator = parent.child_by_field_name("operator")
        return operator is not None and operator.type == "*"
    if parent.type == "subscript_expression":
        return parent.child_by_field_name("argument") == node
    if parent.type == "field_expression":
        operator = parent.child_by_field_name("operator")
        return parent.child_by_field_name("argument") == node and operator is not None and operator.type == "->"
    if parent.type == "argument_list" and parent.parent is not None:
        call = file.call_of(parent.parent)
        return call is not None and (call.method or "") in DEREFERENCING_CALLS and call.receiver is None
    return False


def first_unchecked_dereference(file: CFile, acquisition: Acquisition) -> ts.Node | None:
    """The first dereference of the acquired pointer that no null test precedes or guards."""
    for use in dereferences(file, acquisition):
        if flow.written_between(file, acquisition.body, acquisition.name, acquisition.source, use):
            return None  # reassigned: a different pointer now
        tested = [t for t in flow.tests_of(file, acquisition.body, acquisition.name)
                  if acquisition.source.start_byte <= t.start_byte < use.start_byte]
        guarded = tested_in_conditions(file, acquisition.name, use)
        if tested or guarded or _inside_acquiring_condition(acquisition):
            return None
        return use
    return None


def _inside_acquiring_condition(acquisition: Acquisition) -> bool:
    """`if ((p = malloc(n)) == NULL)`: the acquisition is itself tested."""
    return any(a.type in ("condition_clause", "parenthesized_expression") and a.parent is not None and
               a.parent.type in ("if_statement", "while_statement") for a in CFile.ancestors(acquisition.source))


def tested_in_conditions(file: CFile, name: str, node: ts.Node) -> bool:
    """A condition under which `node` runs tests `name` itself (`!p`, `p == NULL`, `fd < 0`), not `p[0]`."""
    return any(flow.is_tested(file, n) for condition in flow.guarding_conditions(node) if condition is not None
               for n in file.identifiers(condition).get(name, ()))


# `main` may leave cleanup to process exit; warning there is noise, not a defect.
PROCESS_EXIT_FUNCTIONS = frozenset({"main", "wmain", "_tmain", "WinMain"})


# -- releases -------------------------------------------------------------------------

# Calls that release heap memory given as their first argument (not realloc: on failure it keeps it).
RELEASERS = frozenset({"free", "g_free", "kfree", "cfree"})
