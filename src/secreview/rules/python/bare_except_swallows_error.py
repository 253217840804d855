"""Broad exception handler that silently swallows every error.

## What it does
Flags `except:`, `except Exception:` and `except BaseException:` (also inside
a tuple such as `except (OSError, Exception):`, and the Python 2 form
`except Exception, e:`) whose body does nothing: only `pass`, `...`,
`continue` or a string. Handlers that log, re-raise, return a value, or catch
a specific exception (`except KeyError: pass`) are not flagged.

Confidence is medium in general and low (hidden by default) when the `try`
body only releases resources (`close()`, `os.unlink()`, `shutil.rmtree()`,
`kill()`...) or the handler sits in `__del__`/`__exit__`, where ignoring
failures is usually deliberate.

## Why is this bad?
The handler hides every failure of the protected code, including ones that
matter for security: a permission check that raised, a signature verification
that crashed, a failed write of an audit record or of a security setting, or
a `KeyboardInterrupt`/`SystemExit` for a bare `except:`. The program then goes
on in a state it never checked (a half-written file, an unset flag, an
unauthenticated session) and nobody is told, which also hides the traces of
an attack in progress (CWE-390).

## Example
```python
def apply_policy(policy, path):
    try:
        policy.restrict_permissions(path)
    except Exception:
        pass
```

## Use instead
```python
import logging

LOG = logging.getLogger(__name__)

def apply_policy(policy, path):
    try:
        policy.restrict_permissions(path)
    except PermissionError:
        LOG.exception("could not restrict permissions of %s", path)
        raise
```

## References
- https://cwe.mitre.org/data/definitions/390.html
- https://cwe.mitre.org/data/definitions/396.html
- https://docs.python.org/3/tutorial/errors.html#handling-exceptions
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import BROAD_EXCEPTIONS, except_types
from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import body_statements
from secreview.lang.python.syntax import line_of
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_CLEANUP = re.compile(r"^(close|unlink|remove|rmtree|rmdir|kill|terminate|shutdown|cleanup|clean_up|delete|"
                      r"delete_if_exists|release|unregister|disconnect|stop|join|flush|wait|unmount|umount|"
                      r"detach|destroy|dispose|cancel)$")
_CLEANUP_FUNCTIONS = frozenset({"__del__", "__exit__", "__aexit__", "close", "cleanup", "teardown", "tearDown"})


class BareExceptSwallowsError(Rule):
    id = "bare-except-swallows-error"
    cwe = 390
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "`{handler}` swallows every error of the `try` block on line {try_line}"
    description = (
        "`{handler}` catches {caught} raised by the `try` block on line {try_line} (`{first}`) and then "
        "{action}, without logging or re-raising. Any failure there, including a failed permission or "
        "validation step, a half-completed write, or an error an attacker provokes on purpose, is "
        "silently ignored and the program goes on in a state it never checked; the failure also leaves "
        "no trace for whoever investigates an incident.{extra}"
    )
    solution = (
        "Catch only the exceptions you expect from `{first}` (e.g. `except FileNotFoundError:`), and at "
        "least log the rest (`LOG.exception(...)`) or re-raise them; if ignoring the error is really "
        "intended, write `with contextlib.suppress(SpecificError):` with a narrow exception type so the "
        "intent is explicit."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for clause in file.nodes("(except_clause) @c", "c"):
            types = except_types(file, clause)
            if types is None:
                continue
            names = [file.qualified_name(t) or file.text_of(t) for t in types]
            broad = [n for n in names if n in BROAD_EXCEPTIONS]
            if types and not broad:
                continue
            block = next((c for c in clause.named_children if c.type == "block"), None)
            body = body_statements(block)
            if not body or not all(_is_do_nothing(s) or s.type == "continue_statement" for s in body):
                continue
            yield Hit(clause, self._values(file, clause, broad, body), confidence=self._confidence(file, clause))

    @staticmethod
    def _values(file: PyFile, clause: ts.Node, broad: list[str], body: list[ts.Node]) -> dict[str, str]:
        header = file.text_of(clause).split(":", 1)[0].strip() + ":"
        if not broad or "BaseException" in broad[0]:
            caught = "every exception, including KeyboardInterrupt and SystemExit,"
        else:
            caught = "every `Exception`"
        action = "skips to the next iteration" if any(s.type == "continue_statement" for s in body) \
            else "does nothing"
        try_statement = clause.parent
        try_body = try_statement.child_by_field_name("body") if try_statement is not None else None
        statements = body_statements(try_body)
        first = shorten(file.text_of(statements[0]), 60) if statements else "..."
        extra = ""
        if any(s.type == "continue_statement" for s in body):
            extra = " Skipping the failed item silently can leave a batch half-processed with no way to tell."
        return {
            "handler": shorten(header, 50),
            "caught": caught,
            "action": action,
            "try_line": str(line_of(try_statement)) if try_statement is not None else "?",
            "first": first,
            "extra": extra,
        }

    @staticmethod
    def _confidence(file: PyFile, clause: ts.Node) -> Confidence | None:
        function = file.inside(clause, ("function_definition",))
        if function is not None:
            name = function.child_by_field_name("name")
            if name is not None and file.text_of(name) in _CLEANUP_FUNCTIONS:
                return Confidence.LOW
        try_statement = clause.parent
        try_body = try_statement.child_by_field_name("body") if try_statement is not None else None
        statements = body_statements(try_body)
        if statements and all(_is_cleanup(file, s) for s in statements):
            return Confidence.LOW
        return None


def _is_cleanup(file: PyFile, statement: ts.Node) -> bool:
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return False
    call = statement.named_children[0]
    if call.type != "call":
        return False
    function = call.child_by_field_name("function")
    if function is None:
        return False
    name = function.child_by_field_name("attribute") if function.type == "attribute" else function
    return name is not None and bool(_CLEANUP.match(file.text_of(name)))


def _is_do_nothing(statement: ts.Node) -> bool:
    if statement.type == "pass_statement":
        return True
    if statement.type == "expression_statement" and statement.named_child_count == 1:
        child = statement.named_children[0]
        return child.type == "ellipsis" or (child.type == "string" and not any(
            c.type == "interpolation" for c in child.named_children))
    return False
