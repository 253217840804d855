"""A state change a forged cross-site request can make: no CSRF protection in a cookie-session app, or a
change on GET.

## What it does
Reads the app's CSRF protection from the module that builds the Flask
application (`app = Flask(__name__)`): Flask-WTF's `CSRFProtect`, a
`FlaskForm`, SeaSurf, or a project's own token check (any mention of a CSRF
or XSRF token). In an app with none of these, it flags every handler that

- answers POST, PUT, PATCH or DELETE and reads a form (a handler that
  reads only a JSON body cannot be posted by a cross-site form, and a
  script on another site needs a CORS preflight),
- acts for the user of the cookie session (it reads Flask's or Starlette's
  session, flask_login's `current_user`, or carries `@login_required`) and reads no
  bearer credential (`Authorization`, JWT), and
- changes server state (database rows and models, files, the session, a
  project helper named for a change such as `update_color(...)`).

In any app (Flask, Django, FastAPI), it also flags a change that a GET
request reaches (no method or form test keeps GET away from it, no secret
in the URL): a deletion (`os.remove`, SQL `DELETE`), a write of request
parameters (`db.execute(sql, (request.args["x"],))`, a helper named for a
record change handed them: `update_color(request.args["color"])`), or a
helper named for a deletion (`clear_pages()`, audit). Session entries (a
theme, a language) are not reported, nor preference setters; deleting a
record the view fetched is left to `csrf-protection-disabled`.

Evidence: the absence of any CSRF protection is read from the application
module itself, the cookie session from the handler, and the change from its
calls: a logged-in browser forwards the cookie on a cross-site POST, so each
such handler can be forged (SameSite=Lax, the browsers' default, does not
cover old browsers and same-site subdomains). A change on GET is forgeable
by any link or image whatever the protection; a deletion made through a
project helper whose body is elsewhere, with no request data, is an audit
finding.

## Why is this bad?
Browsers attach a site's cookies to every request to it, including a form
another site posts, an image it embeds or a link the victim follows. Without
a token the attacker cannot know, any page the victim visits while logged in
can change their settings, post as them or delete their data (CWE-352).

## Example
```python
from flask import Flask, request, session

app = Flask(__name__)

@app.route("/email", methods=["POST"])
def change_email():
    if "user_id" not in session:
        return "login first", 401
    save_email(session["user_id"], request.form["email"])
    return "ok"
```

## Use instead
```python
from flask import Flask, request, session
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
CSRFProtect(app)

@app.route("/email", methods=["POST"])
def change_email():
    if "user_id" not in session:
        return "login first", 401
    save_email(session["user_id"], request.form["email"])
    return "ok"
```

## References
- https://cwe.mitre.org/data/definitions/352.html
- https://flask-wtf.readthedocs.io/en/stable/csrf/
- https://owasp.org/www-community/attacks/csrf
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.access_control import STATE_CHANGING_METHODS
from secreview.knowledge.vocabulary import words
from secreview.lang.python.access import (ORM_WRITES, Handler, allows, authenticates_users, cookie_authenticated,
                                          builds_app, csrf_protection, handlers, session_change,
                                          named_for_a_change, state_changes)
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import block_leaves, conditions_enclosing
from secreview.lang.python.scopes import descendants
from secreview.lang.python.requests import request_rooted
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

# Handlers a visitor uses before having a session: forging them gains nothing from the victim's cookie.
_PUBLIC_WORDS = frozenset({"login", "signin", "logout", "signout", "register", "signup", "reset", "forgot",
                           "recover", "callback", "webhook"})
_DESTRUCTIVE_WORDS = frozenset({"delete", "remove", "clear", "drop", "destroy", "reset", "truncate", "purge",
                                "wipe", "rmtree", "unlink"})
_FORM_TESTS = re.compile(r"request\.(POST|form|body|data|json|get_json)\b|is_valid\(|validate_on_submit")
_NON_GET = re.compile(r"POST|PUT|PATCH|DELETE")
# A helper with one of these verbs that is handed request data writes a record (`update_color(request.args[...])`);
# `set_language(...)` and the like store a preference.
_RECORD_VERBS = frozenset({"update", "insert", "delete", "create", "new", "add", "remove", "save", "write", "change",
                           "edit", "drop", "destroy", "transfer", "approve", "grant", "revoke", "upload", "assign"})
_JSON_BODY = re.compile(r"request\.(json|get_json)\b")
_FORM_BODY = re.compile(r"request\.(form|values|args|data|files|POST|body|get_data|stream)\b|force=True")
_SECRET_IN_URL = re.compile(r"token|secret|signature|signed|hash|uuid|nonce|code|key", re.I)


class CsrfUnprotectedStateChange(Rule):
    id = "csrf-unprotected-state-change"
    cwe = 352
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "State change open to cross-site request forgery: {what}"
    description = (
        "{detail} Browsers attach a site's cookies to every request to it, including a form another site "
        "posts, an image it embeds or a link the victim follows: any page the victim visits while logged in "
        "can make their browser perform this change with their session."
    )
    solution = "{fix}"

    def check(self, file: PyFile) -> Iterator[Hit]:
        if not handlers(file):
            return
        if builds_app(file) and csrf_protection(file) is None and authenticates_users(file):
            yield from self._unprotected_posts(file)
        yield from self._changes_on_get(file)

    def _unprotected_posts(self, file: PyFile) -> Iterator[Hit]:
        for handler in handlers(file):
            if not allows(handler, STATE_CHANGING_METHODS) or _public(handler) \
                    or not cookie_authenticated(file, handler.function) or _json_only(file, handler):
                continue
            changes = [c for c in state_changes(file, handler.function) if not session_change(file, c)]
            if not changes:
                continue
            change = shorten(file.text_of(changes[0]), 60)
            yield Hit(changes[0], {
                "what": f"`{handler.name}` changes state (`{change}`) for the session's user, and the app has no "
                        "CSRF protection",
                "detail": f"The application built in this module switches on no CSRF protection (no "
                          f"`CSRFProtect`, `FlaskForm`, CSRF middleware or token check), and `{handler.name}` "
                          f"accepts a {'/'.join(sorted(handler.methods or STATE_CHANGING_METHODS))} request that "
                          f"acts for the user of the session cookie and changes state (`{change}`).",
                "fix": "Switch on CSRF protection for the whole app (`CSRFProtect(app)` from Flask-WTF) and send "
                       "the token with every form (`{{ csrf_token() }}`) and script request (`X-CSRFToken`); "
                       "also set `SESSION_COOKIE_SAMESITE=\"Lax\"`."},
                evidence=Evidence.DEFINITE)

    def _changes_on_get(self, file: PyFile) -> Iterator[Hit]:
        for handler in handlers(file):
            function = handler.function
            if not allows(handler, frozenset({"GET"})) or _public(handler) \
                    or _SECRET_IN_URL.search(file.text_of(function.child_by_field_name("parameters"))):
                continue
            for change in state_changes(file, function):
                kind = _get_change_kind(file, change)
                if kind is None or not _reachable_on_get(file, function, change):
                    continue
                text = shorten(file.text_of(change), 60)
                direct = kind == "direct"
                yield Hit(change, {
                    "what": f"`{handler.name}` changes state on a GET request (`{text}`)",
                    "detail": f"`{handler.name}` answers GET and changes state (`{text}`). CSRF protection "
                              "(tokens, SameSite=Lax cookies) never covers GET: a link or an `<img src>` on any "
                              "page makes the victim's browser do it with their session, and link prefetchers "
                              "and crawlers do it too.",
                    "fix": "Accept only POST (or PUT/DELETE) for the change, from a form that carries the CSRF "
                           "token; show a confirmation page on GET."},
                    evidence=Evidence.DEFINITE if direct else None,
                    confidence=None if direct else Confidence.MEDIUM)
                break


def _get_change_kind(file: PyFile, change: ts.Node) -> str | None:
    """"direct" for a deletion or a write of request data the handler makes itself, "helper" for one made
    through a project helper named for it, None for other changes (a view counter, a record it fetched and
    deletes, which `csrf-protection-disabled` reports)."""
    if change.type != "call" or session_change(file, change):
        return None  # a session entry set or cleared on GET (a preference, a logout) forges nothing of value
    call = file.call_at(change)
    name = call.method or (call.name or "").rsplit(".", 1)[-1]
    if call.method == "delete" and call.receiver is not None:
        return None
    parts = words(name)
    destructive = bool(set(parts) & _DESTRUCTIVE_WORDS) or call.name in ("os.remove", "os.unlink", "shutil.rmtree")
    sql = call.method == "execute" and bool(re.search(r"^\s*(delete|drop|truncate)", str(
        file.constant_value(call.args[0]) if call.args else ""), re.I))
    stores_request_data = any(request_rooted(file, argument) for argument in call.args)
    if not (destructive or sql or stores_request_data):
        return None
    named_only = named_for_a_change(name) and call.method not in ORM_WRITES and call.method != "execute" \
        and call.name not in ("os.remove", "os.unlink", "shutil.rmtree")
    if named_only and not (stores_request_data and parts[0] in _RECORD_VERBS):
        # `clear_pages()`: what it deletes is in the helper's body; `set_language(lang)`: a preference
        return "helper" if destructive else None
    return "direct"


def _reachable_on_get(file: PyFile, function: ts.Node, change: ts.Node) -> bool:
    """No test of the method or of posted form data keeps a GET request away from `change`: neither a
    condition around it nor an early exit before it."""
    for condition, holds in conditions_enclosing(file, change, function):
        text = file.text_of(condition)
        if _FORM_TESTS.search(text) and holds:
            return False
        if "method" in text and (holds == bool(_NON_GET.search(text)) or not holds and "GET" in text):
            return False
    for statement in descendants(function, frozenset({"if_statement"})):
        condition = statement.child_by_field_name("condition")
        if statement.end_byte <= change.start_byte and condition is not None and "method" in file.text_of(condition) \
                and block_leaves(file, statement.child_by_field_name("consequence")):
            return False
    return True


def _public(handler: Handler) -> bool:
    return bool(set(words(handler.name)) & _PUBLIC_WORDS)


def _json_only(file: PyFile, handler: Handler) -> bool:
    """The handler reads a JSON body and no form: a cross-site form cannot send `application/json`, and a
    script on another site needs the CORS preflight the server refuses."""
    text = file.text_of(handler.function)
    return bool(_JSON_BODY.search(text)) and not _FORM_BODY.search(text)
