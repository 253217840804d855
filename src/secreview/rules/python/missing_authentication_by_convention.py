"""A handler that changes state without the authentication its peers in the same module have.

## What it does
Builds, for each module of handlers (a Flask app or blueprint, Django
`views.py`, a FastAPI router), the app's own convention: how many of its
handlers are protected, and by what (`@login_required`, `@admin_required` and
other project decorators that demand a login, a role or a token, DRF
`permission_classes`, a FastAPI `Depends(get_current_user)`, a check of the
session or user at the top that returns, redirects or aborts, a
`before_request` hook). Sign-in, sign-up, password-recovery and similar
handlers are public by nature and do not count. When most of the others are
protected, it flags a handler that has no protection at all and changes
state (database rows, files, the session, a helper named for a change) or
is administrative (`admin` in its name).

The finding states the convention it is judged against ("5 of 6 handlers
here are protected, mostly by `@login_required`"). With at least three
protected handlers and two thirds of them protected, the finding is shown
by default; with a weaker majority it is an audit finding. An app with no
authentication at all has no convention and gets no finding; DRF views
without `permission_classes` take the project's default, which this
module cannot see, and are left out.

Evidence: the convention is the app's own, counted in the module: its
authors protect handlers like this one, so an unprotected one that changes
state is an omission, not a design.

## Why is this bad?
An attacker does not use the application's pages: they request every URL
directly. One handler that forgot the decorator every other one carries
lets anyone, logged in or not, run its action: delete records, change
settings, reset the database (CWE-862, CWE-306).

## Example
```python
from flask import Flask, redirect
from flask_login import login_required

from .store import db, Note

app = Flask(__name__)

@app.route("/notes/new", methods=["POST"])
@login_required
def new_note():
    db.session.add(Note())
    db.session.commit()
    return redirect("/")

@app.route("/notes/archive", methods=["POST"])
@login_required
def archive_notes():
    Note.query.update({"archived": True})
    db.session.commit()
    return redirect("/")

@app.route("/notes/tag", methods=["POST"])
@login_required
def tag_notes():
    Note.query.update({"tagged": True})
    db.session.commit()
    return redirect("/")

@app.route("/notes/purge", methods=["POST"])
def purge_notes():
    Note.query.delete()
    db.session.commit()
    return redirect("/")
```

## Use instead
```python
from flask import Flask, redirect
from flask_login import login_required

from .store import db, Note

app = Flask(__name__)

@app.route("/notes/new", methods=["POST"])
@login_required
def new_note():
    db.session.add(Note())
    db.session.commit()
    return redirect("/")

@app.route("/notes/archive", methods=["POST"])
@login_required
def archive_notes():
    Note.query.update({"archived": True})
    db.session.commit()
    return redirect("/")

@app.route("/notes/tag", methods=["POST"])
@login_required
def tag_notes():
    Note.query.update({"tagged": True})
    db.session.commit()
    return redirect("/")

@app.route("/notes/purge", methods=["POST"])
@login_required
def purge_notes():
    Note.query.delete()
    db.session.commit()
    return redirect("/")
```

## References
- https://cwe.mitre.org/data/definitions/862.html
- https://cwe.mitre.org/data/definitions/306.html
- https://owasp.org/Top10/A01_2021-Broken_Access_Control/
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from secreview.knowledge.access_control import DRF_VIEW_BASES
from secreview.knowledge.vocabulary import words
from secreview.lang.python.access import Handler, handlers, protection, session_change, state_changes
from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import class_bases, decorators_of, enclosing_class
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

# Handlers a visitor must reach before having an account or a session.
_PUBLIC_WORDS = frozenset({"login", "signin", "logout", "signout", "register", "signup", "reset", "forgot",
                           "recover", "recovery", "activate", "confirm", "verify", "callback", "webhook", "health",
                           "status", "index", "home", "static", "favicon", "robots", "token", "auth", "oauth",
                           "unsubscribe", "public", "contact", "feedback", "subscribe", "newsletter", "search",
                           "about", "help", "ping", "metrics", "error"})
_MIN_PROTECTED = 2
_DEFAULT_MIN_PROTECTED = 3
_DEFAULT_SHARE = 2 / 3


class MissingAuthenticationByConvention(Rule):
    id = "missing-authentication-by-convention"
    cwe = 862
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "`{handler}` {does} without the protection {protected} of {total} handlers here have"
    description = (
        "{protected} of the {total} handlers in this module that are not sign-in or sign-up pages are "
        "protected, mostly by {how}; `{handler}` has no authentication or authorization check at all, yet it "
        "{does_long}. Anyone who requests its URL directly, logged in or not, runs it."
    )
    solution = (
        "Protect `{handler}` like its peers ({how}), or, if it really must be public, say why in a comment "
        "and make sure it cannot change other users' data."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        peers = [h for h in handlers(file) if not set(words(h.name)) & _PUBLIC_WORDS and not _default_policy(file, h)]
        if len(peers) < _MIN_PROTECTED + 1:
            return
        protections = {h.function.id: protection(file, h) for h in peers}
        protected = [p.how for p in protections.values() if p is not None]
        if len(protected) < _MIN_PROTECTED or len(protected) * 2 <= len(peers):
            return
        strong = len(protected) >= _DEFAULT_MIN_PROTECTED and len(protected) >= _DEFAULT_SHARE * len(peers)
        how = Counter(protected).most_common(1)[0][0]
        for handler in peers:
            if protections[handler.function.id] is not None:
                continue
            does = _what_it_does(file, handler)
            if does is None:
                continue
            yield Hit(handler.function.child_by_field_name("name") or handler.function, {
                "handler": handler.name, "protected": str(len(protected)), "total": str(len(peers)), "how": how,
                "does": does[0], "does_long": does[1]},
                evidence=Evidence.DEFINITE if strong else None, confidence=Confidence.HIGH if strong else None)


def _what_it_does(file: PyFile, handler: Handler) -> tuple[str, str] | None:
    changes = [c for c in state_changes(file, handler.function) if not session_change(file, c)]
    if changes:  # (a session entry is the visitor's own: a theme, a language, a cart)
        change = shorten(file.text_of(changes[0]), 50)
        return "changes state", f"changes state (`{change}`)"
    if "admin" in words(handler.name):
        return "is administrative", "is an administrative handler"
    return None


def _default_policy(file: PyFile, handler: Handler) -> bool:
    """A DRF view with no permission classes of its own: the project's default decides (in settings)."""
    cls = enclosing_class(file, handler.function)
    if cls is not None:
        if not any(base.rsplit(".", 1)[-1] in DRF_VIEW_BASES for base in class_bases(file, cls)):
            return False
        return "permission_classes" not in file.text_of(cls)
    decorators = decorators_of(file, handler.function)
    return any(d.startswith("api_view") for d in decorators) and \
        not any(d.startswith("permission_classes") for d in decorators)
