"""Elements of a new buffer read before anything was written into it.

## What it does
Follows, inside one function, a local array declared without an initialiser,
or memory fresh from `malloc`, `realloc(NULL, n)`, `alloca` or `new T[n]`
(but not `calloc` or `new T[n]()`), together with the pointers set to it. It
flags the first access when that access reads an element (`buf[i]` or `*p`
as a value) and nothing earlier wrote to the buffer: no element assignment,
and no call it was handed to (which might fill it, like `memset`, `fgets` or
`read`).

## Why is this bad?
Fresh stack and heap memory holds whatever was there before: earlier stack
frames, freed heap blocks. Reading it yields unpredictable values that may be
chosen by an attacker through earlier requests, and copying it out (to a
file, a socket, a log) discloses old secrets such as keys and passwords
(CWE-908).

## Example
```c
#include <stdio.h>
#include <stdlib.h>

void report(void) {
    int *counts = malloc(4 * sizeof(int));
    if (counts == NULL)
        return;
    printf("%d\n", counts[0]);
    free(counts);
}
```

## Use instead
```c
#include <stdio.h>
#include <stdlib.h>

void report(void) {
    int *counts = calloc(4, sizeof(int));
    if (counts == NULL)
        return;
    printf("%d\n", counts[0]);
    free(counts);
}
```

## References
- https://cwe.mitre.org/data/definitions/908.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP33-C.+Do+not+read+uninitialized+memory
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.buffers import HEAP_ALLOCATORS, STACK_ALLOCATORS
from secreview.lang.c_family.file import PRIMITIVE_SIZES, CFile, strip_casts
from secreview.lang.c_family.lifetime import bound_identifier
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule

# Allocators that hand out memory with unspecified contents (calloc zeroes; realloc keeps old contents).
_UNINITIALISED = (HEAP_ALLOCATORS | STACK_ALLOCATORS) - {"realloc"}


@dataclass(frozen=True)
class _FreshBuffer:
    name: str  # the array or the pointer first given the memory
    start: ts.Node  # where its contents become unspecified
    origin: str  # "declared without initialiser" / "from malloc" ...
    body: ts.Node


def _without_constructor(file: CFile, type_text: str, pointer_depth: int) -> bool:
    """Elements that nothing initialises by default: any type in C; in C++ only scalars, pointers and
    `struct` types (class types run their constructors)."""
    if file.language == "c" or pointer_depth > 0 or type_text in PRIMITIVE_SIZES:
        return True
    return type_text.startswith("struct ") or type_text in ("bool", "char", "float", "double", "long double")


class UninitializedBufferRead(CRule):
    id = "uninitialized-buffer-read"
    cwe = 908
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{access}` reads `{buffer}` ({origin}) before anything was written into it"
    description = (
        "`{code}` reads an element of `{buffer}`, {origin} on line {start_line}, and nothing in between "
        "wrote to that memory. Its contents are whatever earlier stack frames or freed heap blocks left "
        "there: unpredictable values, possibly shaped by an attacker's earlier requests, and old secrets "
        "(keys, passwords) if the data is copied out."
    )
    solution = (
        "Initialise the buffer before reading it: `= {{0}}` for an array, `calloc` instead of `malloc`, "
        "`memset(p, 0, size)`, or `new T[n]()`; or write every element that is later read."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for buffer in self._fresh_buffers(file):
            read = self._first_access_if_read(file, buffer)
            if read is not None:
                yield Hit(read, {"access": file.text_of(read)[:60], "buffer": buffer.name, "origin": buffer.origin,
                                 "start_line": str(buffer.start.start_point[0] + 1)})

    def _fresh_buffers(self, file: CFile) -> Iterator[_FreshBuffer]:
        for function in file.nodes_of_type("function_definition"):
            body = flow.body_of(file, function.child_by_field_name("body") or function)
            if body is None:
                continue
            for variable in file.variables_in(function).values():
                if variable.is_array and variable.initializer is None and not variable.is_static and \
                        not variable.is_parameter and len(variable.array_sizes) == 1 and \
                        _without_constructor(file, variable.type_text, variable.pointer_depth):
                    yield _FreshBuffer(variable.name, variable.identifier, "declared without an initialiser", body)
        for call in file.calls_to(*_UNINITIALISED):
            yield from self._allocated(file, call.node, f"fresh from `{call.method}`")
        for node in file.nodes_of_type("new_expression") if file.language == "cpp" else ():
            declarator = node.child_by_field_name("declarator")
            value_initialised = node.child_by_field_name("arguments") is not None
            element = " ".join(file.text_of(node.child_by_field_name("type")).split())
            if declarator is not None and declarator.type == "new_declarator" and not value_initialised and \
                    _without_constructor(file, element, 0):
                yield from self._allocated(file, node, "fresh from `new[]`")

    @staticmethod
    def _allocated(file: CFile, source: ts.Node, origin: str) -> Iterator[_FreshBuffer]:
        bound = bound_identifier(source)
        body = flow.body_of(file, source)
        if bound is not None and body is not None:
            yield _FreshBuffer(file.text_of(bound), source, origin, body)

    def _first_access_if_read(self, file: CFile, buffer: _FreshBuffer) -> ts.Node | None:
        """Walk the uses of the buffer and of pointers set to it, in source order; stop at the first that
        writes or may write (None), or report the first that reads an element."""
        aliases = self._aliases(file, buffer)
        names = set(aliases)
        uses = sorted((n for name, since in aliases.items() for n in flow.occurrences(file, buffer.body, name)
                       if n.start_byte > since), key=lambda n: n.start_byte)
        for use in uses:
            if flow.assigned_value(use) is not None:
                if use.start_byte > buffer.start.end_byte and file.text_of(use) == buffer.name:
                    return None  # the buffer's own name rebound: a different buffer from here on
                continue
            kind = self._access_kind(file, use, names)
            if kind == "write":
                return None
            if kind == "read":
                return use.parent if use.parent is not None and use.parent.type != "argument_list" else use
        return None

    @staticmethod
    def _aliases(file: CFile, buffer: _FreshBuffer) -> dict[str, int]:
        """The buffer's name and the pointers later set to it (`p = buffer;`), each with the byte offset
        from which it refers to the buffer."""
        aliases = {buffer.name: buffer.start.end_byte}
        for assignment in file.nodes_of_type("assignment_expression", "init_declarator", within=buffer.body):
            value = strip_casts(assignment.child_by_field_name("right") or assignment.child_by_field_name("value"))
            target = assignment.child_by_field_name("left") or assignment.child_by_field_name("declarator")
            if value is not None and value.type == "identifier" and file.text_of(value) in aliases and \
                    target is not None and assignment.start_byte > aliases[file.text_of(value)]:
                aliases.setdefault(file.text_of(target).lstrip("* ").strip(), assignment.start_byte)
        return aliases

    @staticmethod
    def _access_kind(file: CFile, use: ts.Node, names: set[str]) -> str | None:
        """"write" (or may write), "read" (an element used as a value) or None (no access to the contents)."""
        parent = use.parent
        if parent is None:
            return None
        if any(a.type in ("sizeof_expression", "alignof_expression") for a in file.ancestors(use)):
            return None
        if parent.type == "subscript_expression" and parent.child_by_field_name("argument") == use or \
                parent.type == "pointer_expression" and file.text_of(parent.child_by_field_name("operator")) == "*":
            element = parent
            while element.parent is not None and element.parent.type in ("field_expression", "subscript_expression",
                                                                         "parenthesized_expression"):
                element = element.parent
            holder = element.parent
            if holder is not None and holder.type == "assignment_expression" and \
                    holder.child_by_field_name("left") == element:
                return "write" if file.text_of(holder.child_by_field_name("operator")) == "=" else "read"
            if holder is not None and holder.type == "pointer_expression" and \
                    file.text_of(holder.child_by_field_name("operator")) == "&":
                return "write"  # `&buf[i]` handed on: may be filled
            if holder is not None and holder.type == "update_expression":
                return "read"
            return "read"
        if parent.type in ("init_declarator", "assignment_expression"):
            target = parent.child_by_field_name("declarator") or parent.child_by_field_name("left")
            if target is not None and target != use and file.text_of(target).lstrip("* ").strip() in names:
                return None  # `p = buffer;`: an alias, followed through `names`
            return "write"
        if parent.type == "binary_expression" and flow.is_tested(file, use):
            return None  # `p == NULL` looks at the pointer, not the contents
        if parent.type in ("argument_list", "pointer_expression", "binary_expression", "return_statement",
                           "field_expression", "cast_expression"):
            return "write"  # handed to a call or another pointer: from here on we cannot tell
        return None
