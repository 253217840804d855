"""Exception object created but never raised (missing `raise`).

## What it does
Flags an expression statement that only constructs an exception, such as
`ValueError("bad size")` or `exception.InvalidDiskInfo(reason=msg)` on a line
of its own: the object is built and thrown away. A callee counts as an
exception class when it is a builtin exception, a class of the same file
deriving from one, or a CamelCase name ending in `Error`, `Exception`,
`Failed`, `Failure`, `NotFound`, `Denied`, `Forbidden`, `Unauthorized`,
`Conflict` or `Invalid`, or starting with `Invalid`. Names that read as a
verb (`ReportError(...)`, `HandleException(...)`, `LogFailure(...)`) and
functions defined in the same file are not flagged.

## Why is this bad?
The code detected an error condition and wrote the exception to signal it,
but without `raise` nothing happens: execution continues past the check as
if it had passed. A validation step (a size limit, a permission or format
check, an "already exists" guard) becomes a no-op, and the caller goes on
with the invalid input or the forbidden operation (CWE-392). Such a line is
almost always a forgotten `raise`.

## Example
```python
def set_quota(project, size, limit):
    if size > limit:
        ValueError("quota %d exceeds limit %d" % (size, limit))
    project.quota = size
```

## Use instead
```python
def set_quota(project, size, limit):
    if size > limit:
        raise ValueError("quota %d exceeds limit %d" % (size, limit))
    project.quota = size
```

## References
- https://cwe.mitre.org/data/definitions/392.html
- https://cwe.mitre.org/data/definitions/390.html
- https://docs.python.org/3/reference/simple_stmts.html#the-raise-statement
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import BUILTIN_EXCEPTIONS, looks_like_exception_class
from secreview.lang.python.file import PyFile
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_VERBS = re.compile(r"^(Raise|Throw|Report|Handle|Log|Print|Show|Display|Set|Add|Record|Check|Emit|Send|Process|"
                    r"Clear|Reset|Get|On|Assert|Expect|Register|Fire|Trigger|Notify|Write|Dispatch|Signal|"
                    r"Format|Make|Create|Build|Wrap|Translate|Convert|Parse|Render|Count|Track|Ignore|Suppress)"
                    r"(?=[A-Z])")


class ExceptionNotRaised(Rule):
    id = "exception-not-raised"
    cwe = 392
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Exception `{exception}` is created but never raised"
    description = (
        "`{code}` builds a `{exception}` object and discards it: the statement has no `raise`. The error "
        "condition it was written to signal{guard} is detected but nothing happens, so execution simply "
        "continues past the check as if it had passed, and the caller goes on with the invalid input, "
        "inconsistent state or forbidden operation the exception was meant to stop."
    )
    solution = "Raise it: `raise {call}` (or `return`/log it if signalling was really not intended)."

    def check(self, file: PyFile) -> Iterator[Hit]:
        local = self._local_definitions(file)
        for statement in file.nodes_of_type("expression_statement"):
            if statement.named_child_count != 1:
                continue
            call = unwrap(statement.named_children[0])
            if call is None or call.type != "call":
                continue
            function = call.child_by_field_name("function")
            name = file.qualified_name(function) if function is not None else None
            if name is None:
                continue
            last = name.rsplit(".", 1)[-1]
            kind = local.get(last)
            if kind == "function" or _VERBS.match(last):
                continue
            if kind != "exception" and not looks_like_exception_class(last):
                continue
            yield Hit(call, {
                "exception": shorten(file.text_of(function), 60),
                "call": shorten(file.text_of(call), 80),
                "guard": self._guard(file, statement),
            })

    @staticmethod
    def _guard(file: PyFile, statement: ts.Node) -> str:
        block = statement.parent
        owner = block.parent if block is not None else None
        if owner is not None and owner.type in ("if_statement", "elif_clause") \
                and owner.child_by_field_name("consequence") == block:
            condition = owner.child_by_field_name("condition")
            if condition is not None:
                return f" (when `{shorten(file.text_of(condition), 60)}`)"
        if owner is not None and owner.type == "except_clause":
            return " (the failure caught by this except clause)"
        return ""

    @staticmethod
    def _local_definitions(file: PyFile) -> dict[str, str]:
        return _definitions(file)


def _definitions(file: PyFile) -> dict[str, str]:
    """Names defined in this file: 'exception' for classes deriving from one; 'function' for functions
    and for classes that certainly are not exceptions (no base, or only `object`); 'class' otherwise."""
    found: dict[str, str] = {}
    for function in file.nodes_of_type("function_definition"):
        found[file.text_of(function.child_by_field_name("name"))] = "function"
    classes = {file.text_of(c.child_by_field_name("name")): c
               for c in file.nodes("(class_definition) @c", "c")}
    changed = True
    while changed:
        changed = False
        for name, node in classes.items():
            if found.get(name) == "exception":
                continue
            bases = node.child_by_field_name("superclasses")
            words = [file.text_of(b).rsplit(".", 1)[-1] for b in (bases.named_children if bases else ())]
            if any(w in BUILTIN_EXCEPTIONS or found.get(w) == "exception" or looks_like_exception_class(w)
                   for w in words):
                found[name] = "exception"
                changed = True
            elif name not in found:
                found[name] = "function" if words in ([], ["object"]) else "class"
    return found
