"""Authentication token computed from values an attacker knows.

## What it does
Flags a session id, CSRF token, password-reset token or remember-me value
that is computed only from guessable inputs, the user's name, the current
time or the `random` module, through unkeyed steps (concatenation,
formatting, `hashlib` digests, base64), with no server secret and no
CSPRNG output: `set_cookie("sessionid", sha1(username))`,
`session["csrf_token"] = b64encode(username + strftime("%H:%M"))`,
`reset_token = sha1(username + str(now.second))`. The token is a login
cookie (its name says session, auth, token or remember-me) or is assigned
to a name or session key for one. Any input it cannot follow (a call it
does not know, a parameter, a value named secret, key or salt) keeps it
quiet; a token drawn only from `random` is left to
`insecure-random-for-secret`.

## Why is this bad?
A token proves the request comes from the user it was issued to only if
nobody else can compute it. Whoever knows the inputs (a user name is public,
the time is known to the second) recomputes the token: a forged session
cookie logs in as any user, a recomputed reset token takes over the account,
a predictable CSRF token gives no CSRF protection. Hashing or encoding the
inputs does not help: anyone runs the same unkeyed function.

## Example
```python
import hashlib

from flask import make_response

def login(username):
    response = make_response("ok")
    response.set_cookie("sessionid", hashlib.sha1(username.encode()).hexdigest(), httponly=True)
    return response
```

## Use instead
```python
import secrets

from flask import make_response, session

def login(username):
    session["user"] = username  # the framework's signed session
    response = make_response("ok")
    response.set_cookie("remember_token", secrets.token_urlsafe(32), httponly=True, secure=True)
    return response
```

## References
- https://cwe.mitre.org/data/definitions/340.html
- https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-id-entropy
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.vocabulary import words
from secreview.lang.python.cookies import cookie_name_and_value, cookie_setting_calls, names_authentication
from secreview.lang.python.file import PyFile
from secreview.lang.python.names import identifier_names, target_texts
from secreview.lang.python.tokens import RANDOM_INPUT, guessable_inputs, names_auth_token
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule


class PredictableAuthenticationToken(Rule):
    id = "predictable-authentication-token"
    cwe = 340
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    # a token anyone can recompute from public inputs authenticates nobody: no safe reading
    evidence = Evidence.DEFINITE
    message = "Authentication token `{token}` computed only from guessable inputs ({inputs}): {code}"
    description = (
        "`{code}` makes the authentication token `{token}` from {inputs} only, through unkeyed steps "
        "(concatenation, hashing, encoding) with no server secret or cryptographic random input. Anyone "
        "who knows those inputs computes the same token: they forge a session or remember-me cookie for "
        "any user, recompute a password-reset token, or fill in a CSRF token, without ever seeing one."
    )
    solution = (
        "Draw tokens from a CSPRNG and keep them server-side: `secrets.token_urlsafe(32)` stored with the "
        "session or reset request, or use the framework's signed session (`session[...]` with a secret "
        "`SECRET_KEY`). If a token must be derived, key it: `hmac.new(server_secret, data, "
        "hashlib.sha256)`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        found = [*self._cookie_tokens(file), *self._assigned_tokens(file)]
        for node, token, _, inputs in found:
            if not _feeds_another(file, node, token, found):
                yield Hit(node, {"token": token, "inputs": ", ".join(inputs)})

    @staticmethod
    def _cookie_tokens(file: PyFile) -> Iterator[_Token]:
        for call in cookie_setting_calls(file):
            name, value = cookie_name_and_value(file, call)
            if name is not None and names_authentication(set(words(name))):
                inputs = _guessable(file, value)
                if inputs:
                    yield call.node, name, value, inputs

    @staticmethod
    def _assigned_tokens(file: PyFile) -> Iterator[_Token]:
        for assignment in file.nodes_of_type("assignment"):
            tokens = [name for name in target_texts(file, assignment.child_by_field_name("left"))
                      if names_auth_token(name)]
            value = assignment.child_by_field_name("right")
            inputs = _guessable(file, value) if tokens else None
            if inputs:
                yield assignment, tokens[0], value, inputs


_Token = tuple[ts.Node, str, "ts.Node | None", list[str]]  # where, token name, value, guessable inputs


def _guessable(file: PyFile, value: ts.Node | None) -> list[str] | None:
    """The guessable inputs of a token value; None for a constant (another rule's) or for `random` alone
    (insecure-random-for-secret's)."""
    inputs = guessable_inputs(file, value)
    return inputs if inputs and inputs != [RANDOM_INPUT] else None


def _feeds_another(file: PyFile, node: ts.Node, token: str, found: list[_Token]) -> bool:
    """`csrf = name + time` then `session["csrf_token"] = b64(csrf)`: reported once, where the token is kept."""
    scope = file.enclosing_scope(node)
    return any(other is not node and other.start_byte > node.start_byte and file.enclosing_scope(other) == scope
               and token in identifier_names(file, value) for other, _, value, _ in found)
