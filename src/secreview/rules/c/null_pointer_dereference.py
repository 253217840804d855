"""Pointer set to NULL and then dereferenced.

## What it does
Flags dereferences (`*p`, `p[i]`, `p->f`, or passing `p` to `strcpy`,
`memcpy`, `fprintf`...) of a pointer that is known to be NULL there:

- its latest assignment is NULL, that assignment always runs before the use,
  and nothing reassigns the pointer or tests it in between;
- the use sits in the branch where a test just established that it is NULL
  (`if (p == NULL) { log(p->name); }`);
- the test and the dereference are joined by a bitwise `&` or `|`
  (`(p != NULL) & (p->len > 0)`), which evaluates both sides.

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

from secreview.lang.c_family import flow
from secreview.lang.c_family.file import CFile, is_written, strip_casts
from secreview.lang.c_family.lifetime import is_dereference
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class NullPointerDereference(CRule):
    id = "null-pointer-dereference"
    cwe = 476
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
        for function in file.nodes_of_type("function_definition"):
            body = function.child_by_field_name("body")
            if body is None or function.has_error:
                continue
            for name, variable in file.variables_in(function).items():
                if variable.pointer_depth == 0:
                    continue
                hits = list(self._after_null_assignment(file, body, name))
                hits += self._in_null_branch(file, body, name)
                hits += self._bitwise_guard(file, body, name)
                seen = set()
                for hit in sorted(hits, key=lambda h: h.node.start_byte):
                    if hit.node.start_byte not in seen:
                        seen.add(hit.node.start_byte)
                        yield hit

    def _after_null_assignment(self, file: CFile, body: ts.Node, name: str) -> Iterator[Hit]:
        for identifier, value in flow.bindings(file, body, name):
            if not file.is_null(value):
                continue
            for use in flow.occurrences(file, body, name):
                if use.start_byte <= identifier.end_byte:
                    continue
                if flow.written_between(file, body, name, identifier, use) or is_written(use):
                    break
                if flow.is_tested(file, use):
                    break
                if is_dereference(file, use) and flow.runs_before(file, identifier, use):
                    line = identifier.start_point[0] + 1
                    yield Hit(use.parent, {"name": name, "why": f"it was set to NULL on line {line}"})
                    break

    def _in_null_branch(self, file: CFile, body: ts.Node, name: str) -> Iterator[Hit]:
        """Dereferences inside the branch of `if (p == NULL)` / `if (!p)` (or the else of `if (p)`)."""
        for statement in file.nodes_of_type("if_statement", within=body):
            condition = statement.child_by_field_name("condition")
            null_when_true = _null_test(file, condition, name)
            if null_when_true is None:
                continue
            branch = statement.child_by_field_name("consequence" if null_when_true else "alternative")
            if branch is None:
                continue
            for use in flow.occurrences(file, body, name):
                if not flow.inside(use, branch):
                    continue
                if flow.written_between(file, body, name, condition, use) or is_written(use):
                    break
                if is_dereference(file, use) and _runs_whenever_branch_does(branch, use):
                    line = condition.start_point[0] + 1
                    yield Hit(use.parent, {"name": name, "why": f"the test on line {line} found it NULL"})
                    break

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


def _runs_whenever_branch_does(branch: ts.Node, use: ts.Node) -> bool:
    """The use is not nested in a further condition or loop inside the branch."""
    return branch.start_byte <= use.start_byte < branch.end_byte and not any(
        a.type in ("if_statement", "while_statement", "for_statement", "do_statement", "switch_statement")
        for a in CFile.ancestors(use) if branch.start_byte < a.start_byte and a.end_byte <= branch.end_byte)
