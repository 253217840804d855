"""Security check function whose body does nothing or always succeeds.

## What it does
Flags functions whose name says they check or enforce security
(`check_permission`, `verify_token`, `validate_signature`, `authorize`,
`require_admin`, `is_authorized`, `has_access`, `can_edit`...) but whose body
is only `pass`, `...`, a docstring or a bare `return` (for functions that
signal failure by raising), or only `return True` (for any of them).
Predicates (`is_*`, `has_*`, `can_*`) that return `None` are not reported:
`None` is falsy, so they deny. Abstract methods, base/mixin/protocol
classes, classes whose name says they allow everything on purpose
(`AllowAll`, `NoAuth`, `Fake...`), stubs whose docstring says they are
meant to be overridden, and methods that override a base class's method
with `return True` (a deliberate "public" policy) are not reported; test
code gets low confidence.

## Why is this bad?
Every caller of the function believes a check happened: `check_permission(
user, doc)` returns normally, `is_authorized(...)` is true, and the request
goes on to read, change or delete data it was never allowed to touch. A stub
left behind from development, or a check that was emptied "temporarily",
fails open for every code path that relies on it, and nothing in the
callers shows it.

## Example
```python
def check_permission(user, document):
    pass


def delete(user, document):
    check_permission(user, document)
    document.delete()
```

## Use instead
```python
def check_permission(user, document):
    if document.owner_id != user.id and not user.is_admin:
        raise PermissionError("not allowed")


def delete(user, document):
    check_permission(user, document)
    document.delete()
```

## References
- https://cwe.mitre.org/data/definitions/1071.html
- https://cwe.mitre.org/data/definitions/862.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import class_bases, decorators_of, enclosing_class
from secreview.lang.python.security_checks import SECURITY_NOUNS
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.knowledge.vocabulary import words

_ABSTRACT = ("abstractmethod", "abstractproperty", "overload", "abstractclassmethod", "abstractstaticmethod",
             "property", "setter", "getter", "deleter", "cached_property")
_TODO = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b|\btodo\b", re.I)
_BASE_CLASS_WORDS = frozenset({"base", "abstract", "interface", "mixin", "protocol", "abc", "generic"})
_PERMISSIVE_CLASS_WORDS = frozenset({
    "fake", "mock", "dummy", "stub", "noop", "null", "allow", "permissive", "insecure", "anonymous", "public",
    "open", "trust", "trusting", "unrestricted", "bypass", "always", "any", "everyone", "everybody", "noauth",
    "passthrough", "pass", "disabled", "nothing", "all", "test", "testing",
})
_INTENDED_DOC_WORDS = ("override", "subclass", "hook", "placeholder", "no-op", "noop", "stub", "always allow",
                       "allows everything", "allow all", "allows all", "not implemented", "default implementation",
                       "intentionally", "deliberately", "does nothing", "do nothing", "to be implemented")


class EmptySecurityCheck(Rule):
    id = "empty-security-check"
    cwe = 1071
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Security check `{function}` {behaviour}"
    description = (
        "`{function}` is named as a security check, but its body {body}, so it {behaviour}. Every caller "
        "that relies on it proceeds as if the check passed: a user who should be refused gets through, and "
        "the callers give no sign that nothing was checked."
    )
    solution = (
        "Implement the check in `{function}` (raise or return False when the caller is not allowed), or, if it "
        "is a hook meant to be overridden, make it fail closed (`raise NotImplementedError` / "
        "`@abc.abstractmethod`, or `return False`) so a forgotten override denies instead of allowing."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for function in file.nodes_of_type("function_definition"):
            name = file.text_of(function.child_by_field_name("name"))
            kind = _check_function_kind(name)
            if kind is None:
                continue
            body_kind = self._body_kind(file, function)
            if body_kind is None:
                continue
            if body_kind == "empty" and kind in ("predicate", "authenticator"):
                continue  # returns None: falsy, so it denies
            if self._intended(file, function):
                continue
            cls = enclosing_class(file, function)
            overrides = cls is not None and [b for b in class_bases(file, cls) if b not in ("object",)]
            if body_kind == "allow" and overrides:
                continue  # a subclass saying "this one is public" on purpose
            behaviour = ("always reports success" if body_kind == "allow" else "does nothing")
            body = "is only `return True`" if body_kind == "allow" else "is empty (only `pass`, `...` or a docstring)"
            yield Hit(function.child_by_field_name("name"), {"function": name, "behaviour": behaviour, "body": body})

    @staticmethod
    def _body_kind(file: PyFile, function: ts.Node) -> str | None:
        """"empty" (pass/.../docstring/bare return), "allow" (return True) or None."""
        body = function.child_by_field_name("body")
        statements = [s for s in body.named_children if s.type != "comment"] if body is not None else []
        if statements and _is_docstring(statements[0]):
            statements = statements[1:]
        if not statements:
            return "empty"
        if len(statements) != 1:
            return None
        statement = statements[0]
        if statement.type == "pass_statement":
            return "empty"
        if statement.type == "expression_statement" and file.text_of(statement).strip() == "...":
            return "empty"
        if statement.type == "return_statement":
            value = statement.named_children[0] if statement.named_children else None
            if value is None or value.type == "none":
                return "empty"
            if value.type == "true":
                return "allow"
        return None

    @staticmethod
    def _intended(file: PyFile, function: ts.Node) -> bool:
        if any(d.split("(")[0].rsplit(".", 1)[-1] in _ABSTRACT for d in decorators_of(file, function)):
            return True
        body = function.child_by_field_name("body")
        if body is not None and any(c.type == "comment" and not _TODO.search(file.text_of(c))
                                    for c in body.named_children):
            return True  # an explanation of why nothing is checked here
        first = body.named_children[0] if body is not None and body.named_children else None
        if first is not None and _is_docstring(first):
            doc = file.text_of(first).lower()
            if any(word in doc for word in _INTENDED_DOC_WORDS):
                return True
        cls = enclosing_class(file, function)
        if cls is not None:
            class_words = set(words(file.text_of(cls.child_by_field_name("name"))))
            if class_words & (_BASE_CLASS_WORDS | _PERMISSIVE_CLASS_WORDS):
                return True
            superclasses = cls.child_by_field_name("superclasses")
            bases = file.text_of(superclasses) if superclasses is not None else ""
            if any(word in bases for word in ("ABC", "Protocol", "Interface", "metaclass")):
                return True
        return False


def _is_docstring(statement: ts.Node) -> bool:
    return statement.type == "expression_statement" and bool(statement.named_children) \
        and statement.named_children[0].type in ("string", "concatenated_string")


_STATES = frozenset({"authorized", "authorised", "authenticated", "allowed", "permitted", "trusted"})
_VALIDITY = frozenset({"valid", "verified", "correct", "ok", "matches", "match"})
_SECRET_NOUNS = frozenset({"token", "signature", "sig", "password", "passwd", "csrf", "xsrf", "hmac", "mac", "cert",
                           "certificate", "otp", "nonce", "session", "credential", "credentials", "jwt", "captcha",
                           "origin", "referer", "referrer", "hostname"})
_PERMISSION_NOUNS = frozenset({"permission", "permissions", "perm", "perms", "access", "role", "roles", "privilege",
                               "privileges", "right", "rights", "scope", "scopes", "grant", "grants"})
_CAN_ACTIONS = frozenset({"access", "view", "edit", "delete", "modify", "manage", "change", "update", "create",
                          "administer", "admin", "see", "remove", "write", "approve", "impersonate"})
_ENFORCERS = frozenset({"check", "verify", "validate", "enforce", "require", "ensure", "assert"})


def _check_function_kind(name: str) -> str | None:
    """How a function named `name` reports a security decision, judged from its name.

    "predicate": returns whether the caller is allowed (`is_authorized`, `has_permission`, `can_edit`);
    "enforcer": refuses by raising (`check_permission`, `verify_token`, `require_admin`, `authorize`);
    "authenticator": returns the authenticated principal or None (`authenticate`); None otherwise.
    """
    parts = words(name)
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head in ("authorize", "authorise"):
        return "enforcer"
    if head == "authenticate":
        return "authenticator"
    if head == "is":
        if set(rest) & _STATES or (set(rest) & _VALIDITY and set(rest) & _SECRET_NOUNS):
            return "predicate"
        return None
    if head == "has":
        return "predicate" if set(rest) & _PERMISSION_NOUNS else None
    if head == "can":
        return "predicate" if rest and rest[0] in _CAN_ACTIONS else None
    if head in _ENFORCERS and any(p in SECURITY_NOUNS for p in rest):
        return "enforcer"
    return None
