"""Copy whose length is the size of the source instead of the destination.

## What it does
Flags `memcpy`, `memmove`, `strncpy`, `strncat`, `wmemcpy` and `wcsncpy`
calls whose size is computed from the *source* (`strlen(src)`, `wcslen(src)`,
`sizeof src`, possibly times an element size or plus one), unless the
destination is known, from the declarations in the same function, to be at
least as large as the source buffer. A fixed `sizeof src` is only reported
when the destination is known to be smaller.

## Why is this bad?
The size argument exists to protect the destination; measuring the source
instead turns the bounded call into an unbounded one. Any source longer than
the destination overflows it by the difference (CWE-806), and when the
source comes from input, the attacker chooses that difference.

## Example
```c
#include <string.h>

void save(const char *input) {
    char copy[32];
    memcpy(copy, input, strlen(input) + 1);
}
```

## Use instead
```c
#include <string.h>

void save(const char *input) {
    char copy[32];
    size_t length = strlen(input);
    if (length >= sizeof copy)
        return;
    memcpy(copy, input, length + 1);
}
```

## References
- https://cwe.mitre.org/data/definitions/806.html
- https://wiki.sei.cmu.edu/confluence/display/c/STR31-C.+Guarantee+that+storage+for+strings+has+sufficient+space+for+character+data+and+the+null+terminator
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.buffers import capacity_range
from secreview.lang.c_family.expressions import same_expression
from secreview.lang.c_family.file import Call, CFile, strip_casts
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule

_LENGTH_FUNCTIONS = frozenset({"strlen", "wcslen", "_tcslen", "strnlen", "lstrlen"})


class CopySizeTakenFromSource(CCallRule):
    id = "copy-size-taken-from-source"
    cwe = 806
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = ("memcpy", "memmove", "strncpy", "strncat", "wmemcpy", "wmemmove", "wcsncpy", "wcsncat", "CopyMemory")
    message = "`{callee}` copies as much as `{source}` holds into `{destination}`: {size}"
    description = (
        "`{code}` bounds the copy by the size of its source (`{size}`), not by the room in `{destination}`. "
        "Whenever `{source}` is longer than `{destination}`, the call writes past the end of `{destination}` "
        "by the difference; if the source comes from input, an attacker chooses how far and what is written."
    )
    solution = (
        "Bound the copy by the destination: check the source length against `sizeof {destination}` (or the "
        "destination's allocated length) first and reject or truncate longer input, then copy."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        destination, source, size = call.arg(0), call.arg(1), call.arg(2)
        if destination is None or source is None or size is None or same_expression(file, destination, source):
            return None
        if not self._measures(file, size, source):
            return None
        room, held = capacity_range(file, destination, call.node), capacity_range(file, source, call.node)
        if room is not None and held is not None and held[1] <= room[0]:
            return None
        if room is None and file.is_constant(size):
            return None  # `sizeof src` of a fixed array: a fixed amount, usually what the destination holds
        if self._length_checked(file, call, source):
            return None
        return {"destination": shorten(file.text_of(destination)), "source": shorten(file.text_of(source)),
                "size": shorten(file.text_of(size))}

    def _measures(self, file: CFile, size: ts.Node, source: ts.Node) -> bool:
        """`size` is sizeof/strlen of the source, alone or scaled (`* sizeof(T)`, `+ 1`)."""
        size = strip_casts(size)
        if size is None:
            return False
        if size.type == "binary_expression":
            return any(self._measures(file, side, source) for side in
                       (size.child_by_field_name("left"), size.child_by_field_name("right")) if side is not None)
        operand = file.sizeof_operand(size)
        if operand is not None:
            return same_expression(file, operand, source)
        call = file.call_of(size)
        return call is not None and call.method in _LENGTH_FUNCTIONS and same_expression(file, call.arg(0), source)

    def _length_checked(self, file: CFile, call: Call, source: ts.Node) -> bool:
        """A comparison mentioning the source runs before the copy or guards it (a length check)."""
        source = strip_casts(source)
        name = file.text_of(source) if source is not None and source.type == "identifier" else None
        body = flow.body_of(file, call.node)
        return name is not None and body is not None and _checked_before(file, body, name, call.node)


def _checked_before(file: CFile, body: ts.Node, name: str, use: ts.Node) -> bool:
    """A test of `name` runs earlier in the function than `use`, or guards `use`."""
    if any(test.start_byte < use.start_byte for test in flow.tests_of(file, body, name)):
        return True
    return any(name in file.identifiers(condition) for condition in flow.guarding_conditions(use)
               if condition is not None)
