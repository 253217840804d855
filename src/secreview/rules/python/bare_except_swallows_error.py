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
failures is usually deliberate. These are audit findings: most swallowed
errors are best-effort cleanup or a fallback. When the `try` body releases a
lock or rolls back a transaction (knowledge/locks.py), the finding says so.

It matters, and is a definite finding shown by default (high severity), when
the `try` body is a security check that reports failure by raising (a call to
an authorisation, authentication, permission, signature, certificate or token
check whose result is not used: `policy.authorize(...)`,
`verifier.verify_signature(token)`) and the handler turns that failure into
success: it returns `True` (or the user), or does nothing and lets the
function go on past the `try` to what the check guarded. A handler that does
nothing before `return False` or `raise` keeps the refusal and stays audit.

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

from secreview.knowledge.locks import RELEASE_METHODS, ROLLBACK_METHODS
from secreview.lang.python.exceptions import BROAD_EXCEPTIONS, except_types
from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import body_statements, is_discarded
from secreview.lang.python.security_checks import security_checks_in
from secreview.lang.python.syntax import line_of
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_CLEANUP = re.compile(r"^(close|unlink|remove|rmtree|rmdir|kill|terminate|shutdown|cleanup|clean_up|delete|"
                      r"delete_if_exists|release|unregister|disconnect|stop|join|flush|wait|unmount|umount|"
                      r"detach|destroy|dispose|cancel)$")
_CLEANUP_FUNCTIONS = frozenset({"__del__", "__exit__", "__aexit__", "close", "cleanup", "teardown", "tearDown"})


class BareExceptSwallowsError(Rule):
    id = "bare-except-swallows-error"
    cwe = 390
    hit_evidence = frozenset({Evidence.DEFINITE})
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
            check = _raising_security_check(file, clause)
            if check is not None and _turns_failure_into_success(file, clause, body):
                values = self._values(file, clause, broad, body)
                values["extra"] = (f" `{shorten(file.text_of(check), 60)}` is a security check that reports failure "
                                   f"by raising, and this handler turns that failure into success: "
                                   f"{_success_text(body)}. Whoever makes the check fail gets through it.")
                yield Hit(clause, values, confidence=Confidence.HIGH, severity=Severity.HIGH,
                          evidence=Evidence.DEFINITE)
                continue
            if not body or not all(_is_do_nothing(s) or s.type == "continue_statement" for s in body):
                continue
            values = self._values(file, clause, broad, body)
            undoing = _undoes_state(file, clause)
            if undoing:
                values["extra"] += (f" `{undoing}` undoes shared state (a lock, a transaction): when it fails, "
                                    f"the code goes on as if the state were restored.")
            yield Hit(clause, values, confidence=self._confidence(file, clause))

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


def _try_body(clause: ts.Node) -> list[ts.Node]:
    try_statement = clause.parent
    return body_statements(try_statement.child_by_field_name("body")) if try_statement is not None else []


def _raising_security_check(file: PyFile, clause: ts.Node) -> ts.Node | None:
    """A check in the `try` body that reports failure by raising: a call to an authentication, permission,
    signature, certificate or token check whose result is not used (`policy.enforce(...)`,
    `verify_signature(...)`)."""
    for statement in _try_body(clause):
        for check in security_checks_in(file, statement):
            if check.type == "call" and is_discarded(check):
                return check
    return None


def _turns_failure_into_success(file: PyFile, clause: ts.Node, body: list[ts.Node]) -> bool:
    """The handler returns success (`return True`, a non-empty constant) or does nothing and lets the
    function go on past the `try` to what the check guarded."""
    if len(body) == 1 and body[0].type == "return_statement" and body[0].named_children:
        value = file.constant_value(body[0].named_children[0])
        return value is True or file.text_of(body[0].named_children[0]) in _SUCCESS_RESULTS
    if not body or not all(_is_do_nothing(s) for s in body):
        return False
    following = clause.parent.next_named_sibling if clause.parent is not None else None
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    if following is None or following.type == "raise_statement":
        return False
    if following.type == "return_statement":
        value = following.named_children[0] if following.named_children else None
        return value is not None and file.constant_value(value) not in (None, False, 0, "")
    return True


_SUCCESS_RESULTS = frozenset({"True", "user", "self.user", "request.user", "identity", "account", "principal"})


def _success_text(body: list[ts.Node]) -> str:
    if body and body[0].type == "return_statement":
        return "it returns a success result"
    return "it does nothing, and the code after the `try` runs as if the check had passed"


def _undoes_state(file: PyFile, clause: ts.Node) -> str | None:
    """The `try` body releases a lock or rolls back a transaction (knowledge/locks.py and ROLLBACK_METHODS)."""
    for statement in _try_body(clause):
        for call in file.nodes_of_type("call", within=statement):
            method = file.call_at(call).method or ""
            if method in RELEASE_METHODS or method in ROLLBACK_METHODS:
                return shorten(file.text_of(call), 50)
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
