"""Predictable `random` module values used where a secret may be needed.

## What it does
Flags calls to the `random` module's generator (`random.random`, `randint`,
`randrange`, `choice`, `choices`, `sample`, `getrandbits`, `uniform`,
`shuffle`, `randbytes`) and to methods of `random.Random()` instances.
`random.SystemRandom`, `secrets` and `os.urandom` are never reported.
Confidence is high when the value is bound to, returned as or generated
inside something named like a secret (token, secret, password, key, nonce,
salt, session, OTP, CSRF, cookie, auth, reset or verification code), low for
clearly non-security uses (retry jitter, sampling, colours), medium
otherwise.

## Why is this bad?
The `random` module is a Mersenne Twister: it is fast and statistically
good, but not unpredictable. After observing 624 32-bit outputs (or fewer
with known structure) an attacker reconstructs the internal state and
predicts every past and future value, so password-reset tokens, session ids,
OTP codes or API keys drawn from it can be computed instead of guessed.
Seeds based on time or PID make it even easier.

## Example
```python
import random
import string

def make_reset_token():
    return "".join(random.choice(string.ascii_letters) for _ in range(32))
```

## Use instead
```python
import secrets

def make_reset_token():
    return secrets.token_urlsafe(32)
```

## References
- https://cwe.mitre.org/data/definitions/338.html
- https://docs.python.org/3/library/random.html (warning at the top)
- https://docs.python.org/3/library/secrets.html
"""

from __future__ import annotations

import re

from collections.abc import Iterator

from secreview.knowledge.vocabulary import NON_SECURITY_RANDOM_WORDS
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.names import context_words, flow_names, function_name, grade, is_security_name
from secreview.lang.python.origins import bound_receivers
from secreview.lang.python.tokens import names_auth_token
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.python import CallRule

_FUNCTIONS = ("random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "uniform",
              "shuffle", "randbytes", "triangular", "gauss", "normalvariate", "betavariate", "expovariate")
_SECURE_CONSTRUCTORS = ("random.SystemRandom", "secrets.SystemRandom")
_FIXES = {
    "choice": "`secrets.choice(...)`",
    "randbytes": "`secrets.token_bytes(n)`",
    "getrandbits": "`secrets.randbits(k)`",
    "randint": "`secrets.randbelow(n)` (shifted to the range you need)",
    "randrange": "`secrets.randbelow(n)` (shifted to the range you need)",
}


_REORDERING = frozenset({"shuffle", "sample"})
# containers and arguments whose contents are secrets, even inside a longer name (`mysession`)
_SECRET_STORE = re.compile(r"session|token|cookie|secret|passw|nonce|csrf", re.I)


class InsecureRandomForSecret(CallRule):
    id = "insecure-random-for-secret"
    cwe = 330
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = tuple(f"random.{name}" for name in _FUNCTIONS)
    message = "Predictable PRNG `{callee}` used{context}: {code}"
    description = (
        "`{code}` draws from the `random` module's Mersenne Twister{context}. Its output is predictable: "
        "an attacker who observes enough values (624 32-bit outputs, often fewer) reconstructs the "
        "generator state and computes every other value it produced or will produce, so a token, "
        "password, key or code generated this way can be predicted instead of guessed."
    )
    solution = (
        "Generate security-relevant values with the `secrets` module: {fix}; `secrets.token_urlsafe(32)` "
        "/ `secrets.token_hex(32)` for tokens, or `random.SystemRandom()` where the `random` API is "
        "needed."
    )

    def candidates(self, file: PyFile) -> list[Call]:
        found = super().candidates(file)
        instances = bound_receivers(file, ("random.Random",)) - bound_receivers(file, _SECURE_CONSTRUCTORS)
        seen = {id(c.node) for c in found}
        for call in file.method_calls(*_FUNCTIONS):
            if id(call.node) in seen or call.receiver is None:
                continue
            receiver = call.receiver
            if receiver.type == "call":  # random.Random(seed).choice(...)
                inner = receiver.child_by_field_name("function")
                if inner is not None and file.qualified_name(inner) == "random.Random":
                    found.append(call)
            elif file.text_of(receiver) in instances:
                found.append(call)
        return sorted(found, key=lambda c: c.node.start_byte)

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            stores = _stored_into(file, call.node, names=flow_names(file, call.node))
            names = flow_names(file, call.node) + stores
            function = function_name(file, call.node)
            if function:
                names.append(function)
            marked = list(dict.fromkeys(n for n in names if is_security_name(n, keys=True) or _SECRET_STORE.search(n)))
            innocent = bool(context_words(names) & NON_SECURITY_RANDOM_WORDS)
            context = f" for a security value ({shorten(', '.join(marked), 60)})" if marked else ""
            method = call.method or ""
            # reordering or picking from existing items (hosts, agents, servers) spreads load: only a
            # security name around it makes it a secret
            reorders = method in _REORDERING and not marked
            yield Hit(call.node, {"callee": call.name or f"{file.text_of(call.receiver)}.{method}",
                                  "context": context,
                                  "fix": _FIXES.get(method, "`secrets.token_bytes(n)` / `secrets.randbelow(n)`")},
                      # without a security value in sight, `random` is far more often simulation, jitter or
                      # load spreading than a secret: shown on request only
                      confidence=Confidence.LOW if reorders or not marked else grade(True, innocent),
                      # the value is kept as a session token or cookie value, or drawn by a function that makes
                      # one (`create_session_id`): a predictable secret, no safe reading
                      evidence=Evidence.DEFINITE if not innocent and (
                          any(_SECRET_STORE.search(s) for s in stores) or names_auth_token(function or ""))
                      else None)


def _stored_into(file: PyFile, call_node, names: list[str]) -> list[str]:
    """Where the variables holding the random value go next in the same function:
    `store[key] = value` gives `store`, `app.secret_key = value` gives `secret_key`,
    `resp.set_cookie(name, value)` gives `set_cookie`."""
    scope = file.enclosing_scope(call_node)
    variables = {n for n in names if n.isidentifier()}
    found: list[str] = []
    for assignment in file.assignments(left="subscript"):
        right = assignment.child_by_field_name("right")
        if file.enclosing_scope(assignment) == scope and right is not None and file.text_of(right) in variables:
            found.append(file.text_of(assignment.child_by_field_name("left").child_by_field_name("value")))
    for assignment in file.assignments(left="attribute"):  # `app.secret_key = value`
        right = assignment.child_by_field_name("right")
        if file.enclosing_scope(assignment) == scope and right is not None and file.text_of(right) in variables:
            found.append(file.text_of(assignment.child_by_field_name("left").child_by_field_name("attribute")))
    for other in file.method_calls("set_cookie"):
        if file.enclosing_scope(other.node) == scope and any(file.text_of(a) in variables for a in other.args):
            found.append("set_cookie")
    return found
