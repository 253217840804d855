"""JSON Web Token decoded without verifying its signature.

## What it does
Flags JWT decoding that accepts a token whatever its signature says:
- PyJWT and python-jose `jwt.decode(token, ..., options={"verify_signature": False})`
  (also through a local name bound to the dict);
- PyJWT 1.x `jwt.decode(token, verify=False)` (PyJWT 2 drops `verify`:
  such a call then raises for want of `algorithms=`, but the code still
  says it wants no verification, and it verifies nothing under 1.x);
- `"none"` in the accepted `algorithms` (PyJWT then accepts unsigned
  tokens when it is given no key);
- `algorithms` taken from the token's own header
  (`jwt.get_unverified_header(token)["alg"]`, or the header decoded by hand);
- python-jose `jwt.get_unverified_claims(token)` whose result is returned
  from an authentication function (`authenticate`, `get_current_user`,
  `verify_token`...) that verifies no signature itself.

`jwt.decode(token, key)` without `algorithms=` is not reported: PyJWT 2
raises `DecodeError` for it (fails closed), and PyJWT >= 1.5.1 refuses a
PEM public key as an HMAC secret. `jwt.get_unverified_header(token)` used to
pick the key (`kid`) is the intended use and is not reported.

Reading an unverified token can be right in a client that inspects a token it
received from its own authorization server over TLS (its expiry, an OIDC
`id_token`): a finding outside code that serves requests (no web framework
imported, not in an authentication function) is an audit finding at medium
confidence; in server code it has no safe reading.

## Why is this bad?
The signature is the only thing that ties a JWT's claims to the issuer. A
decoder that skips it (or accepts `alg: none`, or lets the token choose its
own algorithm) accepts any token anyone writes: an attacker sets
`"sub": "admin"` or `"role": "admin"` in a self-made token and is that user
(authentication bypass, privilege escalation).

## Example
```python
import jwt

def current_user(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]
```

## Use instead
```python
import jwt

def current_user(token, key):
    claims = jwt.decode(token, key, algorithms=["RS256"], audience="my-api")
    return claims["sub"]
```

## References
- https://cwe.mitre.org/data/definitions/347.html
- https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation
- https://pyjwt.readthedocs.io/en/stable/changelog.html (2.0.0: `algorithms` required, `verify` removed)
- https://python-jose.readthedocs.io/en/latest/jwt/api.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.vocabulary import words
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import own_returns
from secreview.lang.python.scopes import descendants, function_of
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_DECODERS = ("jwt.decode", "jwt.api_jwt.decode", "jwt.decode_complete", "jose.jwt.decode", "jwt.api_jws.decode")
_UNVERIFIED_CLAIMS = ("jose.jwt.get_unverified_claims",)
_UNVERIFIED_HEADERS = ("jwt.get_unverified_header", "jose.jwt.get_unverified_header",
                       "jose.jwt.get_unverified_headers", "jose.jws.get_unverified_header")
_SERVER_FRAMEWORKS = ("flask", "django", "rest_framework", "fastapi", "starlette", "aiohttp", "tornado", "pyramid",
                      "bottle", "sanic", "quart", "falcon", "werkzeug", "litestar", "graphene", "strawberry",
                      "flask_restful", "flask_jwt_extended", "connexion", "cherrypy")
_AUTH_WORDS = frozenset({"auth", "authenticate", "authentication", "authenticated", "authorize", "authorization",
                         "verify", "validate", "login", "identity", "permission", "permissions", "protected",
                         "required", "current", "principal", "credentials"})


class JwtSignatureNotVerified(Rule):
    id = "jwt-signature-not-verified"
    cwe = 347
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "JWT accepted without verifying its signature: {code}"
    description = (
        "{what}. The signature is the only thing that ties a token's claims to its issuer: this code accepts "
        "any token anyone writes, so an attacker who sets `\"sub\": \"admin\"` or `\"role\": \"admin\"` in a "
        "self-made token is that user (authentication bypass, privilege escalation)."
    )
    solution = (
        "Verify every token you act on: `jwt.decode(token, key, algorithms=[\"RS256\"])` with the issuer's key "
        "and a fixed list of the algorithms you issue (never \"none\", never the token's own `alg`), plus "
        "`audience=`/`issuer=` where they apply. Read unverified claims only to choose the key, then decode "
        "again with verification."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "jwt" not in file.text:
            return
        for call in self._calls(file, _DECODERS):
            what = _unverified_decode(file, call)
            if what is not None:
                yield self._hit(file, call, what)
        for call in self._calls(file, _UNVERIFIED_CLAIMS):
            if _returned_by_authentication(file, call):
                function = function_of(file, call.node)
                yield Hit(call.node, {"what": f"`{call.name.rsplit('.', 1)[-1]}()` reads the claims without "
                                              "checking the signature, and `"
                                              f"{file.text_of(function.child_by_field_name('name'))}` returns them "
                                              "as the caller's identity"},
                          evidence=Evidence.DEFINITE)

    @staticmethod
    def _calls(file: PyFile, names: tuple[str, ...]) -> list[Call]:
        return [call for call in file.calls_to(*names)
                if not file.is_local_object(call.node.child_by_field_name("function"))]

    @staticmethod
    def _hit(file: PyFile, call: Call, what: str) -> Hit:
        if _serves_requests(file, call.node):
            return Hit(call.node, {"what": what}, evidence=Evidence.DEFINITE)
        return Hit(call.node, {"what": what + " (acceptable only in a client reading a token it received from "
                                              "its own authorization server over TLS)"},
                   confidence=Confidence.MEDIUM)


def _unverified_decode(file: PyFile, call: Call) -> str | None:
    """Why this decode call accepts any signature, or None."""
    if file.constant_value(call.kwargs.get("verify")) is False:
        return "`verify=False` tells PyJWT 1.x to skip the signature check"
    options = _dict_literal(file, call.kwargs.get("options"))
    if options.get("verify_signature") is False:
        return "`options={\"verify_signature\": False}` skips the signature check"
    algorithms = call.kwargs.get("algorithms")
    if algorithms is None and len(call.args) > 2:
        algorithms = call.args[2]
    if algorithms is None:
        return None
    value = file.constant_value(algorithms)
    listed = value if isinstance(value, tuple) else (value,) if isinstance(value, str) else ()
    if "none" in listed:
        return "`\"none\"` among the accepted algorithms makes unsigned tokens valid"
    if _from_token_header(file, algorithms):
        return "the accepted algorithm is taken from the token's own (unverified) header, so the token chooses " \
               "how, and whether, it is checked"
    return None


def _dict_literal(file: PyFile, node: ts.Node | None) -> dict[str, object]:
    """The constant entries of a dict literal (or a local name bound to one); {} when unknown."""
    node = _follow_name(file, node)
    found: dict[str, object] = {}
    if node is None:
        return found
    if node.type == "call" and file.text_of(node.child_by_field_name("function")) == "dict":
        for key, value in file.call_at(node).kwargs.items():
            found[key] = file.constant_value(value)
        return found
    if node.type != "dictionary":
        return found
    for pair in node.named_children:
        if pair.type == "pair":
            key = file.string_literal_text(pair.child_by_field_name("key"))
            if key is not None:
                found[key] = file.constant_value(pair.child_by_field_name("value"))
    return found


def _follow_name(file: PyFile, node: ts.Node | None) -> ts.Node | None:
    """The value a local name is bound to, when it has exactly one binding before here."""
    if node is not None and node.type == "identifier":
        bindings = file.reaching_bindings(node)
        if len(bindings) == 1:
            return file.bound_value(*bindings[0])
    return node


def _from_token_header(file: PyFile, algorithms: ts.Node) -> bool:
    """`algorithms=[header["alg"]]` (or a name bound to it) where `header` is the token's unverified header."""
    stack = [algorithms]
    for _ in range(6):
        if not stack:
            return False
        node = _follow_name(file, stack.pop())
        if node is None:
            continue
        if node.type in ("list", "tuple"):
            stack.extend(node.named_children)
        elif node.type == "subscript" and file.string_literal_text(node.child_by_field_name("subscript")) == "alg":
            return _is_token_header(file, node.child_by_field_name("value"))
        elif node.type == "call":
            call = file.call_at(node)
            if call.method == "get" and call.receiver is not None and call.args \
                    and file.string_literal_text(call.args[0]) == "alg":
                return _is_token_header(file, call.receiver)
    return False


