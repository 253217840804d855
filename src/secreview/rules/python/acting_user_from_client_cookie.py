"""The acting user taken from a cookie the client writes.

## What it does
Flags a handler that reads which user it acts for from a plain cookie
(`request.cookies.get("userId")`, Django's `request.COOKIES["username"]`),
directly or through a local name, and hands it to a call that loads or
changes that user's data (`get_notes(user_id)`, `User.query.get(uid)`,
`cursor.execute(sql, (user_id,))`, `new_note(title, body, user_id)`). A
cookie is named for a user when its name says so (`user`, `userId`, `uid`,
`username`, `account`, `uuid`...). Signed cookies (`get_signed_cookie`) and
Flask's `session` (signed by the server) are not plain cookies; a cookie
only shown back in a page or a log is not reported.

Evidence: the cookie is read from the request as the client sent it, and
its value picks whose data is read or written: there is no reading in
which changing one's own cookie should not give another user's data.

## Why is this bad?
A cookie is whatever the client sends: changing `userId=41` to `userId=42`
in the browser's cookie store makes the application read or write the
data of user 42 (CWE-565, and an insecure direct object reference,
CWE-639). The login that set the cookie does not protect it: nothing ties
the cookie to that login.

## Example
```python
from flask import Flask, render_template, request

from .store import get_notes

app = Flask(__name__)

@app.route("/notes")
def notes():
    return render_template("notes.html", notes=get_notes(request.cookies.get("userId")))
```

## Use instead
```python
from flask import Flask, render_template, session

from .store import get_notes

app = Flask(__name__)

@app.route("/notes")
def notes():
    return render_template("notes.html", notes=get_notes(session["user_id"]))  # set by the server at login
```

## References
- https://cwe.mitre.org/data/definitions/565.html
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.knowledge.access_control import IDENTITY_WORDS
from secreview.knowledge.vocabulary import words
from secreview.lang.python.access import ORM_WRITES, client_controlled, named_for_a_change
from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import descendants
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

# Calls that read data for a key: lookups, queries, loaders.
_LOOKUP_WORDS = frozenset({"get", "load", "fetch", "find", "select", "query", "read", "filter", "lookup",
                           "search", "retrieve", "execute", "list"})
_VALUE_TYPES = frozenset({"call", "subscript", "identifier"})


class ActingUserFromClientCookie(Rule):
    id = "acting-user-from-client-cookie"
    cwe = 565
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "The acting user is taken from the cookie `{cookie}`: `{code}`"
    description = (
        "`{code}` reads or changes data of the user named by the cookie `{cookie}`, which the client sets to "
        "whatever it likes: anyone can put another user's id or name in the cookie and get that user's data."
    )
    solution = (
        "Take the acting user from the server's authenticated state: Flask's signed `session` or flask_login's "
        "`current_user`, Django's `request.user`, set at login. If a cookie must carry it, sign it "
        "(`set_signed_cookie`/`get_signed_cookie`, `itsdangerous`) and check the signature."
    )
    evidence = Evidence.DEFINITE

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "cookies" not in file.text and "COOKIES" not in file.text:
            return
        for call_node in file.nodes_of_type("call"):
            call = file.call_at(call_node)
            name = call.method or (call.name or "").rsplit(".", 1)[-1]
            parts = words(name)
            if not parts or not (parts[0] in _LOOKUP_WORDS or named_for_a_change(name) or name in ORM_WRITES):
                continue
            for argument in [*call.args, *call.kwargs.values()]:
                cookie = self._user_cookie(file, argument)
                if cookie is not None:
                    yield Hit(call_node, {"cookie": cookie, "code": shorten(file.text_of(call_node), 80)})
                    break

    @staticmethod
    def _user_cookie(file: PyFile, argument) -> str | None:
        for node in [argument, *descendants(argument, _VALUE_TYPES)]:
            value = client_controlled(file, node)
            if value is not None and value.kind == "cookie" and set(words(value.key)) & IDENTITY_WORDS:
                return value.key
        return None
