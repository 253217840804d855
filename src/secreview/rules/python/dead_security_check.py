"""Security check that can never run (dead code).

## What it does
Flags permission, authentication, CSRF, signature and token checks placed
where they never execute: after an unconditional `return`, `raise`,
`continue` or `break` in the same block, or under a condition that is
always false (`if False:`, `if 0:`, `if None:`, `if False and ...:`,
`while False:`). A check is a call whose name says it checks or enforces
security (`check_permission(...)`, `verify_signature(...)`,
`require_login(...)`, `authorize(...)`), an `abort(401/403)`, or a `raise`
of an exception such as `PermissionDenied` or `Forbidden`.

## Why is this bad?
The code reads as if it were protected, but the check is skipped on every
path: typically a check disabled "temporarily" while debugging with an early
`return` or an `if False:`, or placed after the statement that already
answered the request. Every request that should have been refused goes
through, and reviewers who see the check in the code assume it works.

## Example
```python
def delete_user(request, user_id):
    User.objects.filter(id=user_id).delete()
    return redirect("/users")
    check_permission(request.user, "users.delete")
```

## Use instead
```python
def delete_user(request, user_id):
    check_permission(request.user, "users.delete")
    User.objects.filter(id=user_id).delete()
    return redirect("/users")
```

## References
- https://cwe.mitre.org/data/definitions/561.html
- https://cwe.mitre.org/data/definitions/862.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import NOT_CONSTANT, PyFile
from secreview.lang.python.security_checks import security_checks_in, security_exception
from secreview.lang.python.syntax import line_of, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten


class DeadSecurityCheck(Rule):
    id = "dead-security-check"
    cwe = 561
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Security check never runs: {check}"
    description = (
        "`{check}` can never execute: {reason}. The code looks protected, but every request reaches the "
        "operations this check was meant to guard without it, so a caller who should be refused is not."
    )
    solution = (
        "Move `{check}` before the code it protects (before the `return`/`raise` that ends the block), or remove "
        "the always-false condition that disables it; if the check is obsolete, delete it so the code does not "
        "pretend to be protected."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        seen: set[int] = set()
        found: dict[int, list[ts.Node]] = {}  # statement id -> the security checks in it (each asked once)
        for statement in file.nodes_of_type("return_statement", "raise_statement"):
            yield from self._after_exit(file, statement, seen, found)
        for statement in file.nodes_of_type("if_statement", "while_statement"):
            condition = statement.child_by_field_name("condition")
            if _always_false(file, condition):
                body = statement.child_by_field_name("consequence") or statement.child_by_field_name("body")
                reason = f"it is under `{shorten(file.text_of(condition), 40)}`, which is always false"
                yield from self._checks(file, [body] if body is not None else [], reason, seen)

    def _after_exit(self, file: PyFile, statement: ts.Node, seen: set[int],
                    found: dict[int, list[ts.Node]]) -> Iterator[Hit]:
        block = statement.parent
        if block is None or block.type != "block":
            return
        following = [s for s in block.named_children if s.start_byte > statement.end_byte and s.type != "comment"]
        if not following:
            return
        keyword = file.text_of(statement).split(None, 1)[0]
        reason = f"it comes after the unconditional `{keyword}` on line {line_of(statement)}"
        yield from self._checks(file, following, reason, seen, found)

    @staticmethod
    def _checks(file: PyFile, statements: list[ts.Node], reason: str, seen: set[int],
                found: dict[int, list[ts.Node]] | None = None) -> Iterator[Hit]:
        found = {} if found is None else found
        for statement in statements:
            if statement.type in ("function_definition", "class_definition", "decorated_definition"):
                continue
            if statement.id not in found:
                found[statement.id] = list(security_checks_in(file, statement)) \
                    if statement.type != "raise_statement" else \
                    ([statement] if security_exception(file.text_of(statement)) else [])
            for check in found[statement.id]:
                if check.id in seen or check.type in ("identifier", "attribute"):
                    continue
                seen.add(check.id)
                yield Hit(check, {"check": shorten(file.text_of(check), 60), "reason": reason})
                return


def _always_false(file: PyFile, condition: ts.Node | None) -> bool:
    condition = unwrap(condition)
    if condition is None:
        return False
    empty_string = condition.type == "string" and not file.text_of(condition).strip("'\"bruBRU")
    if condition.type in ("false", "none", "integer") or empty_string:
        value = file.constant_value(condition)
        return value is not NOT_CONSTANT and not value
    if condition.type == "boolean_operator" and file.text_of(condition.child_by_field_name("operator")) == "and":
        return _always_false(file, condition.child_by_field_name("left"))
    if condition.type == "not_operator":
        inner = unwrap(condition.child_by_field_name("argument"))
        return inner is not None and inner.type in ("true", "integer") and bool(file.constant_value(inner))
    return False
