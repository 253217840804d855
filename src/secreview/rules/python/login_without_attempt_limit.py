"""A login (or one-time-code check) that checks the request's password as often as anyone asks.

## What it does
Finds functions that check a password or a one-time code taken from the
request (`otp`, `totp`, `sms_code`, `verification_pin`): an equality test
with the stored value, a SQL query with `WHERE password = ?`, a
password verifier (`check_password_hash`, `bcrypt.checkpw`,
`user.check_password`, passlib/argon2 `verify`) or a helper named for the
check (`valid_login(username, password)`, `authenticate(...)`) or a function of
another reviewed module that compares it (`get_user(username, password)`
running `WHERE username = ? AND password = ?`), when the
application shows no limit on attempts: the file (and the project modules it
imports) uses no rate limiter, lockout package or server-side captcha
(`flask_limiter`, `slowapi`, `django_ratelimit`, `axes`, ...; the list is data
in `knowledge/attempt_limits.py`), the handler has no limiter decorator, and no
name there speaks of failed attempts, lockout or throttling.

A check through Django's `authenticate()` is shown by default only when the
settings module beside the view (`pkg/settings.py` for `pkg/views.py`) is
reviewed and configures no lockout: Django applications add it through
authentication backends and settings (django-axes) that the view does not show.

## Why is this bad?
Without a limit an attacker tries password after password, or a whole list of
leaked passwords against every account, at the speed of the server (CWE-307).
Short one-time codes fall the same way.

## Example
```python
from flask import Flask, request, session

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    user = find_user(request.form["username"])
    if user and check_password_hash(user.password_hash, request.form["password"]):
        session["user"] = user.id
        return "ok"
    return "denied", 401
```

## Use instead
```python
from flask import Flask, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

@app.route("/login", methods=["POST"])
@limiter.limit("5 per minute")
def login():
    user = find_user(request.form["username"])
    if user and check_password_hash(user.password_hash, request.form["password"]):
        session["user"] = user.id
        return "ok"
    return "denied", 401
```

## References
- https://cwe.mitre.org/data/definitions/307.html
- https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge import attempt_limits as limits
from secreview.knowledge.password_hashing import VERIFIER_CALLEES, VERIFIER_METHODS
from secreview.knowledge.vocabulary import words
from secreview.lang.python.file import PyFile
from secreview.lang.python.passwords import (created_tables, document_password_filters, function_checks_parameter,
                                             literal_account_beside, names_a_password,
                                             one_time_code_comparisons, password_comparisons, password_slots,
                                             read_from_request, sql_parameter)
from secreview.lang.python.requests import may_hold_remote_input, provenance_kind, request_rooted
from secreview.lang.python.scopes import function_of
from secreview.lang.python.web import is_route_handler
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule
from secreview.taint.project import module_names

_EXECUTE = ("execute", "executemany")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMENT = re.compile(r"#[^\n]*")
_CHECK_WORD_TEXT = re.compile(r"login|auth|verify|check|valid|credential|signin", re.IGNORECASE)
# every word of the limit vocabulary contains one of these
_LIMIT_TEXT = re.compile(r"limit|throttl|lock|attempt|failure|failed|captcha|backoff|tries", re.IGNORECASE)
_CHECK_WORDS = frozenset({"login", "authenticate", "auth", "verify", "check", "valid", "validate", "credentials",
                          "signin"})
_PLUGGABLE_CHECKS = ("django.contrib.auth.authenticate",)  # lockout may live in backends configured elsewhere


class LoginWithoutAttemptLimit(Rule):
    id = "login-without-attempt-limit"
    cwe = 307
    hit_evidence = frozenset({Evidence.DATAFLOW})
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{function}` checks the request's password or code with no limit on attempts"
    description = (
        "`{function}` checks `{password}` from the request ({how}), and nothing in the application limits "
        "how often: no rate limiter, no lockout after failed attempts, no captcha. An attacker can try "
        "passwords (or a list of leaked ones against every account) as fast as the server answers."
    )
    solution = (
        "Limit attempts per account and per client: a rate limiter on the login route (flask-limiter "
        "`@limiter.limit(\"5/minute\")`, slowapi, django-ratelimit), a lockout or growing delay after a few "
        "failures (django-axes, a failed-attempt counter on the account), or a captcha verified on the server."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if not _mentions_passwords(file) or not may_hold_remote_input(file):
            return
        checks = list(_password_checks(file))
        if not checks or _limits_attempts(file):
            return
        reported: set[int] = set()
        for check, password, how, pluggable in checks:
            function = function_of(file, check)
            if function is None:
                continue
            function, check = _calling_handler(file, function) or (function, check)
            if function.id in reported or _decorated_with_limit(file, function):
                continue
            reported.add(function.id)
            from_request = provenance_kind(file, password) == "source"
            name = file.text_of(function.child_by_field_name("name"))
            yield Hit(function.child_by_field_name("name"), {"function": name, "password": file.text_of(password),
                                                             "how": how},
                      end_node=check,
                      evidence=Evidence.DATAFLOW if from_request and not pluggable else None)


def _calling_handler(file: PyFile, helper: ts.Node) -> tuple[ts.Node, ts.Node] | None:
    """(route handler, call) when `helper`, not a route handler itself, is called by one in this file: the
    handler is where a limit belongs (`login()` calling `validate_login(request)`)."""
    if is_route_handler(file, helper):
        return None
    name = file.text_of(helper.child_by_field_name("name"))
    for call in file.calls:
        if call.name == name or call.method == name and call.receiver is not None \
                and file.text_of(call.receiver) in ("self", "cls"):
            caller = function_of(file, call.node)
            if caller is not None and is_route_handler(file, caller):
                return caller, call.node
    return None


def _mentions_passwords(file: PyFile) -> bool:
    """A cheap test before the analysis: the file speaks of passwords or one-time codes."""
    lowered = file.text.lower()
    return any(word in lowered for word in ("pass", "pwd", "otp", "code", "pin"))


def _password_checks(file: PyFile) -> Iterator[tuple[ts.Node, ts.Node, str, bool]]:
    """(node of the check, the typed password, how it is checked, whether the check is pluggable)."""
    for comparison in password_comparisons(file, literals=True):
        if file.is_constant(comparison.stored) and literal_account_beside(file, comparison.node) is None:
            continue  # a password alone against a literal may be a policy check, not a login
        if request_rooted(file, comparison.typed) and not read_from_request(file, comparison.stored):
            yield comparison.node, comparison.typed, f"compared with `{file.text_of(comparison.stored)}`", False
    for comparison in one_time_code_comparisons(file):
        if request_rooted(file, comparison.typed) and not read_from_request(file, comparison.stored):
            yield comparison.node, comparison.typed, f"compared with `{file.text_of(comparison.stored)}`", False
    for call_node, key, value in document_password_filters(file):
        if request_rooted(file, value):
            yield call_node, value, f"matched in a query on field `{key}`", False
    for call in file.method_calls(*_EXECUTE):
        sql = file.constant_value(call.arg(0))
        params = call.arg(1)
        if not isinstance(sql, str) or params is None:
            continue
        for slot in password_slots(sql, created_tables(file)):
            value = sql_parameter(file, params, slot)
            if not slot.stored and value is not None and request_rooted(file, value):
                yield call.node, value, f"looked up in SQL by column `{slot.column}`", False
    for call in file.calls:
        last = (call.method or call.name or "").rsplit(".", 1)[-1]
        helper = _checking_helper(file, call)
        if helper is not None:
            yield call.node, helper, f"passed to `{last}`, which compares it with the stored password", False
            continue
        verifier = call.name in VERIFIER_CALLEES or call.method in VERIFIER_METHODS or \
            call.name in _PLUGGABLE_CHECKS or \
            _CHECK_WORD_TEXT.search(last) is not None and any(word in _CHECK_WORDS for word in words(last))
        if not verifier:
            continue
        receiver = (call.receiver,) if call.receiver is not None else ()
        for argument in (*receiver, *call.args, *call.kwargs.values()):
            if names_a_password(file, argument) and request_rooted(file, argument):
                pluggable = call.name in _PLUGGABLE_CHECKS and not _settings_show_no_limit(file)
                yield call.node, argument, f"passed to `{last}`", pluggable
                break


def _checking_helper(file: PyFile, call) -> ts.Node | None:
    """The request's password passed to a function of another reviewed module that compares it with the stored
    one (`get_user(username, password)` running `WHERE username = ? AND password = ?`)."""
    if not call.name or "." not in call.name:
        return None
    for index, argument in enumerate(call.args):
        if not (names_a_password(file, argument) and request_rooted(file, argument)):
            continue
        module, function = call.name.rsplit(".", 1)
        sources = file.context.module_sources(module)
        if len(sources) == 1 and f"def {function}" in sources[0].text and \
                function_checks_parameter(sources[0].path, sources[0].text, function, index):
            return argument
    return None


def _limits_attempts(file: PyFile) -> bool:
    """The file, or a project module it imports, shows a rate limiter, lockout or captcha."""
    def compute() -> bool:
        if _text_shows_limit(file.text):
            return True
        if any(file.imports_module(module) for module in limits.LIMITER_MODULES):
            return True
        return any(_text_shows_limit(source.text) for source in _imported_project_modules(file))
    return file.memo("attempt-limits", compute)


def _settings_show_no_limit(file: PyFile) -> bool:
    """The Django settings module beside the file (`pkg/settings.py` for `pkg/views.py`) is reviewed and
    configures no lockout or rate limit (django-axes, django-defender, a throttling backend)."""
    for name in module_names(file.path):
        package = name.rpartition(".")[0]
        for candidate in (f"{package}.settings", f"{package.rpartition('.')[0]}.settings"):
            sources = file.context.module_sources(candidate) if candidate != ".settings" else ()
            if len(sources) == 1:
                return not _text_shows_limit(sources[0].text)
    return False


def _imported_project_modules(file: PyFile) -> Iterator:
    seen: set[str] = set()
    for qualified in file.imports.values():
        for module in (qualified, qualified.rpartition(".")[0]):
            if module and module not in seen:
                seen.add(module)
                sources = file.context.module_sources(module)
                if len(sources) == 1:
                    yield sources[0]


def _text_shows_limit(text: str) -> bool:
    if any(f"import {module}" in text or f"from {module}" in text for module in limits.LIMITER_MODULES):
        return True
    if _LIMIT_TEXT.search(text) is None:  # a cheap test before splitting every name into words
        return False
    for name in set(_identifiers(text)):
        parts = words(name)
        if any(part in limits.LIMIT_WORDS for part in parts):
            return True
        if any(first in parts and second in parts for first, second in limits.LIMIT_NAME_PAIRS):
            return True
    return False


def _identifiers(text: str) -> list[str]:
    """Identifier-like words of the code, comments left out (a comment promising a limit is none)."""
    return _IDENTIFIER.findall(_COMMENT.sub("", text))


def _decorated_with_limit(file: PyFile, function: ts.Node) -> bool:
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return False
    return any(word in limits.LIMIT_WORDS or word == "limit" for decorator in parent.named_children
               if decorator.type == "decorator" for word in words(file.text_of(decorator)))
