"""Authentication or authorization skipped depending on the HTTP method.

## What it does
Flags request hooks that decide from the request method whether to check
who the caller is: Flask `before_request` functions, Django/WSGI middleware
(`process_request`, `process_view`, `__call__`, `dispatch`), view
decorators (a wrapper defined inside a decorator) and permission classes
(`has_permission`, `has_object_permission`), in which either

- an early exit under a method test (`if request.method in ("GET",
  "HEAD"): return`) skips the authentication/authorization check that
  follows, or
- the check runs only inside a method test (`if request.method == "POST":
  require_login()`), so every other method goes through unchecked.

When methods that change state (`PUT`, `PATCH`, `DELETE`, `POST`) escape
the check the confidence is high. When only safe methods (`GET`, `HEAD`)
escape it, it is medium in hooks and decorators and low in permission
classes, where "read-only for everyone" is a common deliberate policy (and
nothing is reported for classes named `...ReadOnly...`). Skipping only
`OPTIONS` (CORS preflight) is correct and not reported; CSRF checks that
skip safe methods are correct and not reported.

## Why is this bad?
The request method is chosen by the client and says nothing about what the
handler does. Endpoints that change state on `GET` (logout, "delete?id=",
export, approve links, RPC-style APIs) or return private data become
reachable without logging in; an attacker also just sends `PATCH` or
`DELETE` where the code only guarded `POST`. Frameworks route `HEAD` to the
`GET` handler, and method-override headers (`X-HTTP-Method-Override`,
`_method`) can turn a request the check saw as `POST` into something else
for the handler.

## Example
```python
from flask import Flask, abort, request, session

app = Flask(__name__)

@app.before_request
def require_login():
    if request.method == "POST":
        if "user_id" not in session:
            abort(401)
```

## Use instead
```python
from flask import Flask, abort, request, session

app = Flask(__name__)
PUBLIC_ENDPOINTS = {"static", "login"}

@app.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if "user_id" not in session:
        abort(401)
```

## References
- https://cwe.mitre.org/data/definitions/650.html
- https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/06-Test_HTTP_Methods
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.expressions import leaf_name
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import block_leaves
from secreview.lang.python.requests import is_request_object
from secreview.lang.python.scopes import decorators_of, descendants, enclosing_class, function_of
from secreview.lang.python.security_checks import auth_check_name, security_checks_in, security_exception
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.knowledge.vocabulary import words

_ALL = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "POST", "PUT", "PATCH", "DELETE"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_UNSAFE = _ALL - _SAFE
_HOOK_NAMES = frozenset({"process_request", "process_view", "__call__", "dispatch", "dispatch_request",
                         "before_request", "prepare", "initial", "check_permissions", "check_object_permissions"})
_PREDICATE_HOOKS = frozenset({"has_permission", "has_object_permission"})
_HOOK_DECORATORS = ("before_request", "before_app_request", "middleware")
_METHOD_KEYS = frozenset({"REQUEST_METHOD"})


class HttpMethodTrustedForAuthorization(Rule):
    id = "http-method-trusted-for-authorization"
    cwe = 650
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Authentication/authorization skipped for HTTP methods {methods}: {code}"
    description = (
        "In `{function}`, `{code}` lets requests whose method is {methods} through without the check "
        "`{check}`. The method is chosen by the client and does not say what the handler does: {impact}"
    )
    solution = (
        "Apply `{check}` to every request, whatever its method, and exempt specific public endpoints by name "
        "(`request.endpoint in PUBLIC_ENDPOINTS`) instead of by method; only a CORS preflight (`OPTIONS`) may "
        "skip authentication. Make handlers that change state refuse `GET`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "method" not in file.text and "REQUEST_METHOD" not in file.text:
            return
        for statement in file.nodes_of_type("if_statement"):
            condition = statement.child_by_field_name("condition")
            passing = _methods_where_true(file, condition)
            if passing is None:
                continue
            function = function_of(file, statement)
            if function is None:
                continue
            context = self._context(file, function)
            if context is None:
                continue
            found = self._skipped(file, statement, context)
            if found is None:
                continue
            skipped, check = found
            if not skipped or skipped <= {"OPTIONS"}:
                continue
            unsafe = sorted(skipped & _UNSAFE)
            if unsafe:
                confidence = Confidence.HIGH
                impact = (f"an attacker sends {', '.join(unsafe)} to any endpoint and the handler runs for an "
                          "unauthenticated caller, changing or deleting data.")
            else:
                confidence = Confidence.LOW if context == "predicate" else None
                impact = ("every endpoint reached by GET/HEAD becomes public, including handlers that change state on "
                          "GET (logout, delete or approve links, exports) and pages that show private data.")
            name = file.text_of(function.child_by_field_name("name"))
            yield Hit(condition, {"methods": _describe(skipped), "function": name,
                                  "check": shorten(file.text_of(check), 60), "impact": impact,
                                  "code": shorten(file.text_of(condition), 60)},
                      confidence=confidence)

    @staticmethod
    def _context(file: PyFile, function: ts.Node) -> str | None:
        """"hook" for request hooks and view decorators, "predicate" for permission classes, else None."""
        name = file.text_of(function.child_by_field_name("name"))
        cls = enclosing_class(file, function)
        owner_words = set(words(name))
        if cls is not None:
            owner_words |= set(words(file.text_of(cls.child_by_field_name("name"))))
        if {"readonly", "read", "public", "anonymous", "anon"} & owner_words or "ReadOnly" in name:
            return None
        if name in _PREDICATE_HOOKS:
            return "predicate"
        if name in _HOOK_NAMES or any(any(d in decorator for d in _HOOK_DECORATORS)
                                      for decorator in decorators_of(file, function)):
            return "hook"
        outer = function_of(file, function)
        if outer is not None:  # a wrapper returned by a decorator
            body = outer.child_by_field_name("body")
            returned = [s for s in body.named_children if s.type == "return_statement"] if body is not None else []
            if any(file.text_of(r).split(None, 1)[-1].strip() == name for r in returned):
                return "hook"
        return None

    @staticmethod
    def _skipped(file: PyFile, statement: ts.Node, context: str) -> tuple[frozenset[str], ts.Node] | None:
        """The methods that escape the check, and the check, for an `if` on the method."""
        condition = statement.child_by_field_name("condition")
        passing = _methods_where_true(file, condition)
        consequence = statement.child_by_field_name("consequence")
        alternatives = statement.children_by_field_name("alternative")
        block = statement.parent
        after = [s for s in block.named_children if s.start_byte > statement.end_byte] if block is not None else []
        checks_after = [c for s in after for c in _auth_checks(file, s, context)]
        inside = [c for s in (consequence.named_children if consequence is not None else []) for c in
                  _auth_checks(file, s, context)]
        if _passes_through(file, consequence) and not inside and checks_after:
            return passing, checks_after[0]  # if method in X: return ... ; check()
        if context == "predicate" and _grants_access(file, consequence, context, True) and not alternatives:
            rest = [s for s in after if s.type == "return_statement"]
            if rest:
                return passing, rest[0]  # if method in SAFE: return True; return user.is_staff
        pure_guard = not list(descendants(consequence, frozenset({"return_statement"}))) if consequence else False
        if inside and pure_guard and not alternatives and not checks_after:
            skipped = _ALL - passing
            if skipped <= _SAFE and not _clearly_authentication(file, consequence):
                return None  # checks only on unsafe methods: the usual CSRF shape
            return skipped, inside[0]  # if method == "POST": check()
        return None


def _auth_checks(file: PyFile, statement: ts.Node, context: str) -> list[ts.Node]:
    checks = security_checks_in(file, statement, auth_only=True)
    if statement.type == "raise_statement" and security_exception(file.text_of(statement)):
        checks.insert(0, statement)
    if statement.type == "expression_statement" and statement.named_children \
            and statement.named_children[0].type == "call" and statement.named_children[0] not in checks:
        call = file.call_at(statement.named_children[0])
        if call.method and auth_check_name(call.method):
            checks.insert(0, statement.named_children[0])
    if context == "predicate" and statement.type == "return_statement" and statement.named_children:
        checks.append(statement.named_children[0])
    return [c for c in checks if "csrf" not in file.text_of(c).lower() and "xsrf" not in file.text_of(c).lower()]


_FORWARDERS = frozenset({"get_response", "app", "application", "view", "view_func", "func", "f", "fn", "handler",
                         "wrapped", "dispatch", "next", "call_next", "_app", "inner", "callback"})
_AUTHENTICATION_WORDS = ("login", "logged", "auth", "permission", "perm", "user", "admin", "staff", "role",
                         "session", "credential", "principal", "identity")


def _passes_through(file: PyFile, block: ts.Node | None) -> bool:
    """The block ends the hook letting the request go on: `return`, `return None`, `return True` in a permission
    predicate, or `return view(*args, **kwargs)` / `return self.get_response(request)`."""
    if block is None or not block_leaves(file, block):
        return False
    statements = [s for s in block.named_children if s.type != "comment"]
    last = statements[-1]
    if last.type != "return_statement":
        return False
    value = unwrap(last.named_children[0]) if last.named_children else None
    if value is None or value.type in ("none", "true"):
        return True
    if value.type == "call":
        call = file.call_at(value)
        return call.has_star_args or (call.method or "") in _FORWARDERS
    return False


def _clearly_authentication(file: PyFile, block: ts.Node | None) -> bool:
    """The guarded check is about who the caller is (not a CSRF nonce or a token of the form)."""
    text = file.text_of(block).lower() if block is not None else ""
    if any(word in text for word in ("csrf", "xsrf", "nonce")):
        return False
    return any(word in text for word in _AUTHENTICATION_WORDS)


def _grants_access(file: PyFile, block: ts.Node | None, context: str, _: bool) -> bool:
    """`return True` in a permission predicate."""
    if block is None or context != "predicate":
        return False
    statements = [s for s in block.named_children if s.type != "comment"]
    return len(statements) == 1 and statements[0].type == "return_statement" and \
        bool(statements[0].named_children) and statements[0].named_children[0].type == "true"


def _method_expression(file: PyFile, node: ts.Node | None) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "call":  # request.method.upper()
        call = file.call_at(node)
        return call.method in ("upper", "lower") and _method_expression(file, call.receiver)
    if node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute")) == "method" and \
            is_request_object(file, node.child_by_field_name("object"))
    if node.type == "subscript":
        key = file.string_literal_text(node.child_by_field_name("subscript"))
        return key in _METHOD_KEYS
    return False


def _method_set(file: PyFile, node: ts.Node | None) -> frozenset[str] | None:
    node = unwrap(node)
    if node is None:
        return None
    value = file.constant_value(node)
    values = value if isinstance(value, tuple) else (value,)
    if all(isinstance(v, str) for v in values):
        found = frozenset(v.upper() for v in values)
        return found if found <= _ALL else None
    name = leaf_name(file, node) or ""
    if name.upper() in ("SAFE_METHODS", "SAFE_HTTP_METHODS", "READ_METHODS", "READONLY_METHODS"):
        return _SAFE
    if node.type in ("set", "list", "tuple"):
        items = [file.constant_value(c) for c in node.named_children]
        if all(isinstance(v, str) for v in items):
            return frozenset(v.upper() for v in items) & _ALL
    return None


def _methods_where_true(file: PyFile, condition: ts.Node | None) -> frozenset[str] | None:
    """The request methods for which `condition` holds, if it tests only the method."""
    condition = unwrap(condition)
    if condition is None:
        return None
    if condition.type == "not_operator":
        inner = _methods_where_true(file, condition.child_by_field_name("argument"))
        return None if inner is None else _ALL - inner
    if condition.type == "boolean_operator":
        left = _methods_where_true(file, condition.child_by_field_name("left"))
        right = _methods_where_true(file, condition.child_by_field_name("right"))
        if left is None or right is None:
            return None
        return left | right if file.text_of(condition.child_by_field_name("operator")) == "or" else left & right
    if condition.type != "comparison_operator" or len(condition.named_children) != 2:
        return None
    operators = [file.text_of(c) for c in condition.children if not c.is_named]
    if len(operators) != 1:
        return None
    left, right = condition.named_children
    operator = operators[0]
    if _method_expression(file, right) and operator in ("==", "!="):
        left, right = right, left
    if not _method_expression(file, left):
        return None
    methods = _method_set(file, right)
    if methods is None:
        return None
    if operator in ("==", "in"):
        return methods
    if operator in ("!=", "not in"):
        return _ALL - methods
    return None


def _describe(methods: frozenset[str]) -> str:
    order = ["GET", "HEAD", "OPTIONS", "TRACE", "POST", "PUT", "PATCH", "DELETE"]
    return ", ".join(m for m in order if m in methods)
