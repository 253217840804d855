"""Identity comparison (`is` / `is not`) with a literal value.

## What it does
Flags `x is "text"`, `x is not 1`, `x is 1.0`, `x is b"..."`, `x is ()`,
`x is []`, `x is {}` and other comparisons by identity whose one side is a
string, bytes, number, tuple, list, dict or set literal (or a negative number).
`is None`, `is True`, `is False`, `is Ellipsis`/`is ...` and comparisons with
named objects are not flagged: those are singletons, where identity is the
right test.

## Why is this bad?
`is` compares object identity, not value. Whether two equal strings or
numbers are the same object depends on interning and caching details of the
interpreter, its version and how the value was produced (read from a request,
decoded, concatenated): `"admin" is "admin"` is true in one place and
`role is "admin"` false for a role read from a database, and `[]`/`{}`
literals are never identical to anything. A security decision written this
way (a role, a token, a mode) silently takes the wrong branch, either
denying legitimate access or, with `is not`, granting it (CWE-595). CPython
3.8+ itself warns "SyntaxWarning: \"is\" with a literal".

## Example
```python
def can_delete(user):
    if user.role is "admin":
        return True
    return False
```

## Use instead
```python
def can_delete(user):
    if user.role == "admin":
        return True
    return False
```

## References
- https://cwe.mitre.org/data/definitions/595.html
- https://docs.python.org/3/reference/expressions.html#is-not
- https://docs.python.org/3.8/whatsnew/3.8.html#changes-in-python-behavior
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rewrite, Rule, shorten

_LITERALS = frozenset({"string", "concatenated_string", "integer", "float", "tuple", "list", "dictionary", "set",
                       "list_comprehension", "dictionary_comprehension", "set_comprehension"})


class IsComparisonWithLiteral(Rule):
    id = "is-comparison-with-literal"
    cwe = 595
    severity = Severity.LOW
    confidence = Confidence.HIGH
    message = "`{operator}` compares `{other}` with the literal `{literal}` by identity"
    description = (
        "`{code}` uses `{operator}`, which compares object identity, against the literal `{literal}`. "
        "Whether `{other}` is the very same object as that literal depends on interpreter caching and "
        "interning, not on its value: a value built at run time (read from a request, a file or a database, "
        "or concatenated) compares as different even when equal, so the condition takes the wrong branch "
        "and any access or validation decision based on it is wrong."
    )
    solution = "Compare by value: `{other} {fixed} {literal}`."

    def check(self, file: PyFile) -> Iterator[Hit]:
        for comparison in file.nodes("(comparison_operator) @c", "c"):
            operands = [c for c in comparison.named_children if c.type != "comment"]
            operators = [c for c in comparison.children if c not in operands and c.type != "comment"]
            for index, operator in enumerate(operators):
                text = " ".join(file.text_of(operator).split())
                if text not in ("is", "is not") or index + 1 >= len(operands):
                    continue
                left, right = operands[index], operands[index + 1]
                literal, other = (right, left) if self._is_literal(right) else (left, right)
                if not self._is_literal(literal):
                    continue
                fixed = "==" if text == "is" else "!="
                yield Hit(comparison, {
                    "operator": text,
                    "literal": shorten(file.text_of(literal), 40),
                    "other": shorten(file.text_of(other), 50),
                    "fixed": fixed,
                    # comparing by value is what the code means: identity with a literal is an accident
                }, rewrite=Rewrite(f"compare by value (`{fixed}`)", ((operator, fixed),), safe=True))
                break

    @staticmethod
    def _is_literal(node: ts.Node) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "unary_operator":
            return IsComparisonWithLiteral._is_literal(node.child_by_field_name("argument"))
        return node.type in _LITERALS
