"""The access-control model of lang/python/access.py on small apps: which functions are handlers and for which
methods, what protects them, who the current user is, and which request data the client writes."""

from __future__ import annotations

from secreview.lang.python import access
from secreview.lang.python.file import PyFile

_FLASK_APP = '''
from flask import Flask, request, session
from flask_login import current_user, login_required

app = Flask(__name__)

@app.route("/notes", methods=["POST"])
@login_required
def add_note():
    db.session.add(Note(owner=current_user.id))
    db.session.commit()

@app.route("/notes/<int:note_id>")
def show(note_id):
    if "user_id" not in session:
        return "login", 401
    return Note.query.get(note_id).text

@app.get("/about")
def about():
    return "v1"
'''


def _handlers(file: PyFile) -> dict[str, access.Handler]:
    return {handler.name: handler for handler in access.handlers(file)}


def test_flask_handlers_their_methods_and_protection() -> None:
    file = PyFile("app.py", _FLASK_APP)
    found = _handlers(file)
    assert set(found) == {"add_note", "show", "about"}
    assert found["add_note"].methods == frozenset({"POST"})
    assert found["show"].methods == frozenset({"GET"})
    assert access.protection(file, found["add_note"]).how == "`@login_required`"
    assert access.protection(file, found["show"]) is not None  # the session check that returns
    assert access.protection(file, found["about"]) is None
    assert access.state_changes(file, found["add_note"].function)
    assert not access.state_changes(file, found["show"].function)
    assert access.builds_app(file) and access.csrf_protection(file) is None
    assert access.authenticates_users(file)


def test_csrf_protection_is_read_from_imports_and_code_not_comments() -> None:
    assert access.csrf_protection(PyFile("a.py", "from flask_wtf.csrf import CSRFProtect\n")) is not None
    assert access.csrf_protection(PyFile("a.py", "x = 1  # TODO csrf\n")) is None
    assert access.csrf_protection(PyFile("a.py", "@app.before_request\ndef csrf_protect():\n    pass\n"))


def test_django_views_class_views_and_their_protection() -> None:
    file = PyFile("views.py", '''
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import View
from django.views.decorators.http import require_POST

@require_POST
def delete(request, pk):
    Note.objects.get(pk=pk).delete()

def helper(request):
    return 1

def uses_helper(request):
    return helper(request)

class Edit(LoginRequiredMixin, View):
    def post(self, request, pk):
        pass
''')
    found = _handlers(file)
    assert set(found) == {"delete", "uses_helper", "Edit.post"}
    assert found["delete"].methods == frozenset({"POST"})
    assert found["uses_helper"].methods is None
    assert access.protection(file, found["Edit.post"]).how == "the mixin `LoginRequiredMixin`"


def test_project_decorators_demanding_a_login_or_role_protect() -> None:
    assert access.is_auth_decorator("admin_required")
    assert access.is_auth_decorator("requires_login")
    assert access.is_auth_decorator("token_required")
    assert not access.is_auth_decorator("cache_page")
    assert not access.is_auth_decorator("user_agent_logged")


def _value(code: str, expression: str):
    file = PyFile("x.py", code + f"\nvalue = {expression}\n")
    assignment = file.assignments()[-1]
    return file, assignment.child_by_field_name("right")


def test_client_controlled_values_exclude_credentials_and_server_state() -> None:
    prelude = "from flask import request, session"
    for expression, kind in [('request.cookies.get("role")', "cookie"), ('request.headers["X-Role"]', "header"),
                             ("request.host", "header"), ('request.args.get("action")', "parameter"),
                             ('request.META["HTTP_ISADMIN"]', "header")]:
        file, node = _value(prelude, expression)
        assert access.client_controlled(file, node).kind == kind, expression
    for expression in ('request.headers["Authorization"]', 'session["role"]', 'request.META["REMOTE_USER"]',
                       'request.get_signed_cookie("uid")'):
        file, node = _value(prelude, expression)
        assert access.client_controlled(file, node) is None, expression


def test_current_user_expressions() -> None:
    prelude = "from flask import session\nfrom flask_login import current_user"
    for expression in ("current_user.id", 'session["user_id"]', 'session.get("user_id")', "request.user"):
        file, node = _value(prelude, expression)
        assert access.names_current_user(file, node), expression
    file, node = _value(prelude, 'request.args["user_id"]')
    assert not access.names_current_user(file, node)
