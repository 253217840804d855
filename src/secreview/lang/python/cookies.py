"""Cookies set without a security attribute (`Secure`, `HttpOnly`), by call or by framework setting."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import tree_sitter as ts

from secreview.knowledge.sessions import (API_KEY_WORDS, AUTH_COOKIE_WORDS, CREDENTIAL_VALUE_WORDS,
                                          LOGIN_HANDLER_MARKS)
from secreview.knowledge.vocabulary import INNOCENT_COOKIE_WORDS, SECRET_COOKIE_WORDS, words
from secreview.lang.python.file import NOT_CONSTANT, Call, PyFile
from secreview.lang.python.names import enclosing_definition_names, identifier_names
from secreview.lang.python.origins import binding_values
from secreview.lang.python.settings import is_dev_config_path, setting_assignments
from secreview.lang.python.strings import constant_string
from secreview.model import Confidence
from secreview.lang import shorten

_COOKIE_SETTERS = ("set_cookie", "set_signed_cookie", "set_secure_cookie")
# Flask/Werkzeug, Django and Starlette: set_cookie(key, value, max_age, expires, path, domain, secure, httponly)
_COOKIE_POSITIONS = {"secure": 6, "httponly": 7}


@dataclass(frozen=True)
class CookieProblem:
    node: ts.Node
    cookie: str        # "Cookie 'sid'", "Session cookie"
    problem: str       # "is not set" / "is set to False"
    confidence: Confidence | None
    turned_off: bool = False  # the code switches the flag off explicitly (`secure=False`), not just omits it
    authenticates: bool = False  # the cookie carries a login: a session id, a token, a user's credential
    set_elsewhere: bool = False  # the file sets the flag on another cookie: its own convention, missed here


def cookie_flag_problems(file: PyFile, flag: str, settings: Iterable[str]) -> Iterator[CookieProblem]:
    """`set_cookie(...)` calls without `flag=True`, and settings that turn `flag` off.

    Quiet when the flag is non-constant (`secure=request.is_secure`), when
    `**kwargs` may carry it, and when the value is the empty string (the
    cookie is being cleared).  Cookies named for a display preference
    (`theme`, `lang`, `cookie_consent`) get low confidence.  For HttpOnly,
    whose point is to keep secrets from scripts, every constant cookie name
    that does not look like a session/auth/token cookie gets low confidence,
    and CSRF cookies too (the double-submit pattern reads them from
    JavaScript).
    """
    calls = cookie_setting_calls(file)
    set_elsewhere = any(file.constant_value(call.kwargs.get(flag)) is True for call in calls)
    for call in calls:
        problem = _set_cookie_problem(file, call, flag)
        if problem is not None:
            yield replace(problem, set_elsewhere=set_elsewhere)
    dev_file = is_dev_config_path(file.path)
    for setting in setting_assignments(file, settings):
        if file.constant_value(setting.value) is False:
            label = {"SESSION": "Session", "CSRF": "CSRF", "REMEMBER": "Remember-me"}.get(
                setting.name.split("_")[0], setting.name.split("_")[0].title())
            yield CookieProblem(setting.node, f"{label} cookie", f"is turned off (`{setting.name} = False`)",
                                Confidence.LOW if dev_file else None, turned_off=not dev_file)


def cookie_name_and_value(file: PyFile, call: Call) -> tuple[str | None, ts.Node | None]:
    """The constant name (None when computed) and the value node of a `set_cookie(...)` call."""
    return constant_string(file, call.arg(0, "key") or call.kwargs.get("name")), call.arg(1, "value")


def cookie_setting_calls(file: PyFile) -> list[Call]:
    """`set_cookie(...)` / `set_signed_cookie(...)` / `set_secure_cookie(...)` calls on any receiver."""
    return file.method_calls(*_COOKIE_SETTERS)


def _set_cookie_problem(file: PyFile, call: Call, flag: str) -> CookieProblem | None:
    if call.has_star_args or (len(call.args) < 2 and "value" not in call.kwargs):
        return None  # CookieJar.set_cookie(cookie_object), or set_cookie("name") with no value
    value = call.arg(1, "value")
    if value is not None and constant_string(file, value) == "":
        return None
    node = call.kwargs.get(flag)
    if node is None and call.method == "set_cookie" and len(call.args) > _COOKIE_POSITIONS[flag]:
        node = call.args[_COOKIE_POSITIONS[flag]]
    if node is None:
        problem = "is not set"
    else:
        constant = file.constant_value(node)
        if constant is NOT_CONSTANT or constant:
            return None
        problem = f"is set to {file.text_of(node)}"
    name_node = call.arg(0, "key") or call.kwargs.get("name")
    name = constant_string(file, name_node)
    name_words = set(words(name)) if name is not None else set()
    innocent = bool(name_words & INNOCENT_COOKIE_WORDS)
    if flag == "httponly" and name is not None:
        # Reading a cookie from JavaScript only hurts when it is a secret; CSRF cookies are read on purpose.
        innocent = innocent or not (name_words & SECRET_COOKIE_WORDS) or bool(name_words & {"csrf", "xsrf"})
    shown = repr(name) if name is not None else (shorten(file.text_of(name_node), 40) if name_node else "?")
    authenticates = not name_words & INNOCENT_COOKIE_WORDS and names_authentication(name_words) and (
        _in_login_handler(file, call.node) or _carries_credential(file, value))
    innocent = innocent and not authenticates
    return CookieProblem(call.node, f"Cookie {shown}", problem, Confidence.LOW if innocent else None,
                         turned_off=node is not None and not innocent, authenticates=authenticates)


def names_authentication(name_words: set[str]) -> bool:
    """Cookie-name words of a login cookie: `sessionid`, `auth_token`, `rememberme`, `X-Api-Key`.

    Never a CSRF cookie (scripts read it on purpose)."""
    if name_words & {"csrf", "xsrf"}:
        return False
    return bool(name_words & AUTH_COOKIE_WORDS) or all(word in name_words for word in API_KEY_WORDS)


def _in_login_handler(file: PyFile, node: ts.Node) -> bool:
    """The cookie is set by a function named for logging in (`login`, `sign_in`, `createLoggedInResponse`)."""
    names = enclosing_definition_names(file, node)
    joined = "".join(words(names[0])) if names else ""
    return any(mark in joined for mark in LOGIN_HANDLER_MARKS)


def _carries_credential(file: PyFile, value: ts.Node | None) -> bool:
    """The value names a user, password, session id or token, directly or through one local binding."""
    names = identifier_names(file, value)
    if value is not None and value.type == "identifier":
        for bound in binding_values(file, value) or []:
            names += identifier_names(file, bound)
    return any(set(words(name)) & CREDENTIAL_VALUE_WORDS for name in names)
