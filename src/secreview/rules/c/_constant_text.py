"""Is a string argument fixed by the program, even when it lives in a buffer?

`literal_text` knows literals, macros and constants.  Commands, queries and
formats are also often assembled in a local array: `char cmd[64] = "ls ";
strcat(cmd, "-l"); system(cmd);`.  Such a buffer holds constant text when
its initialiser is a literal and every call in the function that touches it
(directly or through a pointer set to it) either only reads it or copies
more constant text into it.  Anything else (a `recv`, an `fgets`, a copy from
a variable, a call to unknown code) makes it variable.
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, Variable, strip_casts
from secreview.rules.c import _flow
from secreview.rules.c._helpers import literal_text

_CONSTANT_WRITERS = frozenset({"strcpy", "strcat", "strncpy", "strncat", "wcscpy", "wcscat", "wcsncpy", "wcsncat",
                               "sprintf", "snprintf", "swprintf", "_snprintf", "lstrcpy", "lstrcat"})
_READERS = frozenset({"strlen", "wcslen", "printf", "puts", "fputs", "strcmp", "strncmp", "strchr", "strstr",
                      "wcscmp", "printLine", "system", "popen", "execl", "execlp", "fprintf", "strnlen"})
_MAX_HOPS = 3


def is_constant_string(file: CFile, node: ts.Node | None, at: ts.Node) -> bool:
    """True when the text `node` denotes is fixed by the program (literal, or a buffer filled only with literals)."""
    if literal_text(file, node) is not None:
        return True
    return _buffer_constant(file, strip_casts(node), at, 0)


def _buffer_constant(file: CFile, node: ts.Node | None, at: ts.Node, hops: int) -> bool:
    if node is None or node.type != "identifier" or hops > _MAX_HOPS:
        return False
    name = file.resolve_alias(file.text_of(node))
    variable = file.lookup(name, node)  # resolved where it is written: inner blocks may shadow it
    body = _flow.body_of(file, at)
    if variable is None or variable.is_parameter or body is None or \
            file.enclosing_function(variable.declaration) is None:
        return False
    if variable.is_array:
        return _array_constant(file, variable, body, at)
    if variable.pointer_depth == 1:
        value = _latest_value(file, body, variable, at)
        return value is not None and (literal_text(file, value) is not None or
                                      _buffer_constant(file, strip_casts(value), at, hops + 1))
    return False


def _latest_value(file: CFile, body: ts.Node, variable: Variable, at: ts.Node) -> ts.Node | None:
    bindings = [(bound, value) for bound, value in _flow.bindings(file, body, variable.name)
                if bound.start_byte < at.start_byte and file.variable(bound) == variable]
    if not bindings or not _flow.runs_before(file, bindings[-1][0], at):
        return None
    return bindings[-1][1]


def _array_constant(file: CFile, array: Variable, body: ts.Node, at: ts.Node) -> bool:
    if array.initializer is not None and literal_text(file, array.initializer) is None and \
            array.initializer.type != "initializer_list":
        return False
    aliases = {array.name} | _pointers_to(file, body, array.name)
    for call in file.calls:
        if not _flow.inside(call.node, body) or call.node.start_byte >= at.start_byte:
            continue
        touched = [i for i, argument in enumerate(call.args) if _mentions(file, argument, aliases)]
        if touched and not _keeps_constant(file, call, touched):
            return False
    return not _element_writes(file, body, aliases, at)


def _pointers_to(file: CFile, body: ts.Node, array: str) -> set[str]:
    found = set()
    for assignment in file.nodes_of_type("assignment_expression", "init_declarator", within=body):
        value = strip_casts(assignment.child_by_field_name("right") or assignment.child_by_field_name("value"))
        target = assignment.child_by_field_name("left") or assignment.child_by_field_name("declarator")
        if value is not None and value.type == "identifier" and file.text_of(value) == array and target is not None:
            found.add(file.text_of(target).lstrip("* ").strip())
    return found


def _mentions(file: CFile, node: ts.Node, names: set[str]) -> bool:
    node = strip_casts(node)
    if node is None:
        return False
    if node.type == "identifier":
        return file.resolve_alias(file.text_of(node)) in names
    return any(n in names for n in file.identifiers(node))


def _keeps_constant(file: CFile, call, touched: list[int]) -> bool:
    """The call only reads the buffer, or copies more constant text into it (as its destination)."""
    callee = call.method or ""
    if callee in _READERS:
        return True
    destination = strip_casts(call.args[0]) if call.args else None
    if callee in _CONSTANT_WRITERS and touched == [0] and destination is not None and destination.type == "identifier":
        return all(literal_text(file, argument) is not None or file.is_constant(argument)
                   for argument in call.args[1:])
    return False


def _element_writes(file: CFile, body: ts.Node, aliases: set[str], at: ts.Node) -> bool:
    """`buf[i] = x` with a non-constant x before `at`."""
    for assignment in file.nodes_of_type("assignment_expression", within=body):
        if assignment.start_byte >= at.start_byte:
            continue
        left = assignment.child_by_field_name("left")
        if left is not None and left.type == "subscript_expression" and \
                _mentions(file, left.child_by_field_name("argument"), aliases) and \
                not file.is_constant(assignment.child_by_field_name("right")):
            return True
    return False
