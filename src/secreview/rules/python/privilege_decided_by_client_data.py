"""Privilege granted on a value the client writes: a cookie, a header or a request parameter.

## What it does
Flags a branch (`if`, `elif`, `while`, or the result of an `is_...`/
`has_...` function) that decides on privilege from request data the client
chooses freely:

- a cookie (`request.cookies.get("role") == "admin"`, `"IsAdmin" in
  request.cookies`), Django's `request.COOKIES`;
- a header other than a credential (`request.META["HTTP_ISADMIN"]`,
  `request.headers["X-Role"]`, the Host header compared with `localhost`,
  the User-Agent); the `Authorization` header and API-key headers are
  credentials a server verifies and are not reported;
- a query or form parameter (`request.GET.get("action") == "admin"`).

The decision is about privilege when the cookie, header or parameter is
named for it (`admin`, `role`, `permission`, `logged_in`, `access`...), when
it is compared with such a word or with a local host name, or when it is
handed to a check named for it (`verify_is_admin(request.cookies["uuid"])`).
Values compared with something the server holds (a token against the stored
one) are credentials, not choices: a key naming a token, key, secret or
password is not reported. Flask's `session` is signed by the server and is
not client data.

Evidence: the value is read straight from the request where the client
writes it, and the branch is named for privilege: there is no reading in
which a client that sends `IsAdmin: True` should not be trusted to be one.

## Why is this bad?
Cookies, headers and parameters are whatever the client sends: anyone can
set `role=admin` in their browser's cookie store or add a header with
curl. Deciding privilege from them hands every visitor the privilege
(CWE-807, CWE-565, CWE-290 for the Host header).

## Example
```python
from flask import Flask, render_template, request

app = Flask(__name__)

@app.route("/admin")
def admin_panel():
    if request.cookies.get("role") == "admin":
        return render_template("admin.html")
    return render_template("denied.html"), 403
```

## Use instead
```python
from flask import Flask, render_template, session

app = Flask(__name__)

@app.route("/admin")
def admin_panel():
    if session.get("role") == "admin":  # set by the server at login
        return render_template("admin.html")
    return render_template("denied.html"), 403
```

## References
- https://cwe.mitre.org/data/definitions/807.html
- https://cwe.mitre.org/data/definitions/565.html
- https://cwe.mitre.org/data/definitions/290.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.access_control import LOCAL_HOSTS, PRIVILEGE_WORDS
from secreview.knowledge.vocabulary import words
from secreview.lang.python.access import ClientValue, client_controlled
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import branch_conditions
from secreview.lang.python.scopes import descendants, function_of
from secreview.model import Evidence, Severity, Confidence
from secreview.rules import Hit, Rule, shorten

_CREDENTIAL_WORDS = frozenset({"token", "key", "secret", "password", "passwd", "csrf", "xsrf", "signature", "sig",
                               "nonce", "otp", "code", "hash", "session", "sessionid", "sid", "jwt", "captcha"})
# Values that name a privileged identity or role (`action == "admin"`), unlike words that merely touch on
# access (`action == "ACCESS_LOG"`).
_PRIVILEGED_VALUES = frozenset({"admin", "administrator", "root", "superuser", "staff", "moderator", "privileged",
                                "isadmin", "sudo"})
_PREDICATE_WORDS = frozenset({"is", "has", "can", "check", "verify", "allowed", "authorized"})
_VALUE_TYPES = frozenset({"call", "subscript", "attribute", "identifier"})


class PrivilegeDecidedByClientData(Rule):
    id = "privilege-decided-by-client-data"
    cwe = 807
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Privilege decided by the client's {source}: `{code}`"
    description = (
        "`{code}` decides {about} from {source_long}, which the client sets to whatever it likes "
        "(a cookie in the browser's store, a header or parameter added with curl). Anyone can claim the "
        "privilege this branch grants."
    )
    solution = (
        "Decide from state the server controls: the authenticated user's role loaded from the database, or "
        "a value the server stored in its signed session at login (`session[\"role\"]`, `request.user."
        "is_staff`). Never from a cookie, header or parameter the client sends."
    )
    evidence = Evidence.DEFINITE

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "request" not in file.text:
            return
        for owner, condition in self._decisions(file):
            for value_node in [condition, *descendants(condition, _VALUE_TYPES)]:
                value = client_controlled(file, value_node)
                if value is None or value_node.type == "identifier" and value_node.parent is not None \
                        and value_node.parent.type == "attribute":
                    continue
                about = _privilege(file, value, value_node, condition)
                if about is not None:
                    yield Hit(owner, {"code": shorten(file.text_of(condition), 80), "about": about,
                                      "source": value.kind, "source_long": _describe(value)})
                    break

    @staticmethod
    def _decisions(file: PyFile) -> Iterator[tuple[ts.Node, ts.Node]]:
        for owner, condition in branch_conditions(file):
            if condition is not None:
                yield owner, condition
        for statement in file.nodes_of_type("return_statement"):
            function = function_of(file, statement)
            if function is not None and statement.named_children and \
                    words(file.text_of(function.child_by_field_name("name")))[:1] in (("is",), ("has",), ("can",)):
                yield statement, statement.named_children[0]


def _privilege(file: PyFile, value: ClientValue, node: ts.Node, condition: ts.Node) -> str | None:
    """What privilege the decision is about, or None when it is not about privilege."""
    key_words = set(words(value.key))
    if key_words & _CREDENTIAL_WORDS:
        return None
    if key_words & PRIVILEGE_WORDS and _taken_as_claim(file, node, condition):
        return f"privilege by the {value.kind} `{value.key}`"
    if value.kind == "header" and value.key.lower() == "host":
        literals = _compared_literals(file, node, condition)
        if any(literal.split(":")[0] in LOCAL_HOSTS for literal in literals):
            return "whether the caller is local by the Host header"
        return None
    if set(words(file.text_of(condition))) & _CREDENTIAL_WORDS:
        return None  # `username == "admin" and password == ...`: a login, not a claim of privilege
    for literal in _compared_literals(file, node, condition):
        if set(words(literal)) & _PRIVILEGED_VALUES and len(literal) < 30:
            return f"privilege by comparing the {value.kind} `{value.key}` with `{literal}`"
    for ancestor in file.ancestors(node):
        if ancestor == condition.parent:
            break
        if ancestor.type == "call":
            call = file.call_at(ancestor)
            name_words = set(words(call.method or call.name or ""))
            if name_words & PRIVILEGE_WORDS and name_words & _PREDICATE_WORDS:
                return f"privilege by handing the {value.kind} `{value.key}` to `{call.method or call.name}`"
    return None


def _taken_as_claim(file: PyFile, node: ts.Node, condition: ts.Node) -> bool:
    """The value decides by itself: tested for truth (`if role:`, `not is_admin`) or compared with a constant
    (`== "1"`, `in ("admin", "root")`), not checked against something the server holds."""
    child = node
    for ancestor in file.ancestors(node):
        if ancestor.type == "comparison_operator":
            return all(operand == child or file.is_constant(operand) for operand in ancestor.named_children)
        if ancestor.type not in ("not_operator", "boolean_operator", "parenthesized_expression") and \
                ancestor != condition.parent:
            return False
        if ancestor == condition.parent or ancestor == condition:
            return True
        child = ancestor
    return node == condition


def _compared_literals(file: PyFile, node: ts.Node, condition: ts.Node) -> list[str]:
    """The constant strings `node` is compared with (`==`, `!=`, `in`) inside `condition`."""
    for ancestor in [node, *file.ancestors(node)]:
        if ancestor.type == "comparison_operator":
            found: list[str] = []
            for operand in ancestor.named_children:
                constant = file.constant_value(operand)
                if isinstance(constant, str):
                    found.append(constant)
                elif isinstance(constant, tuple):
                    found.extend(str(item) for item in constant)
            return found
        if ancestor == condition:
            break
    return []


def _describe(value: ClientValue) -> str:
    what = {"cookie": "the cookie", "header": "the request header", "parameter": "the request parameter"}
    return f"{what[value.kind]} `{value.key}`" if value.key else f"a {value.kind} of the request"
