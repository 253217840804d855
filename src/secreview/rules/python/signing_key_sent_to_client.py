"""The application's signing key put into the session, a cookie or a response.

## What it does
Finds the application's own cryptographic key (a configuration entry or
setting whose name says it is a signing or secret key: `app.config["SECRET_KEY"]`,
`app.secret_key`, `settings.SECRET_KEY`, `current_app.config["JWT_SECRET_KEY"]`)
stored into the session (`session["k"] = ...`, Django's `request.session`), set
as a cookie, or placed in what a route handler returns (a JSON body, a
rendered template's context, a response).

## Why is this bad?
Flask's session is a cookie the client can read (it is signed, not
encrypted); a response goes to whoever asked. With the key, anyone can sign
their own session cookies, tokens and password-reset links: become any user,
any role (CWE-200, CWE-315).

## Example
```python
from flask import Flask, session

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    session["secret"] = app.config["SECRET_KEY"]
    return "ok"
```

## Use instead
```python
from flask import Flask, session

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    session["logged_in"] = True
    return "ok"
```

## References
- https://cwe.mitre.org/data/definitions/200.html
- https://cwe.mitre.org/data/definitions/315.html
- https://flask.palletsprojects.com/en/stable/api/#sessions
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import own_returns
from secreview.lang.python.names import secret_kind
from secreview.lang.python.scopes import descendants
from secreview.lang.python.syntax import unwrap
from secreview.lang.python.web import route_handlers
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_SESSIONS = frozenset({"flask.session", "quart.session"})
_COOKIE_SETTERS = ("set_cookie", "set_signed_cookie", "set_secure_cookie")
_CONFIG_HOLDERS = frozenset({"config", "settings", "conf", "CONF"})


class SigningKeySentToClient(Rule):
    id = "signing-key-sent-to-client"
    cwe = 200
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE
    message = "The application's key `{key}` is sent to the client ({where})"
    description = (
        "`{code}` puts the application's key `{key}` into {where}. The client can read it, and with it sign "
        "its own session cookies, tokens and reset links: become any user or role."
    )
    solution = "Never send the key anywhere: keep it in the server's configuration and store in the session only " \
               "what identifies the user."

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "key" not in file.text.lower():
            return
        for assignment in file.nodes_of_type("assignment"):
            target = unwrap(assignment.child_by_field_name("left"))
            if target is not None and target.type == "subscript" and _is_session(file, target):
                key = _signing_key_in(file, assignment.child_by_field_name("right"))
                if key is not None:
                    yield self._hit(file, assignment, key, "the session, a cookie the client can read")
        for call in file.method_calls(*_COOKIE_SETTERS):
            key = next((k for k in map(lambda a: _signing_key_in(file, a), (*call.args, *call.kwargs.values()))
                        if k is not None), None)
            if key is not None:
                yield self._hit(file, call.node, key, "a cookie")
        for function in route_handlers(file):
            for statement in own_returns(file, function):
                key = _signing_key_in(file, statement)
                if key is not None:
                    yield self._hit(file, statement, key, "the response")

    def _hit(self, file: PyFile, node: ts.Node, key: str, where: str) -> Hit:
        return Hit(node, {"key": key, "where": where, "code": file.text_of(node)[:80]})


def _is_session(file: PyFile, subscript: ts.Node) -> bool:
    holder = unwrap(subscript.child_by_field_name("value"))
    if holder is None:
        return False
    return file.qualified_name(holder) in _SESSIONS or file.text_of(holder).replace(" ", "") == "request.session"


def _signing_key_in(file: PyFile, node: ts.Node | None) -> str | None:
    """The name of the application key read in `node` (`config["SECRET_KEY"]`, `app.secret_key`)."""
    if node is None:
        return None
    for part in (node, *descendants(node, frozenset({"subscript", "attribute", "call"}))):
        name = _key_name(file, part)
        if name is not None and secret_kind(name) == "crypto-key":
            return name
    return None


def _key_name(file: PyFile, node: ts.Node) -> str | None:
    if node.type == "subscript":
        holder = unwrap(node.child_by_field_name("value"))
        key = file.constant_value(node.child_by_field_name("subscript"))
        if holder is not None and _holds_config(file, holder) and isinstance(key, str):
            return key
    elif node.type == "attribute":
        holder = unwrap(node.child_by_field_name("object"))
        attribute = file.text_of(node.child_by_field_name("attribute"))
        if holder is not None and (attribute == "secret_key" or _holds_config(file, holder)):
            return attribute
    elif node.type == "call":
        call = file.call_at(node)
        if call.method == "get" and call.receiver is not None and _holds_config(file, call.receiver) and call.args:
            key = file.constant_value(call.args[0])
            return key if isinstance(key, str) else None
    return None


def _holds_config(file: PyFile, node: ts.Node) -> bool:
    """`app.config`, `current_app.config`, `settings` (Django), `CONF` (oslo)."""
    text = file.text_of(node)
    return text.rsplit(".", 1)[-1] in _CONFIG_HOLDERS