def _is_token_header(file: PyFile, node: ts.Node | None) -> bool:
    value = _follow_name(file, node)
    if value is None or value.type != "call":
        return False
    call = file.call_at(value)
    return call.name in _UNVERIFIED_HEADERS or call.name == "json.loads"


def _serves_requests(file: PyFile, node: ts.Node) -> bool:
    """Server code: the module imports a web framework, or the call is in an authentication function."""
    if any(file.imports_module(name) for name in _SERVER_FRAMEWORKS):
        return True
    function = function_of(file, node)
    return function is not None and _is_authentication_function(file, function)


def _is_authentication_function(file: PyFile, function: ts.Node) -> bool:
    name = file.text_of(function.child_by_field_name("name"))
    return any(word in _AUTH_WORDS for word in words(name))


def _returned_by_authentication(file: PyFile, call: Call) -> bool:
    """The unverified claims (directly or through one local name) are returned by an authentication function
    that decodes nothing with verification itself."""
    function = function_of(file, call.node)
    if function is None or not _is_authentication_function(file, function):
        return False
    for inner in descendants(function, frozenset({"call"})):
        if file.call_at(inner).name in _DECODERS:
            return False
    bound: set[str] = set()
    parent = call.node.parent
    if parent is not None and parent.type == "assignment" and parent.child_by_field_name("right") == call.node:
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            bound.add(file.text_of(left))
    for statement in own_returns(file, function):
        value = statement.named_children[0] if statement.named_children else None
        if value is None:
            continue
        if value == call.node or _contains(value, call.node):
            return True
        for ident in [value, *descendants(value, frozenset({"identifier"}))]:
            if ident.type == "identifier" and file.text_of(ident) in bound:
                return True
    return False


def _contains(outer: ts.Node, inner: ts.Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte



