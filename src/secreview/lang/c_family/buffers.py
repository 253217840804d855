"""How big is a buffer, and how much can a copy put into it?

Local reasoning only: an array's size comes from its declaration; a
pointer's from its assignments earlier in the same function (`p = buf`,
`p = malloc(64)`, `p = alloca(n)`, `p = new char[32]`).  `capacity_of` is the
exact size when one assignment surely ran last; `capacity_range` is the
(smallest, largest) size over every non-NULL assignment that may have run,
which is enough to prove that a copy fits, or that it cannot.  A string
source is bounded by the array that holds it (a terminated string in a
`char s[11]` is at most 11 bytes with its terminator) or by its literal.
Unknown stays unknown (None): rules then fall back to their cautious form.

`allocation_sizes` lists where sizes are handed to allocators, and
`unbounded_copy` judges a copy without a size limit (`strcpy`, `strcat`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.expressions import int_value, literal_text
from secreview.lang.c_family.file import (
    PRIMITIVE_SIZES, CFile, Variable, is_address_taken, is_written, literal_bytes, strip_casts)

STACK_ALLOCATORS = frozenset({"alloca", "_alloca", "__builtin_alloca", "_malloca"})
HEAP_ALLOCATORS = frozenset({"malloc", "realloc", "g_malloc", "kmalloc"})
_MAX_HOPS = 4
_ALLOCATOR_SIZE_ARGUMENTS = {"malloc": (0,), "alloca": (0,), "_alloca": (0,), "realloc": (1,), "calloc": (0, 1),
                             "g_malloc": (0,), "xmalloc": (0,), "VirtualAlloc": (1,), "HeapAlloc": (2,)}


def buffer_variable(file: CFile, node: ts.Node | None) -> Variable | None:
    """The declared array behind a destination expression: `buf`, `s.buf`, `s->buf`, `this->buf`."""
    node = strip_casts(node)
    if node is None:
        return None
    if node.type == "identifier":
        return file.variable(node)
    if node.type == "field_expression":
        field = node.child_by_field_name("field")
        return file.fields.get(file.text_of(field)) if field is not None else None
    return None


def capacity_of(file: CFile, node: ts.Node | None, at: ts.Node, _hops: int = 0) -> int | None:
    """Bytes the buffer `node` points to or is, when known from local declarations and assignments."""
    node = strip_casts(node)
    if node is None or _hops > _MAX_HOPS:
        return None
    variable = buffer_variable(file, node)
    if variable is not None and variable.is_array:
        size = file.byte_size(variable)
        return size if isinstance(size, int) else None
    if node.type == "identifier" and variable is not None and variable.is_pointer:
        latest = _latest_binding(file, node, at)
        return _capacity_of_value(file, latest[1], latest[0], _hops + 1) if latest is not None else None
    return None


def capacity_range(file: CFile, node: ts.Node | None, at: ts.Node, _hops: int = 0) -> tuple[int, int] | None:
    """(smallest, largest) bytes the buffer may have at `at`, over every non-NULL assignment of a local
    pointer earlier in the function; None when any of them is unknown."""
    node = strip_casts(node)
    if node is None or _hops > _MAX_HOPS:
        return None
    exact = capacity_of(file, node, at)
    if exact is not None:
        return exact, exact
    variable = buffer_variable(file, node)
    body = flow.body_of(file, at)
    if node.type != "identifier" or variable is None or not variable.is_pointer or variable.is_parameter or \
            body is None:
        return None
    sizes = []
    for bound, value in flow.bindings(file, body, variable.name):
        if bound.start_byte >= at.start_byte or file.variable(bound) != variable or file.is_null(value):
            continue
        value = strip_casts(value)
        size = capacity_range(file, value, bound, _hops + 1) if value is not None and value.type == "identifier" \
            else _exact_range(_capacity_of_value(file, value, bound, _hops + 1))
        if size is None:
            return None
        sizes.append(size)
    if not sizes:
        return None
    return min(low for low, _ in sizes), max(high for _, high in sizes)


def _exact_range(size: int | None) -> tuple[int, int] | None:
    return (size, size) if size is not None else None


def _latest_binding(file: CFile, identifier: ts.Node, at: ts.Node) -> tuple[ts.Node, ts.Node] | None:
    """The (bound identifier, value) of the assignment that surely ran last before `at`, if any."""
    body = flow.body_of(file, at)
    variable = file.variable(identifier)
    if body is None or variable is None:
        return None
    latest = None
    for bound, value in flow.bindings(file, body, variable.name):
        if bound.start_byte < at.start_byte and file.variable(bound) == variable:
            latest = (bound, value)
    if latest is None or _assigned_between(file, body, variable.name, latest[0], at):
        return None
    # a binding made in a branch that may not have run says nothing certain
    return latest if flow.runs_before(file, latest[0], at) else None


def _assigned_between(file: CFile, body: ts.Node, name: str, bound: ts.Node, at: ts.Node) -> bool:
    """Another assignment, increment or address-taking of the pointer between its binding and `at`."""
    return any(n != bound for n in flow.occurrences_between(file, body, name, bound, at)
               if flow.assigned_value(n) is not None or is_written(n) or is_address_taken(n))


def _capacity_of_value(file: CFile, value: ts.Node, at: ts.Node, hops: int) -> int | None:
    value = strip_casts(value)
    if value is None:
        return None
    if value.type == "identifier":
        return capacity_of(file, value, at, hops)  # `at` is where the value was assigned
    if value.type == "new_expression":
        declarator = value.child_by_field_name("declarator")
        length = int_value(file, declarator.child_by_field_name("length")) if declarator is not None else None
        element = _element_size(file, value)
        return length * element if length is not None and element is not None else None
    call = file.call_of(value)
    if call is None or call.name is None:
        return None
    if call.method in STACK_ALLOCATORS or call.method in HEAP_ALLOCATORS:
        return int_value(file, call.args[-1] if call.args else None)
    if call.method == "calloc" and len(call.args) == 2:
        count, size = int_value(file, call.args[0]), int_value(file, call.args[1])
        return count * size if count is not None and size is not None else None
    return None


def _element_size(file: CFile, new_expression: ts.Node) -> int | None:
    """Size of the element type of `new T[n]` when T is a primitive type."""
    type_node = new_expression.child_by_field_name("type")
    return PRIMITIVE_SIZES.get(" ".join(file.text_of(type_node).split())) if type_node is not None else None


def string_bound(file: CFile, node: ts.Node | None, at: ts.Node) -> int | None:
    """Most bytes (terminator included) a string copied from `node` can occupy."""
    node = strip_casts(node)
    if node is None:
        return None
    text = file.string_value(node)
    if isinstance(text, str):
        return literal_bytes(text) + 1
    held = capacity_range(file, node, at)
    return held[1] if held is not None else None


@dataclass(frozen=True)
class UnboundedCopy:
    """A copy without a size limit that may not fit: the destination's possible sizes (None: unknown)
    and the most the source can hold (None: unknown); `overflows` when it cannot fit any of them."""

    room: tuple[int, int] | None
    needed: int | None

    @property
    def overflows(self) -> bool:
        return self.room is not None and self.needed is not None and self.needed > self.room[1]


def unbounded_copy(file: CFile, destination: ts.Node | None, source: ts.Node | None, at: ts.Node,
                   *, appended: bool = False) -> UnboundedCopy | None:
    """None when the copy surely fits (or the source is a literal the author sized); else what is known.

    A source fits when it is no larger than the smallest buffer the destination may be (an append
    adds to what is already there, so only a source that cannot fit counts)."""
    if destination is None or source is None:
        return None
    copy = UnboundedCopy(capacity_range(file, destination, at), string_bound(file, source, at))
    if copy.room is not None and copy.needed is not None:
        if copy.needed <= copy.room[0] and not appended:
            return None
        if copy.overflows:
            return copy
    if literal_text(file, source) is not None:
        return None  # a literal's length is chosen by the author, not by an attacker
    return copy


@dataclass(frozen=True)
class AllocationSize:
    anchor: ts.Node  # the call or new expression
    size: ts.Node
    allocator: str


def allocation_sizes(file: CFile) -> Iterator[AllocationSize]:
    """The size arguments of allocator calls and the lengths of `new T[n]`, in source order per kind."""
    for call in file.calls_to(*_ALLOCATOR_SIZE_ARGUMENTS):
        for index in _ALLOCATOR_SIZE_ARGUMENTS[call.method or ""]:
            size = call.arg(index)
            if size is not None:
                yield AllocationSize(call.node, size, call.method or "")
    if file.language == "cpp":
        for node in file.nodes_of_type("new_expression"):
            declarator = node.child_by_field_name("declarator")
            length = declarator.child_by_field_name("length") if declarator is not None else None
            if length is not None:
                yield AllocationSize(node, length, "new[]")



def member_array_length(file: CFile, name: str, owner: str = "") -> int | None:
    """Elements of the struct/class member array `name` of the type named `owner` (`struct s`, `s`,
    `s_t` for a typedef of an unnamed struct) when the file declares it; without that type, when every
    member of that name in the file is an array of the same constant length. A last member of length 0
    or 1 is never known: it is the old form of a flexible array (`char data[1]` standing for as many
    bytes as were allocated)."""
    by_owner, by_name = file.memo(("member array lengths",), lambda: _member_array_lengths(file))
    owner = owner.split()[-1] if owner.split() else ""
    if (owner, name) in by_owner:
        return by_owner[(owner, name)]
    return by_name.get(name)


def _member_array_lengths(file: CFile) -> tuple[dict[tuple[str, str], int | None], dict[str, int | None]]:
    by_owner: dict[tuple[str, str], int | None] = {}
    by_name: dict[str, int | None] = {}
    for declaration in file.nodes_of_type("field_declaration"):
        last = _is_last_member(declaration)
        owner = _owner_name(file, declaration)
        for variable in file.declared_variables(declaration, is_parameter=False):
            length = file.array_length(variable) if len(variable.array_sizes) == 1 else None
            known = length if isinstance(length, int) and not (last and length <= 1) else None
            if owner:
                by_owner[(owner, variable.name)] = known
            if variable.name in by_name and by_name[variable.name] != known:
                known = None
            by_name[variable.name] = known
    return by_owner, by_name


def _owner_name(file: CFile, declaration: ts.Node) -> str:
    """The name of the struct/class/union a member belongs to, or of the typedef naming it."""
    body = declaration.parent
    specifier = body.parent if body is not None else None
    if specifier is None or specifier.type not in ("struct_specifier", "class_specifier", "union_specifier"):
        return ""
    name = specifier.child_by_field_name("name")
    if name is not None:
        return file.text_of(name).split("::")[-1]
    typedef = specifier.parent
    if typedef is not None and typedef.type == "type_definition":
        declarator = typedef.child_by_field_name("declarator")
        return file.text_of(declarator) if declarator is not None and declarator.type == "type_identifier" else ""
    return ""


def _is_last_member(declaration: ts.Node) -> bool:
    following = declaration.next_named_sibling
    while following is not None and following.type in ("comment", "access_specifier", "preproc_call"):
        following = following.next_named_sibling
    return following is None or following.type != "field_declaration"
