"""Authorisation or validation check written as an `assert`.

## What it does
Flags `assert` statements whose condition reads like a security decision: it
names an authorisation or validation concept, as a word of an identifier,
attribute or called function, or in the assertion's message ("permission
denied", "admins only"):

- one strong word is enough: `auth*`, `permission`, `perm`, `admin`, `staff`,
  `superuser`, `role`, `owner`, `token`, `csrf`, `signature`, `privilege`,
  `acl`, `granted`, `hmac`;
- weak words, common in ordinary invariants too, count only when a subject
  (`user`, `password`, `logged`, `signed`, `trusted`) meets a predicate
  (`valid`, `verified`, `allowed`, `permitted`, `active`...):
  `user.is_verified`, `password_valid`, but not `schema.is_valid(x)` or
  `strategy in self._allowed_strategies`;
- `token` and `owner` are strong only next to a qualifier in the same name
  (`csrf_token`, `validate_token`, `is_owner`, `owner_id`), not in
  `token.type`, `_TokenType` or `ownerDocument`.

Plain type and internal-invariant assertions are not flagged: `isinstance()`
/ `issubclass()` / `callable()` checks, `x is None` / `x is not None`
narrowing, and the assertions of test functions (`def test_...`, methods of
`Test...` classes), where `assert` is the test oracle.

## Why is this bad?
Python removes `assert` statements when it runs with `-O` or
`PYTHONOPTIMIZE` (common in production images and some WSGI servers). The
check then silently disappears: every user is treated as authorised, every
token as valid, every signature as verified. Even when assertions stay on,
they raise `AssertionError`, which generic handlers often turn into a 500
response or swallow (CWE-617).

## Example
```python
def delete_account(request, account):
    assert request.user.is_admin, "admins only"
    account.delete()
```

## Use instead
```python
from django.core.exceptions import PermissionDenied

def delete_account(request, account):
    if not request.user.is_admin:
        raise PermissionDenied("admins only")
    account.delete()
```

## References
- https://cwe.mitre.org/data/definitions/617.html
- https://docs.python.org/3/reference/simple_stmts.html#the-assert-statement
- https://docs.python.org/3/using/cmdline.html#cmdoption-O
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

# Words that name a security decision on their own.
_STRONG_WORDS = frozenset({
    "auth", "authn", "authz", "authenticate", "authenticated", "authorize", "authorized", "authorise",
    "authorised", "authorization", "authorisation", "authentication", "permission", "permissions", "perm",
    "perms", "admin", "staff", "superuser", "role", "roles", "csrf", "xsrf", "signature", "privilege",
    "privileges", "privileged", "acl", "granted", "hmac", "owner", "token",
})
# Words that are common in ordinary invariants too (`user_supplied`, `_allowed_strategies`,
# `schema.is_valid(x)`): they count only when a subject (user, password...) meets a predicate
# (valid, verified, allowed...) in the condition: `user.is_verified`, `password_valid`.
_WEAK_WORDS = frozenset({
    "user", "valid", "validate", "validated", "verify", "verified", "allowed", "permitted", "password",
    "trusted", "logged", "signed", "whitelisted", "allowlisted", "owns", "active", "approved", "confirmed",
})
# Strong words that also name ordinary things (lexer tokens, DOM owner documents) count only next to
# a qualifier in the same identifier: `csrf_token`, `validate_token`, `is_owner`, `owner_id`; not
# `token.type`, `_TokenType` or `ownerDocument`.
_QUALIFIED_ONLY = {
    "token": frozenset({"csrf", "xsrf", "auth", "access", "api", "bearer", "refresh", "session", "jwt", "oauth",
                        "reset", "secret", "security", "verify", "validate", "valid", "check", "signed"}),
    "owner": frozenset({"is", "id", "uid", "check", "verify", "user", "project", "tenant", "account"}),
}
# Weak words make a security check only as a pair of a subject and a predicate.
_WEAK_SUBJECTS = frozenset({"user", "password", "logged", "signed", "trusted", "owns"})
# Words that make an assertion *message* a security statement ("admins only", "permission denied").
_MESSAGE_WORDS = frozenset({
    "auth", "authenticated", "authorized", "authorised", "unauthorized", "unauthorised", "authorization",
    "authorisation", "authentication", "permission", "permissions", "admin", "admins", "superuser",
    "forbidden", "denied", "csrf", "xsrf", "signature", "privilege", "privileges", "privileged",
})
_TYPE_CHECKS = frozenset({"isinstance", "issubclass", "callable", "hasattr", "type"})
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


class AssertUsedForSecurityCheck(Rule):
    id = "assert-used-for-security-check"
    cwe = 617
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Security check `{condition}` is an assert, removed under `python -O`"
    description = (
        "`{code}` enforces what looks like a security decision (`{word}` in `{condition}`) with an "
        "`assert`. Python drops every assert statement when it runs optimised (`python -O`, "
        "`PYTHONOPTIMIZE=1`), so in such a deployment the check vanishes and the code below it runs for "
        "every caller, authorised or not and with valid or invalid input. With assertions enabled the "
        "failure is an AssertionError that generic handlers may swallow or turn into a 500 error."
    )
    solution = (
        "Replace the assert with an explicit check that always runs: `if not ({condition}): raise "
        "PermissionDenied(...)` (or the ValueError / HTTP 403 your framework uses), and keep `assert` "
        "for internal invariants only."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for statement in file.nodes("(assert_statement) @a", "a"):
            condition = unwrap(statement.named_children[0]) if statement.named_children else None
            if condition is None or self._is_type_or_none_check(file, condition) or self._in_test(file, statement):
                continue
            word = self._security_word(file, condition)
            if word is None and statement.named_child_count > 1:
                word = self._message_word(file, statement.named_children[1])
            if word is None:
                continue
            yield Hit(statement, {"condition": shorten(file.text_of(condition), 70), "word": word})

    @staticmethod
    def _is_type_or_none_check(file: PyFile, condition: ts.Node) -> bool:
        if condition.type == "not_operator":
            condition = unwrap(condition.child_by_field_name("argument")) or condition
        if condition.type == "call":
            function = condition.child_by_field_name("function")
            return function is not None and file.text_of(function) in _TYPE_CHECKS
        if condition.type == "comparison_operator":
            operators = [file.text_of(c) for c in condition.children if not c.is_named]
            operands = condition.named_children
            return all(op in ("is", "is not") for op in operators) and any(o.type == "none" for o in operands)
        return False

    @staticmethod
    def _in_test(file: PyFile, statement: ts.Node) -> bool:
        for ancestor in file.ancestors(statement):
            if ancestor.type in ("function_definition", "class_definition"):
                name = ancestor.child_by_field_name("name")
                text = file.text_of(name) if name is not None else ""
                if (ancestor.type == "function_definition" and text.startswith("test")) or \
                        (ancestor.type == "class_definition" and text.startswith("Test")):
                    return True
        return False

    @staticmethod
    def _message_word(file: PyFile, message: ts.Node) -> str | None:
        """A security word in the assert's message (`assert ok, "permission denied"`)."""
        text = file.string_literal_text(message) or ""
        return next((w for w in _WORDS.findall(text) if w.lower() in _MESSAGE_WORDS), None)

    @staticmethod
    def _security_word(file: PyFile, condition: ts.Node) -> str | None:
        weak: dict[str, str] = {}
        for node in _walk(condition):
            if node.type != "identifier":
                continue
            words = [w.lower() for w in _WORDS.findall(file.text_of(node))]
            for word in words:
                if word in _STRONG_WORDS and (word not in _QUALIFIED_ONLY
                                              or _QUALIFIED_ONLY[word] & set(words)):
                    return file.text_of(node)
                if word in _WEAK_WORDS:
                    weak.setdefault(word, file.text_of(node))
        subjects = [text for word, text in weak.items() if word in _WEAK_SUBJECTS]
        predicates = [text for word, text in weak.items() if word not in _WEAK_SUBJECTS]
        if subjects and predicates:
            return ", ".join(sorted({subjects[0], predicates[0]}))
        return None


def _walk(node: ts.Node) -> Iterator[ts.Node]:
    """`node` and its descendants, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
