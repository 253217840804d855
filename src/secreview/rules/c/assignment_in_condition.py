"""Constant assigned (`=`) inside a condition where a comparison (`==`) was meant.

## What it does
Flags `if`, `while`, `do`-`while`, `for` conditions and `?:` tests whose value
is an assignment of a constant (`if (uid = 0)`, `while (done = 1)`), also
when it is one operand of `&&` / `||` / `!`. Assignments of a computed value
(`while ((n = read(...)) > 0)`) are the intended idiom and are not reported.

## Why is this bad?
`if (uid = 0)` sets `uid` to 0 instead of testing it, and the branch then
depends on the constant, not on the data: the check always passes or never
does. In security code this silently turns an authorisation test into
"grant root" or "skip validation" (CWE-481).

## Example
```c
int is_admin(int uid) {
    if (uid = 0)
        return 1;
    return 0;
}
```

## Use instead
```c
int is_admin(int uid) {
    if (uid == 0)
        return 1;
    return 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/481.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP45-C.+Do+not+perform+assignments+in+selection+statements
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule

_CONDITIONAL = ("if_statement", "while_statement", "do_statement", "for_statement", "conditional_expression")
_PASS_THROUGH = frozenset({"parenthesized_expression", "condition_clause", "unary_expression"})


class AssignmentInCondition(CRule):
    id = "assignment-in-condition"
    cwe = 481
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Condition assigns `{target} = {value}` instead of comparing"
    description = (
        "`{code}` sits where a test is expected, but it assigns {value} to `{target}` instead of comparing "
        "them. The condition's outcome is then fixed by the constant, not by the data, and `{target}` is "
        "overwritten: a security check written this way always passes or never does."
    )
    solution = "Compare with `==` (`{target} == {value}`); write the constant first (`{value} == {target}`) to make the compiler catch this."

    def check(self, file: CFile) -> Iterator[Hit]:
        for node in file.nodes_of_type(*_CONDITIONAL):
            condition = node.child_by_field_name("condition")
            for assignment in self._assignments(file, condition):
                right = assignment.child_by_field_name("right")
                if file.text_of(assignment.child_by_field_name("operator")) == "=" and file.is_constant(right):
                    yield Hit(assignment, {"target": shorten(file.text_of(assignment.child_by_field_name("left"))),
                                           "value": shorten(file.text_of(right))})

    def _assignments(self, file: CFile, node: ts.Node | None) -> Iterator[ts.Node]:
        if node is None:
            return
        if node.type == "assignment_expression":
            yield node
        elif node.type in _PASS_THROUGH:
            for child in node.named_children:
                yield from self._assignments(file, child)
        elif node.type == "binary_expression" and file.text_of(node.child_by_field_name("operator")) in ("&&", "||"):
            yield from self._assignments(file, node.child_by_field_name("left"))
            yield from self._assignments(file, node.child_by_field_name("right"))
