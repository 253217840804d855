"""Pointer set to NULL and then dereferenced.

## What it does
Flags dereferences (`*p`, `p[i]`, `p->f`, `p->m()`, or passing `p` to
`strcpy`, `memcpy`, `fprintf`...) of a pointer that is NULL on some path
through the function, as the value-flow engine follows it:

- it was set to NULL and no assignment on that path changed it;
- a test found it NULL (`if (p == NULL)`, `if (!p)`) and that branch did not
  leave: it goes on to the dereference, inside the branch or after it
  (`if (!item) delete obj; item->x = 1;`);
- it is the result of a function of the same file that always returns NULL;
- it is an empty C++ smart pointer (`std::unique_ptr`, `std::shared_ptr`,
  Qt's `QScopedPointer`/`QSharedPointer`): declared without an object, built
  from `nullptr`, after `reset()`/`release()`, or moved from (`q =
  std::move(p)` leaves p empty); `p.get()` is what p holds. One passed by
  reference to a function the analysis cannot see, or named in a lambda, is
  not followed.

The NULL may also be passed to a function of the same file that dereferences
that parameter on every path before testing it (`get_age(NULL)` where
`get_age` reads `who->age` first thing): the crash is in the callee, the
finding at the call.

Paths a test rules out are not followed (`if (p) ... if (p) p->x`), nor
branches that end the process or jump away (`return`, `goto`, `exit()`,
error reporters and macros). When the path from the NULL to the dereference
takes at most one branch that nothing decides, the dereference is a definite
defect. A dereference reached only through more such branches (which other
state the analysis does not follow may exclude), or whose NULL case exists
only where paths were merged, and the bitwise-operator guards
`(p != NULL) & (p->len > 0)` (which evaluate both sides), are shown in the
audit profile.

## Why is this bad?
Dereferencing NULL is undefined behaviour; in practice the process crashes
(a denial of service whenever the path can be triggered). The optimiser may
also assume the pointer is non-null and delete later checks, and in kernels
or embedded code address zero can be mapped, turning the bug into arbitrary
reads and writes (CWE-476).

## Example
```c
#include <string.h>

void label(const char *text) {
    char *name = NULL;
    strcpy(name, text);
}
```

## Use instead
```c
#include <string.h>

void label(const char *text) {
    char name[64];
    strncpy(name, text, sizeof name - 1);
    name[sizeof name - 1] = '\0';
}
```

## References
- https://cwe.mitre.org/data/definitions/476.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP34-C.+Do+not+dereference+null+pointers
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts
from secreview.lang.c_family.lifetime import is_dereference
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import dereferenced_where, facts


class NullPointerDereference(ValueFlowRule):
    id = "null-pointer-dereference"
    cwe = 476
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{name}` is dereferenced where it is NULL ({why})"
    description = (
        "`{code}` dereferences `{name}` at a point where it is NULL: {why}. The access faults and crashes "
        "the process whenever this path runs; compilers may also drop later NULL checks on the assumption "
        "that the pointer is valid."
    )
    solution = (
        "Point `{name}` at valid memory before this use, or handle the NULL case without touching it "
        "(and join a NULL test to a dereference with `&&`/`||`, never `&`/`|`)."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        reported = set()
        for event in facts(file).of_kind("null-dereference"):
            if event.origin is None or event.origin.kind not in ("assigned", "tested", "function", "empty", "moved"):
                continue  # results of allocations and of functions that only may return NULL: CWE-690 rules
            if event.origin.kind == "function" and not event.certain:
                continue
            reported.add(event.node.start_point[0])
            yield Hit(event.node, {"name": event.name, "why": dereferenced_where(event)},
                      evidence=Evidence.DEFINITE if event.certain else None)
        for function in file.nodes_of_type("function_definition"):
            body = function.child_by_field_name("body")
            if body is None or function.has_error:
                continue
            for name, variable in file.variables_in(function).items():
                if variable.pointer_depth:
                    for hit in self._bitwise_guard(file, body, name):
                        if hit.node.start_point[0] not in reported:
                            yield hit

    def _bitwise_guard(self, file: CFile, body: ts.Node, name: str) -> Iterator[Hit]:
        """`(p != NULL) & p->x`: a bitwise operator evaluates the dereference even when p is NULL."""
        for node in file.nodes_of_type("binary_expression", within=body):
            operator = file.text_of(node.child_by_field_name("operator"))
            if operator not in ("&", "|"):
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if _null_test(file, left, name) is None:
                continue
            for use in file.identifiers(right).get(name, ()) if right is not None else ():
                if is_dereference(file, use):
                    yield Hit(use.parent, {"name": name, "why": f"`{operator}` evaluates it even after the "
                                                                 "NULL test on its left failed"})
                    break


def _null_test(file: CFile, condition: ts.Node | None, name: str) -> bool | None:
    """True for `p == NULL` / `!p`, False for `p != NULL` / `p`, None when the condition is something else."""
    node = strip_casts(condition.named_children[0] if condition is not None and condition.type in (
        "condition_clause", "parenthesized_expression") and condition.named_child_count == 1 else condition)
    if node is None:
        return None
    if node.type == "identifier":
        return False if file.text_of(node) == name else None
    if node.type == "unary_expression" and file.text_of(node.child_by_field_name("operator")) == "!":
        inner = strip_casts(node.child_by_field_name("argument"))
        return True if inner is not None and inner.type == "identifier" and file.text_of(inner) == name else None
    if node.type == "binary_expression":
        operator = file.text_of(node.child_by_field_name("operator"))
        left, right = strip_casts(node.child_by_field_name("left")), strip_casts(node.child_by_field_name("right"))
        if operator not in ("==", "!=") or left is None or right is None:
            return None
        pointer, other = (left, right) if file.is_null(right) else (right, left)
        if pointer.type == "identifier" and file.text_of(pointer) == name and file.is_null(other):
            return operator == "=="
    return None

