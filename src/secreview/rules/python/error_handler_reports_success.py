"""Exception handler that reports success to the caller.

## What it does
Flags a `return` inside an `except:` / `except Exception:` /
`except BaseException:` handler whose value means success — `True`, an HTTP
2xx status (`200`, `HTTPStatus.OK`, `status.HTTP_200_OK`, `(body, 200)`,
`Response(status=200)`), a result such as `{"status": "ok"}` or
`jsonify(success=True)` — in a function that elsewhere returns the matching
failure value (`False`, a 4xx/5xx status, `{"status": "error"}`). The
failure value proves the function reports an outcome, and this handler
reports the opposite of what happened. Handlers of a specific exception
(`except FileNotFoundError: return True` in an idempotent delete) and
`__exit__` methods are not flagged; for predicates named `is_*`/`has_*`/
`can_*` only those about validity, authorisation or health count (`is_valid`,
`is_authorized`, `is_healthy`), since `True` from `is_locked` is no success.

## Why is this bad?
Every error the handler catches, including ones nobody foresaw (a timeout, a
permission error, a bug), is turned into "it worked". Callers then go on as
if the step succeeded: a firewall rule or a permission is reported as applied
when it was not, a signature or token check "passes" when the verifier
crashed (failing open), a client receives 200 for a write that never
happened. The failure is not reported to anyone who could act on it
(CWE-392, missing report of an error condition).

## Example
```python
import logging

LOG = logging.getLogger(__name__)

def apply_firewall(rules, client):
    try:
        client.apply(rules)
        return True
    except Exception:
        LOG.warning("could not apply firewall rules")
        return True
    return False
```

## Use instead
```python
import logging

LOG = logging.getLogger(__name__)

def apply_firewall(rules, client):
    try:
        client.apply(rules)
        return True
    except Exception:
        LOG.exception("could not apply firewall rules")
        return False
```

## References
- https://cwe.mitre.org/data/definitions/392.html
- https://cwe.mitre.org/data/definitions/636.html
- https://cwe.mitre.org/data/definitions/393.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import BROAD_EXCEPTIONS, except_types
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import own_returns
from secreview.lang.python.requests import HTTP_STATUS_NAMES
from secreview.lang.python.syntax import line_of, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_PREDICATE = re.compile(r"^_*(?:is|has|can|should|was|are|does)_")
_OUTCOME_WORDS = re.compile(r"valid|verif|auth|allow|permit|trust|safe|secure|success|succe|healthy|signed|"
                            r"(?:^|_)ok(?:$|_)|grant|passed|approved", re.I)
_SECURITY_WORDS = re.compile(r"valid|verif|auth|allow|permit|trust|secure|signature|signed|password|credential|"
                             r"permission|(?:^|_)acl|firewall|iptables|grant|login|cert|chmod|chown|encrypt|"
                             r"decrypt|(?:^|_)sign(?:$|_)", re.I)


class ErrorHandlerReportsSuccess(Rule):
    id = "error-handler-reports-success"
    cwe = 392
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{handler}` reports success (`{value}`) when `{first}` fails"
    description = (
        "When `{first}` (line {try_line}) raises, `{handler}` catches every exception and {how}, the same "
        "success value `{function}` returns when everything worked, {evidence}. The caller cannot tell the "
        "error from success: it goes on as if the step had been done (a rule applied, a check passed, data "
        "written), and the failure, whether an accident or provoked by an attacker, is hidden from whoever "
        "could react to it."
    )
    solution = (
        "Report the failure from the handler: `return {failure}` (or re-raise / raise a specific error) "
        "instead of `return {value}`, and catch only the exceptions you expect from `{first}`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for clause in file.nodes_of_type("except_clause"):
            types = except_types(file, clause)
            if types is None:
                continue
            names = [file.qualified_name(t) or file.text_of(t) for t in types]
            if types and not any(n in BROAD_EXCEPTIONS for n in names):
                continue
            function = file.inside(clause, ("function_definition",))
            if function is None or not self._reports_outcome(file, function):
                continue
            handler_returns = [r for r in own_returns(file, function, within=clause) if r.named_children]
            success = next((r for r in handler_returns if _status_of(file, r.named_children[0]) == "success"), None)
            falls_through = False
            if success is None:
                success = self._falls_through_to_success(file, clause)
                falls_through = success is not None
            if success is None or not self._normal_path_succeeds(file, clause, success):
                continue
            failure = next((r for r in own_returns(file, function)
                            if r.named_children and not (clause.start_byte <= r.start_byte < clause.end_byte)
                            and _status_of(file, r.named_children[0]) == "failure"), None)
            verdict_name = bool(_OUTCOME_WORDS.search(file.text_of(function.child_by_field_name("name"))))
            if failure is None and not verdict_name:
                continue
            values = self._values(file, clause, function, success, failure)
            if falls_through:
                values["how"] = (f"logs or ignores it and falls through to `{shorten(file.text_of(success), 40)}` "
                                 f"on line {line_of(success)}")
                yield Hit(clause, values, confidence=self._confidence(file, function, clause))
            else:
                yield Hit(success, values, confidence=self._confidence(file, function, clause))

    @staticmethod
    def _falls_through_to_success(file: PyFile, clause):
        """The handler neither returns nor raises, and the statement after the `try` returns success."""
        block = next((c for c in clause.named_children if c.type == "block"), None)
        statements = [c for c in block.named_children if c.type != "comment"] if block is not None else []
        if not statements or any(file.nodes_of_type("return_statement", "raise_statement", within=block)) \
                or any(s.type in ("continue_statement", "break_statement") for s in statements) \
                or any(c.method in ("exit", "_exit", "abort") for c in file.calls
                       if block.start_byte <= c.node.start_byte < block.end_byte):
            return None
        try_statement = clause.parent
        after = try_statement.next_named_sibling if try_statement is not None else None
        while after is not None and after.type == "comment":
            after = after.next_named_sibling
        if after is None or after.type != "return_statement" or not after.named_children:
            return None
        return after if _status_of(file, after.named_children[0]) == "success" else None

    @staticmethod
    def _normal_path_succeeds(file: PyFile, clause, success) -> bool:
        """The `try` reports the same value when it completes normally: its body ends with `return <value>`
        or the first statement after the `try` statement does (`True` means success here, not "stop")."""
        try_statement = clause.parent
        if try_statement is None:
            return False
        body = try_statement.child_by_field_name("body")
        statements = [c for c in body.named_children if c.type != "comment"] if body is not None else []
        normal = statements[-1] if statements and statements[-1].type == "return_statement" else None
        if normal is None:
            after = try_statement.next_named_sibling
            while after is not None and after.type == "comment":
                after = after.next_named_sibling
            normal = after if after is not None and after.type == "return_statement" else None
        if normal is None:
            else_clause = next((c for c in try_statement.named_children if c.type == "else_clause"), None)
            else_body = else_clause.child_by_field_name("body") if else_clause is not None else None
            last = [c for c in else_body.named_children if c.type != "comment"][-1:] if else_body else []
            normal = last[0] if last and last[0].type == "return_statement" else None
        if normal is None or not normal.named_children:
            return False
        return _status_of(file, normal.named_children[0]) == "success"

    @staticmethod
    def _reports_outcome(file: PyFile, function) -> bool:
        name = file.text_of(function.child_by_field_name("name"))
        if name in ("__exit__", "__aexit__", "__del__"):
            return False
        return not _PREDICATE.match(name) or bool(_OUTCOME_WORDS.search(name))

    @staticmethod
    def _confidence(file: PyFile, function, clause) -> Confidence | None:
        """High when the guarded operation or the function is about security (fail-open)."""
        try_statement = clause.parent
        body = try_statement.child_by_field_name("body") if try_statement is not None else None
        called = [c.method or "" for c in file.calls
                  if body is not None and body.start_byte <= c.node.start_byte < body.end_byte]
        names = [file.text_of(function.child_by_field_name("name"))] + called
        return Confidence.HIGH if any(_SECURITY_WORDS.search(n) for n in names) else None

    @staticmethod
    def _values(file: PyFile, clause, function, success, failure) -> dict[str, str]:
        try_statement = clause.parent
        body = try_statement.child_by_field_name("body") if try_statement is not None else None
        statements = [c for c in body.named_children if c.type != "comment"] if body is not None else []
        header = file.text_of(clause).split(":", 1)[0].strip() + ":"
        name = file.text_of(function.child_by_field_name("name"))
        evidence = (f"while line {line_of(failure)} shows it reports failure as "
                    f"`{shorten(file.text_of(failure.named_children[0]), 50)}`" if failure is not None else
                    f"although its name says `{name}` reports whether the check passed (failing open)")
        return {
            "evidence": evidence,
            "how": f"returns `{shorten(file.text_of(success.named_children[0]), 50)}`",
            "handler": shorten(header, 50),
            "value": shorten(file.text_of(success.named_children[0]), 50),
            "failure": shorten(file.text_of(failure.named_children[0]), 50) if failure is not None else "False",
            "function": file.text_of(function.child_by_field_name("name")),
            "first": shorten(file.text_of(statements[0]), 60) if statements else "...",
            "try_line": str(line_of(try_statement)) if try_statement is not None else "?",
        }


_SUCCESS_WORDS = frozenset({"ok", "success", "succeeded", "successful", "done", "passed", "valid", "allowed",
                            "accepted", "healthy", "up", "active", "created", "deleted", "updated", "true"})
_FAILURE_WORDS = frozenset({"error", "fail", "failed", "failure", "invalid", "denied", "forbidden", "unhealthy",
                            "down", "rejected", "ko", "false", "unauthorized", "exception"})
_STATUS_KEYS = frozenset({"status", "result", "success", "ok", "state", "outcome", "succeeded", "error", "failed"})
_STATUS_KEYWORDS = ("status", "status_code", "code")


def _status_of(file: PyFile, node: ts.Node | None, depth: int = 0) -> str | None:
    """"success" or "failure" when an expression is a recognisable status (True/False, an HTTP status,
    `HTTPStatus.OK`, `{"status": "ok"}`, `Response(..., status=500)`, `(body, 404)`), else None."""
    node = unwrap(node)
    if node is None or depth > 3:
        return None
    if node.type in ("true", "false"):
        return "success" if node.type == "true" else "failure"
    if node.type == "integer":
        value = file.constant_value(node)
        if isinstance(value, int) and 200 <= value < 300:
            return "success"
        if isinstance(value, int) and 400 <= value < 600:
            return "failure"
        return None
    if node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
        match = re.match(r"HTTP_(\d{3})_", name)  # rest_framework.status.HTTP_200_OK
        if match:
            code = int(match.group(1))
        elif name in HTTP_STATUS_NAMES and "status" in file.text_of(node).lower():  # HTTPStatus.OK
            code = HTTP_STATUS_NAMES[name]
        else:
            return None
        return "success" if 200 <= code < 300 else "failure" if code >= 400 else None
    if node.type in ("tuple", "expression_list") and len(node.named_children) >= 2:  # (body, 404), body, 200
        return _status_of(file, node.named_children[1], depth + 1)
    if node.type == "dictionary":
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key = file.constant_value(pair.child_by_field_name("key"))
            if isinstance(key, str) and key.lower() in _STATUS_KEYS:
                value = pair.child_by_field_name("value")
                verdict = _status_word(file, value)
                if verdict is not None:
                    return verdict if key.lower() not in ("error", "failed") else \
                        {"success": "failure", "failure": "success"}[verdict]
        return None
    if node.type == "call":
        call = file.call_at(node)
        for keyword in _STATUS_KEYWORDS:
            if keyword in call.kwargs:
                return _status_of(file, call.kwargs[keyword], depth + 1)
        if call.method in ("jsonify", "JsonResponse", "dict") and call.kwargs:
            for key in _STATUS_KEYS:
                if key in call.kwargs:
                    return _status_word(file, call.kwargs[key])
        if call.args and call.method in ("jsonify", "JsonResponse"):
            return _status_of(file, call.args[0], depth + 1)
        if call.method and re.match(r"^HttpResponse(?:BadRequest|Forbidden|NotFound|ServerError|NotAllowed|Gone)$",
                                    call.method):
            return "failure"
        if call.method and re.match(r"^HTTP(?:BadRequest|Forbidden|NotFound|InternalServerError|Unauthorized|"
                                    r"Conflict|ServiceUnavailable)$", call.method):
            return "failure"
        return None
    return None


def _status_word(file: PyFile, node: ts.Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type in ("true", "false"):
        return "success" if node.type == "true" else "failure"
    value = file.constant_value(node)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _SUCCESS_WORDS:
            return "success"
        if word in _FAILURE_WORDS:
            return "failure"
    return None
