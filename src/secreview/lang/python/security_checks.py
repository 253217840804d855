"""Security checks: calls, raises and aborts whose name says they check permissions, authentication,
CSRF tokens, signatures or certificates."""

from __future__ import annotations

import re

import tree_sitter as ts

from secreview.lang.python.expressions import leaf_name
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.scopes import descendants
from secreview.knowledge.vocabulary import words

SECURITY_NOUNS = frozenset({
    "permission", "permissions", "perm", "perms", "auth", "authorized", "authorised", "authorization",
    "authorisation", "authenticated", "authentication", "access", "acl", "acls", "role", "roles",
    "privilege", "privileges", "priv", "owner", "ownership", "admin", "signature", "sig", "csrf", "xsrf",
    "token", "password", "passwd", "credential", "credentials", "cert", "certificate", "hostname",
    "login", "policy", "policies", "rights", "allowed", "hmac", "mac", "captcha",
    "otp", "mfa", "nonce", "origin", "referer", "referrer", "grant", "grants", "entitlement", "quota",
    "sudo", "superuser", "staff", "rbac", "tenant", "secret", "jwt", "session",
})
_CHECK_VERBS = frozenset({
    "check", "verify", "validate", "authorize", "authorise", "enforce", "require", "ensure", "assert",
    "authenticate", "can", "has", "is", "allow", "allowed", "permit", "permitted", "deny",
})
_SECURITY_EXCEPTION = re.compile(
    r"(Forbidden|Unauthori[sz]ed|PermissionDenied|Permission(Error)?|AccessDenied|NotAuthori[sz]ed|"
    r"NotAuthenticated|AuthenticationFailed|AuthFailure|AuthError|Authentication(Error|Required)|"
    r"SuspiciousOperation|CSRF|Csrf|InvalidSignature|BadSignature|InvalidToken|PolicyNotAuthorized|"
    r"HTTPForbidden|HTTPUnauthorized|Unauthenticated|AccessForbidden|Insufficient(Scope|Permissions?))")
_AUTH_NOUNS = SECURITY_NOUNS - {"token", "session", "origin", "referer", "referrer", "nonce", "quota",
                                "tenant", "secret", "hostname", "cert", "certificate"}


def _security_check_name(name: str) -> bool:
    """`check_permission`, `verify_token`, `is_authorized`, `has_access`, `require_login`, `authorize`..."""
    parts = words(name)
    if not parts:
        return False
    if parts[0] in ("authorize", "authorise", "authenticate") or "authorize" in parts or "authorise" in parts:
        return True
    return parts[0] in _CHECK_VERBS and any(p in SECURITY_NOUNS for p in parts[1:])


def auth_check_name(name: str) -> bool:
    """Like `_security_check_name`, but only authentication/authorisation (not CSRF, signatures...)."""
    parts = words(name)
    if not parts:
        return False
    if "authorize" in parts or "authorise" in parts or "authenticate" in parts:
        return True
    return (parts[0] in _CHECK_VERBS or parts[0] in ("login", "auth")) and \
        any(p in _AUTH_NOUNS - {"csrf", "xsrf", "signature", "sig", "hmac", "mac", "captcha"} for p in parts)


def security_exception(text: str) -> bool:
    """True when `text` names an exception or response that refuses access (`PermissionDenied`, `HTTPForbidden`)."""
    return bool(_SECURITY_EXCEPTION.search(text))


def _abort_status(file: PyFile, call: Call) -> int | None:
    """The status of `abort(403)` / `flask.abort(401)` / `HttpResponseForbidden()`-like calls."""
    if call.method in ("abort", "abort_with", "HTTPError") and call.args:
        value = file.constant_value(call.args[0])
        return value if isinstance(value, int) else None
    return None


def security_checks_in(file: PyFile, node: ts.Node, auth_only: bool = False) -> list[ts.Node]:
    """Calls, raises and aborts under `node` (own frame) that check or enforce security."""
    found = []
    name_test = auth_check_name if auth_only else _security_check_name
    for child in descendants(node, frozenset({"call", "raise_statement", "attribute", "identifier"})):
        if child.type == "call":
            call = file.call_at(child)
            if call.method and name_test(call.method):
                found.append(child)
            elif _abort_status(file, call) in (401, 403):
                found.append(child)
            elif call.method and security_exception(call.method):  # HttpResponseForbidden(...)
                found.append(child)
        elif child.type == "raise_statement":
            if child.named_children and security_exception(file.text_of(child.named_children[0]).split("(")[0]):
                found.append(child)
        elif child.type in ("attribute", "identifier") and child.parent is not None \
                and child.parent.type not in ("attribute", "call"):
            name = leaf_name(file, child) or ""
            if name in ("is_authenticated", "is_anonymous", "is_staff", "is_superuser", "is_admin") or \
                    (not auth_only and name in ("is_authenticated",)):
                found.append(child)
    return found
