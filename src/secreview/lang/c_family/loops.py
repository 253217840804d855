"""Counting loops over buffers: `for (i = 0; i < N; i++) buf[i] = ...`.

A loop is understood when its condition compares the loop variable with a
constant (`i < N`, `i <= N`, `N > i`) and it starts from a constant.  The
buffers it indexes with exactly that variable are then checked against their
declared (or locally allocated) length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.buffers import buffer_variable, capacity_range
from secreview.lang.c_family.expressions import int_value
from secreview.lang.c_family.file import CFile, is_address_taken, is_written, strip_casts

_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class CountingLoop:
    loop: ts.Node
    variable: str
    operator: str  # "<" or "<="
    bound: int
    bound_node: ts.Node
    start: int


@dataclass(frozen=True)
class IndexedAccess:
    access: ts.Node  # the subscript expression
    buffer: ts.Node
    length: int  # elements the buffer holds
    written: bool


def counting_loops(file: CFile) -> Iterator[CountingLoop]:
    for loop in file.nodes_of_type("for_statement"):
        parsed = _parse(file, loop)
        if parsed is not None:
            yield parsed


def _parse(file: CFile, loop: ts.Node) -> CountingLoop | None:
    condition = strip_casts(loop.child_by_field_name("condition"))
    if condition is None or condition.type != "binary_expression":
        return None
    operator = file.text_of(condition.child_by_field_name("operator"))
    left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
    if operator in (">", ">=") and int_value(file, left) is not None:
        operator, left, right = _FLIPPED[operator], right, left
    if operator not in ("<", "<="):
        return None
    variable, bound = strip_casts(left), int_value(file, right)
    if variable is None or variable.type != "identifier" or bound is None:
        return None
    start = _start_value(file, loop, file.text_of(variable))
    if start is None:
        return None
    return CountingLoop(loop, file.text_of(variable), operator, bound, right, start)


def _start_value(file: CFile, loop: ts.Node, name: str) -> int | None:
    initializer = loop.child_by_field_name("initializer")
    if initializer is None:
        return None
    if initializer.type == "assignment_expression":
        target = strip_casts(initializer.child_by_field_name("left"))
        if target is not None and file.text_of(target) == name:
            return int_value(file, initializer.child_by_field_name("right"))
    if initializer.type == "declaration":
        for declarator in initializer.children_by_field_name("declarator"):
            if declarator.type == "init_declarator" and \
                    file.text_of(declarator.child_by_field_name("declarator")) == name:
                return int_value(file, declarator.child_by_field_name("value"))
    return None


def indexed_accesses(file: CFile, loop: CountingLoop) -> Iterator[IndexedAccess]:
    """`buf[i]` in the loop body for buffers of known length, unless `i` is changed inside the body."""
    body = loop.loop.child_by_field_name("body")
    if body is None or _modified_in(file, body, loop.variable):
        return
    for access in file.nodes_of_type("subscript_expression", within=body):
        index = _index_of(access)
        if index is None or file.text_of(index) != loop.variable:
            continue
        buffer = access.child_by_field_name("argument")
        length = elements_of(file, buffer, access)
        if length is None:
            continue
        parent = access.parent
        written = parent is not None and parent.type == "assignment_expression" and \
            parent.child_by_field_name("left") == access
        yield IndexedAccess(access, buffer, length, written)


def _index_of(access: ts.Node) -> ts.Node | None:
    index = access.child_by_field_name("index")
    if index is None:
        indices = access.child_by_field_name("indices")
        index = indices.named_children[0] if indices is not None and indices.named_child_count == 1 else None
    return strip_casts(index)


def elements_of(file: CFile, buffer: ts.Node | None, at: ts.Node) -> int | None:
    """Elements in the buffer (arrays: declared length; pointers: allocated bytes / element size)."""
    variable = buffer_variable(file, buffer)
    if variable is None:
        return None
    if variable.is_array and len(variable.array_sizes) == 1:
        length = file.array_length(variable)
        return length if isinstance(length, int) else None
    element = file.element_size(variable) if variable.pointer_depth == 1 else None
    room = capacity_range(file, buffer, at)
    if room is None or not isinstance(element, int) or element == 0:
        return None
    return room[0] // element  # the smallest buffer the pointer may have been given


def _modified_in(file: CFile, body: ts.Node, name: str) -> bool:
    return any(is_written(n) for n in file.identifiers(body).get(name, ()))


# -- loops whose exit test nothing in them can change ------------------------------------------------

# scalar types whose value only an assignment changes (no operator or method of a class can)
_SCALAR_TYPE = re.compile(r"^(?:const\s+)?(?:(?:un)?signed\s+|short\s+|long\s+)*(?:char|short|int|long|bool|_Bool|"
                          r"size_t|ssize_t|ptrdiff_t|off_t|u?int(?:8|16|32|64|ptr|max)_t|unsigned|signed|float|double)$")
_EXITING_STATEMENTS = ("break_statement", "return_statement", "goto_statement", "throw_statement",
                       "co_return_statement")
_LEAVING_CALL = re.compile(r"(?:^|_)(?:exit|abort|die|fatal|panic|longjmp|throw|terminate|bug|fail|assert|error)",
                           re.I)
_IMPURE_TEST_PARTS = ("call_expression", "field_expression", "subscript_expression", "pointer_expression",
                      "assignment_expression", "update_expression", "comma_expression", "lambda_expression")


@dataclass(frozen=True)
class StuckLoop:
    """A `while`, `do` or `for` loop whose exit test reads only local scalars the loop never changes and that
    has no other way out: once it runs, it never stops."""

    loop: ts.Node
    test: ts.Node
    names: tuple[str, ...]  # the variables the test reads


def stuck_loops(file: CFile) -> Iterator[StuckLoop]:
    for function in file.nodes_of_type("function_definition"):
        body = function.child_by_field_name("body")
        if body is None or function.has_error or file.nodes_of_type("lambda_expression", within=body):
            continue  # a lambda may change a local it captures by reference, unseen here
        for loop in file.nodes_of_type("while_statement", "do_statement", "for_statement", within=body):
            stuck = _stuck(file, function, loop)
            if stuck is not None:
                yield stuck


def _stuck(file: CFile, function: ts.Node, loop: ts.Node) -> StuckLoop | None:
    test = loop.child_by_field_name("condition")
    if test is None or test.has_error or contains_any(test, _IMPURE_TEST_PARTS):
        return None  # `for (;;)`: meant to run until a break; a test that calls or dereferences may change
    read = file.identifiers(test)
    if not read:
        return None  # `while (1)`: a server's or a thread's main loop
    variables = file.variables_in(function)
    uses = file.identifiers(function)
    for name in read:
        variable = variables.get(name)
        if variable is None:
            if name.isupper():
                continue  # a macro or enumeration constant
            return None  # a global: another thread or a signal handler may change it
        if variable.is_static or variable.pointer_depth or variable.is_array or "volatile" in variable.type_text \
                or _SCALAR_TYPE.match(variable.type_text) is None \
                or any(is_address_taken(use) for use in uses.get(name, ())):
            return None
    body = loop.child_by_field_name("body")
    changing = [part for part in (body, loop.child_by_field_name("update")) if part is not None]
    for part in changing:
        if contains_any(part, _EXITING_STATEMENTS):
            return None
        for call in file.nodes_of_type("call_expression", within=part) if part.type != "call_expression" else [part]:
            callee = file.text_of(call.child_by_field_name("function"))
            if _LEAVING_CALL.search(callee.rsplit("::", 1)[-1]):
                return None
        for name in read:
            for use in file.identifiers(part).get(name, ()):
                if is_written(use) or _passed_where_it_may_change(file, use):
                    return None
    return StuckLoop(loop, test, tuple(sorted(read)))


def _passed_where_it_may_change(file: CFile, use: ts.Node) -> bool:
    """A C++ call may take the argument by reference; a macro may assign it."""
    parent = use.parent
    if parent is None or parent.type != "argument_list" or parent.parent is None:
        return False
    callee = file.text_of(parent.parent.child_by_field_name("function"))
    return file.language == "cpp" or callee.isupper() or callee in file.function_macros


def contains_any(node: ts.Node, types: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether the node, or any node inside it, is of one of `types`."""
    pending = [node]
    while pending:
        current = pending.pop()
        if current.type in types:
            return True
        pending.extend(current.named_children)
    return False
