"""Attacker-controlled data stored in the server-side session.

## What it does
Follows request data into the session (`flask.session[...] = ...`, Django's
`request.session[...] = ...`), as the stored value or as the key.

Not reported: what a login stores once the password is checked (the user's
name or id, under a condition or after an early exit that verifies a
password or credentials), unless it names a privilege (`role`, `admin`).

## Why is this bad?
Code that later reads the session treats its content as data the server put
there itself, after its own checks. Mixing unchecked request data into it
blurs that trust boundary (CWE-501): a later page may take the value for an
authenticated user id, a role or a validated flag, or a chosen key may
overwrite such an entry.

## Example
```python
from flask import request, session

def remember():
    session["user_id"] = request.form["user_id"]
```

## Use instead
```python
from flask import request, session

def remember(authenticated_user):
    if request.form["user_id"] != str(authenticated_user.id):
        raise PermissionError("not your account")
    session["user_id"] = authenticated_user.id
```

## References
- https://cwe.mitre.org/data/definitions/501.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.access_control import PRIVILEGE_WORDS
from secreview.knowledge.vocabulary import mentions
from secreview.lang.python.access import after_authentication
from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule

_FLASK_SESSION = "flask.session"
_REQUEST_SESSIONS = frozenset({"request.session", "self.request.session"})  # Django, as written


class TrustBoundaryViolation(TaintSinkRule):
    id = "trust-boundary-violation"
    cwe = 501
    vulnerability = "trust"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Unchecked {source} stored in the session"
    description = (
        "{sink} stores `{argument}`, taken from {source} without validation. Everything in the session "
        "is later trusted as server-side state, so an attacker can plant a user id, role or flag there, or "
        "pick a key that overwrites one the application relies on."
    )
    solution = (
        "Store only values the server derived or verified itself (the id of the authenticated user, a value "
        "checked against an allow-list), and use fixed session keys."
    )

    def extra_sinks(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for assignment in file.assignments(left="subscript"):
            target = assignment.child_by_field_name("left")
            container = target.child_by_field_name("value")
            if file.qualified_name(container) != _FLASK_SESSION and file.text_of(container) not in _REQUEST_SESSIONS:
                continue
            if after_authentication(file, assignment) and not mentions(file.text_of(assignment), PRIVILEGE_WORDS):
                continue  # the identity just proved with a password: what a login stores in the session
            yield assignment, f"the session entry `{file.text_of(target)}`", assignment.child_by_field_name("right")
            for key in target.children_by_field_name("subscript"):
                yield assignment, f"the session key of `{file.text_of(target)}`", key
