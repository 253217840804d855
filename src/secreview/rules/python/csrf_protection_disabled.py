"""Cross-site request forgery protection switched off.

## What it does
Flags the places where a web application turns off the framework's CSRF
protection for requests that change state:
- Django `@csrf_exempt` (also `@method_decorator(csrf_exempt, ...)` on a
  class-based view or its `dispatch`) on a view that changes state (it calls
  `.save()`, `.delete()`, `.create()`, `.update()`, `set_password()`, writes
  `request.session`, logs a user in or out). It is a definite finding when
  the view authenticates by the session cookie (it uses `request.user` or
  `request.session`, or carries `@login_required` and the like); a
  state-changing exempt view with no sign of cookie authentication (a public
  form) is an audit finding, and one that reads an `Authorization` header,
  a token or a signature (an API, a webhook) is not reported. A view that changes nothing is not reported, and neither are
  Django REST framework views (DRF enforces CSRF itself for session
  authentication whatever the decorator says).
- A Django settings module whose `MIDDLEWARE` / `MIDDLEWARE_CLASSES` lists
  `SessionMiddleware` but not `django.middleware.csrf.CsrfViewMiddleware`
  (typically commented out), or that removes it with `MIDDLEWARE.remove(...)`;
  in the settings of a REST framework or token-authenticated API (DRF
  enforces CSRF itself for session authentication, and Django's admin and
  login views carry `csrf_protect`) it is an audit finding.
- Flask-WTF `WTF_CSRF_ENABLED = False` (`app.config["WTF_CSRF_ENABLED"] = False`,
  `config.update(WTF_CSRF_ENABLED=False)`).

Settings files and config classes named for development or tests
(`settings/test.py`, `TestingConfig`), and switches under a condition that
mentions testing or debugging, are not reported.

- A view that deletes on GET: a Django view (a module-level function taking
  `request`, not called in its own module) with no method restriction
  (`@require_POST`, `@require_http_methods`) and no method or form test in
  its body, or a Flask route bound to GET (the default), whose body calls
  `.delete()` on a record it fetched (`Model.objects.get`,
  `get_object_or_404`, `Model.query...`) or `db.session.delete(obj)`, and
  returns a response; not when the URL carries a secret (a parameter named
  `token`, `key`, `uuid`...: an e-mailed one-click unsubscribe link cannot
  be forged). Other state changes on GET are not looked at: a GET
  that saves (a view counter) is usually harmless, and whether a project
  helper such as `clearPages()` writes anything needs the callee's body.

## Why is this bad?
Browsers attach a site's cookies to every request to it, including a form
that another site posts or a script it runs. Without the CSRF token check, any
page the victim visits while logged in can make their browser change their
password or e-mail address, delete their data or transfer their money, with
the victim's own session (CWE-352).

## Example
```python
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt
@login_required
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save()
    return redirect("/profile")
```

## Use instead
```python
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

@require_POST
@login_required
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save()
    return redirect("/profile")
```

## References
- https://cwe.mitre.org/data/definitions/352.html
- https://docs.djangoproject.com/en/stable/ref/csrf/
- https://flask-wtf.readthedocs.io/en/stable/csrf/
- https://owasp.org/www-community/attacks/csrf
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.vocabulary import DEVELOPMENT_WORDS, words
from secreview.lang.python.access import (allows, handlers, state_changes)
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import conditions_enclosing, own_returns
from secreview.lang.python.scopes import class_bases, decorators_of, descendants, enclosing_class
from secreview.lang.python.settings import is_dev_config_path, setting_assignments
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_CSRF_EXEMPT = ("django.views.decorators.csrf.csrf_exempt",)
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_MIDDLEWARE_SETTINGS = ("MIDDLEWARE", "MIDDLEWARE_CLASSES")
_LOGIN_DECORATORS = re.compile(r"(^|\.)(login_required|permission_required|user_passes_test|staff_member_required|"
                               r"superuser_required)\b")
_DRF_DECORATORS = re.compile(r"(^|\.)api_view\b")
_DRF_BASES = re.compile(r"APIView|ViewSet|GenericAPIView|(Create|Update|Destroy|ListCreate|RetrieveUpdate\w*)APIView")
# A view that reads a credential other than the cookie: an API token, a webhook signature.
_OTHER_CREDENTIALS = re.compile(r"AUTHORIZATION|Authorization|authorization|SIGNATURE|[Ss]ignature|[Tt]oken|API_KEY|"
                                r"[Aa]pi[-_][Kk]ey|hmac\.|compare_digest")
_STATE_VERBS = frozenset({"post", "put", "patch", "delete"})


class CsrfProtectionDisabled(Rule):
    id = "csrf-protection-disabled"
    cwe = 352
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "CSRF protection disabled: {what}"
    description = (
        "{detail} Browsers attach a site's cookies to every request to it, including a form another site "
        "posts or a script it runs: any page the victim visits while logged in can make their browser "
        "perform this change with the victim's session (change their password or e-mail address, delete or "
        "alter their data)."
    )
    solution = "{fix}"

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "csrf_exempt" in file.text and file.imports_module("django"):
            yield from self._exempt_views(file)
        if "SessionMiddleware" in file.text:
            yield from self._middleware(file)
        yield from self._flask_wtf(file)
        if ".delete(" in file.text:
            yield from self._deletes_on_get(file)

    # -- @csrf_exempt ------------------------------------------------------------------------------

    def _exempt_views(self, file: PyFile) -> Iterator[Hit]:
        for definition in file.nodes_of_type("decorated_definition"):
            decorator = self._exempt_decorator(file, definition)
            if decorator is None:
                continue
            target = definition.child_by_field_name("definition")
            if target is None or self._is_drf(file, definition, target):
                continue
            if target.type == "class_definition":
                bodies = [m for m in _methods(target)
                          if file.text_of(m.child_by_field_name("name")) in _STATE_VERBS | {"dispatch", "form_valid"}]
            else:
                bodies = [target]
            writes = [w for body in bodies for w in state_changes(file, body)]
            if not writes:
                continue
            name = file.text_of(target.child_by_field_name("name"))
            write = file.text_of(writes[0])
            values = {"what": f"`@csrf_exempt` on `{name}`, which changes state (`{_shorten(write)}`)",
                      "fix": "Remove `@csrf_exempt` and send the CSRF token with the request (`{% csrf_token %}` in "
                             "forms, the `X-CSRFToken` header from JavaScript). If this is an API or webhook called "
                             "without cookies, authenticate it with a token or signature and keep it off the "
                             "session (`request.user` from the cookie)."}
            if self._other_credentials(file, target):  # an API token or a webhook signature: not the cookie
                continue
            if self._cookie_authenticated(file, definition, target):
                yield Hit(decorator, {**values, "detail": f"`{name}` is exempt from Django's CSRF check, changes "
                                                          "state and acts for the user of the session cookie."},
                          evidence=Evidence.DEFINITE)
            else:
                yield Hit(decorator, {**values, "detail": f"`{name}` is exempt from Django's CSRF check and "
                                                          "changes state; if a logged-in browser can reach it "
                                                          "(it shows no other credential), it can be forged."},
                          confidence=Confidence.MEDIUM)

    @staticmethod
    def _exempt_decorator(file: PyFile, definition: ts.Node) -> ts.Node | None:
        for decorator in definition.named_children:
            if decorator.type != "decorator" or not decorator.named_children:
                continue
            expression = decorator.named_children[0]
            if expression.type == "call":  # @method_decorator(csrf_exempt, name="dispatch")
                call = file.call_at(expression)
                if call.method == "method_decorator" and call.args \
                        and file.qualified_name(call.args[0]) in _CSRF_EXEMPT:
                    return decorator
            elif file.qualified_name(expression) in _CSRF_EXEMPT:
                return decorator
        return None

    @staticmethod
    def _is_drf(file: PyFile, definition: ts.Node, target: ts.Node) -> bool:
        decorators = [file.text_of(d).lstrip("@") for d in definition.named_children if d.type == "decorator"]
        if any(_DRF_DECORATORS.search(text) for text in decorators):
            return True
        owner = target if target.type == "class_definition" else enclosing_class(file, target)
        return owner is not None and any(_DRF_BASES.search(base) for base in class_bases(file, owner))

    @staticmethod
    def _cookie_authenticated(file: PyFile, definition: ts.Node, target: ts.Node) -> bool:
        decorators = [file.text_of(d).lstrip("@") for d in definition.named_children if d.type == "decorator"]
        if any(_LOGIN_DECORATORS.search(text) for text in decorators):
            return True
        owner = target if target.type == "class_definition" else enclosing_class(file, target)
        if owner is not None and any("LoginRequired" in base or "PermissionRequired" in base
                                     for base in class_bases(file, owner)):
            return True
        for node in descendants(target, frozenset({"attribute"}), stop=frozenset()):
            attribute = file.text_of(node.child_by_field_name("attribute"))
            receiver = file.text_of(node.child_by_field_name("object"))
            if attribute in ("user", "session") and receiver.rsplit(".", 1)[-1] == "request":
                return True
        return False

    @staticmethod
    def _other_credentials(file: PyFile, target: ts.Node) -> bool:
        return _OTHER_CREDENTIALS.search(file.text_of(target)) is not None

    # -- MIDDLEWARE without CsrfViewMiddleware ------------------------------------------------------

    def _middleware(self, file: PyFile) -> Iterator[Hit]:
        fix = (f"Put `\"{_CSRF_MIDDLEWARE}\"` back into the middleware list (after `SessionMiddleware`), and "
               "exempt only the views that need it, each with its own authentication.")
        if is_dev_config_path(file.path):
            return
        for setting in setting_assignments(file, _MIDDLEWARE_SETTINGS):
            if not setting.module_level or setting.value.type not in ("list", "tuple"):
                continue
            entries = {file.constant_value(item) for item in setting.value.named_children}
            # a project's own CSRF middleware (`myapp.middleware.CsrfViewMiddleware`), or Django's added later
            # (`MIDDLEWARE += [...]`, `.insert(...)`), protects the site as well
            if _SESSION_MIDDLEWARE in entries and not any("csrf" in str(entry).lower() for entry in entries) \
                    and not _csrf_named_elsewhere(file):
                values = {
                    "what": f"`{setting.name}` has `SessionMiddleware` but no `CsrfViewMiddleware`",
                    "detail": f"`{setting.name}` keeps users logged in with a session cookie but leaves out "
                              "`CsrfViewMiddleware`, so no POST, PUT or DELETE view of the site checks a CSRF "
                              "token.",
                    "fix": fix}
                if _api_project(file, entries):
                    # a REST API authenticated by tokens: DRF checks CSRF itself for session authentication and
                    # the admin and login views carry `csrf_protect`; the gap is only in plain views, if any
                    yield Hit(setting.node, values, confidence=Confidence.MEDIUM)
                else:
                    yield Hit(setting.node, values, evidence=Evidence.DEFINITE)
        for call in file.method_calls("remove"):
            if call.receiver is not None and file.text_of(call.receiver).rsplit(".", 1)[-1] in _MIDDLEWARE_SETTINGS \
                    and call.args and file.constant_value(call.args[0]) == _CSRF_MIDDLEWARE \
                    and not _under_test_condition(file, call.node):
                yield Hit(call.node, {
                    "what": "`CsrfViewMiddleware` removed from the middleware",
                    "detail": "`CsrfViewMiddleware` is removed from the middleware, so no POST, PUT or DELETE view "
                              "of the site checks a CSRF token.",
                    "fix": fix}, evidence=Evidence.DEFINITE)

    # -- state changes on GET -----------------------------------------------------------------------

    def _deletes_on_get(self, file: PyFile) -> Iterator[Hit]:
        for handler in handlers(file):
            function = handler.function
            if not allows(handler, frozenset({"GET"})) or \
                    any("csrf_exempt" in text for text in decorators_of(file, function)):
                continue  # (an exempt view is reported as such)
            name = file.text_of(function.child_by_field_name("name"))
            for delete in _get_deletes(file, function)[:1]:
                yield Hit(delete, {
                    "what": f"`{name}` deletes on a GET request (`{_shorten(file.text_of(delete))}`)",
                    "detail": f"`{name}` deletes a record on any GET request, and CSRF protection (Django's "
                              "middleware, Flask-WTF, SameSite=Lax cookies) never covers GET: an `<img src>` or a "
                              "link on any page deletes the victim's data with their session, and link "
                              "prefetchers and crawlers delete it too.",
                    "fix": "Accept only POST (or DELETE) for the deletion (`@require_POST`, `methods=[\"POST\"]`), "
                           "from a form that carries the CSRF token; show a confirmation page on GET."},
                    evidence=Evidence.DEFINITE)

    # -- Flask-WTF ----------------------------------------------------------------------------------

    def _flask_wtf(self, file: PyFile) -> Iterator[Hit]:
        if is_dev_config_path(file.path):
            return
        for setting in setting_assignments(file, ("WTF_CSRF_ENABLED",)):
            if file.constant_value(setting.value) is not False:
                continue
            if _in_dev_class(file, setting.node) or _under_test_condition(file, setting.node) \
                    or _alongside_testing(file, setting.node):
                continue
            yield Hit(setting.node, {
                "what": "`WTF_CSRF_ENABLED = False`",
                "detail": "`WTF_CSRF_ENABLED = False` switches off Flask-WTF's CSRF token check for every form "
                          "and every view `CSRFProtect` guards.",
                "fix": "Remove `WTF_CSRF_ENABLED = False` outside the test configuration (the default is on), "
                       "render `{{ form.csrf_token }}` in forms and send `X-CSRFToken` from JavaScript."},
                evidence=Evidence.DEFINITE)


def _methods(cls: ts.Node) -> list[ts.Node]:
    body = cls.child_by_field_name("body")
    found = []
    for child in body.named_children if body is not None else ():
        if child.type == "decorated_definition":
            child = child.child_by_field_name("definition")
        if child is not None and child.type == "function_definition":
            found.append(child)
    return found


_RESPONSES = re.compile(r"\b(redirect|render|render_to_response|HttpResponse\w*|JsonResponse|render_template|"
                        r"jsonify|make_response|url_for)\b")
_METHOD_TESTS = re.compile(r"request\.(method|POST|form|body|data|json|get_json|is_ajax)\b|is_valid\(|"
                           r"validate_on_submit")
_FETCHES = re.compile(r"get_object_or_404\(|\.objects\.(get|filter)\(|\.query\b|\.get_or_404\(|"
                      r"\.first_or_404\(")


_UNGUESSABLE = re.compile(r"token|secret|signature|signed|hash|uuid|nonce|code|key", re.I)


def _get_deletes(file: PyFile, function: ts.Node) -> list[ts.Node]:
    """`.delete()` calls in a view that any GET request runs: a record fetched by the view (`Model.objects.get`,
    `get_object_or_404`, `Model.query...`) or `db.session.delete(obj)`, with no method test in the view."""
    text = file.text_of(function)
    if _METHOD_TESTS.search(text) or not any(_RESPONSES.search(file.text_of(r)) for r in own_returns(file, function)):
        return []
    if _UNGUESSABLE.search(file.text_of(function.child_by_field_name("parameters"))):
        return []  # an e-mailed one-click link (`unsubscribe/<token>`): a forger cannot know the URL
    found = []
    for node in descendants(function, frozenset({"call"})):
        call = file.call_at(node)
        if call.method != "delete" or call.receiver is None:
            continue
        receiver = call.receiver
        if receiver.type == "identifier":
            bindings = file.reaching_bindings(receiver)
            values = [file.bound_value(*b) for b in bindings]
            if values and all(v is not None and _FETCHES.search(file.text_of(v)) for v in values):
                found.append(node)
        elif receiver.type == "call" and _FETCHES.search(file.text_of(receiver)):
            found.append(node)
        elif file.text_of(receiver).endswith("db.session") and call.args:
            found.append(node)
    return found


def _api_project(file: PyFile, middleware: set) -> bool:
    """Settings of an API served with Django REST framework or token middleware (OAuth2, JWT, API keys)."""
    if re.search(r"[\"']rest_framework[\"']|REST_FRAMEWORK\s*=", file.text):
        return True
    return any(re.search(r"token|oauth|jwt|apikey|api_key", str(entry), re.I) for entry in middleware)


def _csrf_named_elsewhere(file: PyFile) -> bool:
    """A string naming a CSRF middleware outside the MIDDLEWARE literal (`MIDDLEWARE.insert(0, "...Csrf...")`)."""
    for string in file.nodes_of_type("string"):
        text = file.text_of(string).lower()
        if "csrf" in text and "middleware" in text and not _in_middleware_literal(file, string):
            return True
    return False


def _in_middleware_literal(file: PyFile, node: ts.Node) -> bool:
    parent = node.parent
    if parent is None or parent.type not in ("list", "tuple") or parent.parent is None:
        return False
    assign = parent.parent
    return assign.type == "assignment" and file.text_of(assign.child_by_field_name("left")) in _MIDDLEWARE_SETTINGS


def _alongside_testing(file: PyFile, node: ts.Node) -> bool:
    """`config.update(TESTING=True, WTF_CSRF_ENABLED=False)`, or a config class that also sets `TESTING = True`."""
    scope = node if node.type == "call" else file.enclosing_scope(node)
    if scope.type == "module":
        return False
    return re.search(r"\bTESTING\b[\"']?\s*[:=]+\s*True", file.text_of(scope)) is not None


def _in_dev_class(file: PyFile, node: ts.Node) -> bool:
    for ancestor in file.ancestors(node):
        if ancestor.type in ("class_definition", "function_definition"):
            name = file.text_of(ancestor.child_by_field_name("name"))
            if any(word in DEVELOPMENT_WORDS for word in words(name)):
                return True
    return False


def _under_test_condition(file: PyFile, node: ts.Node) -> bool:
    for condition, _holds in conditions_enclosing(file, node):
        if any(word in DEVELOPMENT_WORDS for word in words(file.text_of(condition))):
            return True
    return False


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
