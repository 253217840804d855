"""Error response prepared but the handler goes on (missing `return`).

## What it does
Flags, in request handlers:

- a response built and thrown away: `redirect(...)`, `render_template(...)`,
  `jsonify(...)`, `make_response(...)`, `Response(...)`, Django's
  `redirect`/`render`/`HttpResponse*`/`JsonResponse`, Starlette/FastAPI and
  DRF responses, as statements of their own (import-resolved names);
- an error status sent or set in an `if` block that does not end with
  `return`/`raise` while the handler has more to do after the block:
  `self.send_error(403)`, `self.send_response(401)` (http.server),
  `self.set_status(403)` (Tornado), `start_response("403 Forbidden", ...)`
  (WSGI), `resp.status = falcon.HTTP_403` / `response.status_code = 403`.

## Why is this bad?
Building or sending an error response does not stop the handler. Without
`return`, the code after the check still runs for the rejected request: the
user who failed the permission or CSRF check gets the protected data written
after the 403 headers, the deletion or update happens anyway, or the
redirect to the login page is computed and discarded while the page is
rendered (CWE-670, always-incorrect control flow). Such handlers often look
right in testing, because the status line the client sees is the error.

## Example
```python
from flask import redirect, session

def admin_panel(render):
    if not session.get("is_admin"):
        redirect("/login")
    return render("admin.html")
```

## Use instead
```python
from flask import redirect, session

def admin_panel(render):
    if not session.get("is_admin"):
        return redirect("/login")
    return render("admin.html")
```

## References
- https://cwe.mitre.org/data/definitions/670.html
- https://cwe.mitre.org/data/definitions/698.html
- https://flask.palletsprojects.com/en/stable/api/#flask.redirect
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import EXITS, leaves
from secreview.lang.python.requests import HTTP_STATUS_NAMES
from secreview.lang.python.scopes import is_discarded, statement_of
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_BUILDERS = frozenset({
    "flask.redirect", "flask.render_template", "flask.render_template_string", "flask.jsonify",
    "flask.make_response", "flask.Response", "flask.send_file", "flask.send_from_directory",
    "werkzeug.utils.redirect", "werkzeug.wrappers.Response", "werkzeug.Response",
    "django.shortcuts.redirect", "django.shortcuts.render", "django.shortcuts.render_to_response",
    "rest_framework.response.Response",
})
_BUILDER_MODULES = ("django.http", "starlette.responses", "fastapi.responses")
_ERROR_SENDERS = frozenset({"send_error", "send_response", "set_status", "write_error", "send_header_error"})


class MissingReturnAfterErrorResponse(Rule):
    id = "missing-return-after-error-response"
    cwe = 670
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "`{call}` {does}, but the handler goes on without `return`"
    description = (
        "`{code_short}` {explain} Nothing stops the handler here: {after}. A request that should have been "
        "rejected (failed authentication, a permission or CSRF check, invalid input) therefore still reaches "
        "the code meant only for accepted requests."
    )
    solution = "{fix}"

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls:
            if call.name is None and call.method not in _ERROR_SENDERS:
                continue
            if self._is_builder(call) and is_discarded(call.node) and file.inside(call.node, ("function_definition",)):
                yield Hit(call.node, self._discarded(file, call))
                continue
            values = self._error_sent(file, call)
            if values is not None:
                yield Hit(call.node, values)
        for assign in file.nodes_of_type("assignment"):
            values = self._status_assigned(file, assign)
            if values is not None:
                yield Hit(assign, values, confidence=Confidence.MEDIUM)

    @staticmethod
    def _is_builder(call: Call) -> bool:
        name = call.name or ""
        if name in _BUILDERS:
            return True
        module, _, last = name.rpartition(".")
        return module in _BUILDER_MODULES and (last.endswith("Response") or last.startswith("HttpResponse"))

    @staticmethod
    def _discarded(file: PyFile, call: Call) -> dict[str, str]:
        text = shorten(file.text_of(call.node), 60)
        return {
            "call": shorten(file.text_of(call.node.child_by_field_name("function")), 40),
            "does": "builds a response that is thrown away",
            "code_short": text,
            "explain": "builds a response object and throws it away: a view function only sends what it "
                       "returns, so the client never gets this response.",
            "after": "execution continues with the next statement as if the check had passed",
            "fix": f"Return the response: `return {text}`.",
        }

    @staticmethod
    def _error_sent(file: PyFile, call: Call) -> dict[str, str] | None:
        if call.method in _ERROR_SENDERS:
            receiver = call.receiver
            if receiver is None or file.text_of(receiver) != "self":
                return None
            status = _error_status(file, call.arg(0, "status_code") or call.arg(0, "code"))
        elif call.method == "start_response" and call.receiver is None or call.name == "start_response":
            status = _error_status(file, call.arg(0, "status"))
        else:
            return None
        if status is None:
            return None
        continuation = _continues_after(file, call.node)
        if continuation is None:
            return None
        text = shorten(file.text_of(call.node), 60)
        return {
            "call": shorten(file.text_of(call.node.child_by_field_name("function")), 40),
            "does": f"sends the error status {status}",
            "code_short": text,
            "explain": f"starts an error response ({status}) inside the check, but sending a status does not end "
                       f"the handler.",
            "after": f"`{shorten(file.text_of(continuation), 60)}` (line {continuation.start_point[0] + 1}) still "
                     f"runs for this request",
            "fix": f"End the handler right after it: `{text}` followed by `return` (or raise the framework's "
                   f"HTTP error instead).",
        }

    @staticmethod
    def _status_assigned(file: PyFile, assign: ts.Node) -> dict[str, str] | None:
        left = assign.child_by_field_name("left")
        if left is None or left.type != "attribute" or \
                file.text_of(left.child_by_field_name("attribute")) not in ("status", "status_code", "status_int"):
            return None
        owner = left.child_by_field_name("object")
        if owner is None or not _RESPONSE_NAME.search(file.text_of(owner)):
            return None  # a response class setting its own status is not a handler
        status = _error_status(file, assign.child_by_field_name("right"))
        if status is None or file.inside(assign, ("function_definition",)) is None:
            return None
        continuation = _continues_after(file, assign)
        if continuation is None:
            return None
        text = shorten(file.text_of(assign), 60)
        return {
            "call": text, "does": f"sets the error status {status}", "code_short": text,
            "explain": f"marks the response as an error ({status}) inside the check, but setting a status does "
                       f"not end the handler.",
            "after": f"`{shorten(file.text_of(continuation), 60)}` (line {continuation.start_point[0] + 1}) still "
                     f"runs and can fill in the body or perform the action",
            "fix": f"Return right after `{text}` (or raise the framework's HTTP error).",
        }


def _continues_after(file: PyFile, node: ts.Node) -> ts.Node | None:
    """For an error sent inside an `if` body that does not leave: the first statement that still runs
    after that `if` in the same function; None when the block leaves or nothing follows."""
    statement = statement_of(node)
    if statement is None:
        return None
    block = statement.parent
    if block is None or block.type != "block":
        return None
    owner = block.parent
    if owner is None or owner.type not in ("if_statement", "elif_clause", "else_clause"):
        return None
    rest = [s for s in block.named_children if s.type != "comment" and s.start_byte > statement.start_byte]
    if rest and (leaves(file, rest) or any(s.type in EXITS for s in rest)):
        return None
    rest = [s for s in rest if not _finishes_response(file, s)]
    if rest:  # the block itself goes on with something else after the error
        return rest[0]
    if_statement = owner if owner.type == "if_statement" else owner.parent
    current = if_statement
    function = file.inside(node, ("function_definition",))
    while current is not None and current != function:
        sibling = current.next_named_sibling
        while sibling is not None and sibling.type == "comment":
            sibling = sibling.next_named_sibling
        while sibling is not None and _finishes_response(file, sibling):
            sibling = sibling.next_named_sibling  # headers and an error body complete the error response
            while sibling is not None and sibling.type == "comment":
                sibling = sibling.next_named_sibling
        if sibling is None and current.next_named_sibling is not None:
            return None  # only the error response is completed before the handler ends
        if sibling is not None and sibling.type not in ("elif_clause", "else_clause", "except_clause",
                                                        "finally_clause"):
            return None if _only_returns(file, sibling) else sibling
        current = current.parent
        if current is not None and current.type in ("for_statement", "while_statement"):
            return None  # the next iteration or the loop's end decides: not a plain fall-through
    return None


def _only_returns(file: PyFile, statement: ts.Node) -> bool:
    """`return` / `return None` / `return self.response`: nothing happens after the error."""
    if statement.type != "return_statement":
        return False
    value = statement.named_children[0] if statement.named_children else None
    return value is None or value.type in ("none", "identifier", "attribute")


_RESPONSE_NAME = re.compile(r"^(?:resp|response|res|rsp|self\.response|self\.resp)$")
_FINISHING_CALLS = frozenset({"send_header", "end_headers", "flush_headers", "set_header", "add_header",
                              "clear_header", "set_cookie", "delete_cookie", "finish", "log_error", "log_message",
                              "error", "warning", "info", "debug", "exception", "close"})


def _finishes_response(file: PyFile, statement: ts.Node) -> bool:
    """A statement that only completes the error response or logs it: headers, an error body, logging."""
    if statement.type != "expression_statement" or not statement.named_children:
        return False
    expression = statement.named_children[0]
    if expression.type == "call":
        function = expression.child_by_field_name("function")
        return function is not None and function.type == "attribute" and \
            file.text_of(function.child_by_field_name("attribute")) in _FINISHING_CALLS
    if expression.type == "assignment":
        left = expression.child_by_field_name("left")
        target = left.child_by_field_name("object") if left is not None and left.type == "attribute" else \
            left.child_by_field_name("value") if left is not None and left.type == "subscript" else None
        text = file.text_of(target) if target is not None else ""
        return bool(_RESPONSE_NAME.search(text.rsplit(".headers", 1)[0]) or text.endswith("headers"))
    return False


_STATUS_TEXT = re.compile(r"^\s*([45]\d\d)\b")


def _error_status(file: PyFile, node: ts.Node | None) -> str | None:
    """The 4xx/5xx status an expression stands for (`403`, `"403 Forbidden"`, `HTTPStatus.FORBIDDEN`,
    `falcon.HTTP_403`, `status.HTTP_403_FORBIDDEN`), as text, or None."""
    node = unwrap(node)
    if node is None:
        return None
    value = file.constant_value(node)
    if isinstance(value, int) and not isinstance(value, bool) and 400 <= value < 600:
        return str(value)
    if isinstance(value, str):
        match = _STATUS_TEXT.match(value)
        return match.group(1) if match else None
    if node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
        match = re.match(r"HTTP_([45]\d\d)(?:_|$)", name)
        if match:
            return match.group(1)
        code = HTTP_STATUS_NAMES.get(name)
        if code is not None and code >= 400 and "status" in file.text_of(node).lower():
            return f"{code} {name}"
    return None
