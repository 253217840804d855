"""Access control of a web application, as the application itself shows it.

The model one file gives of how its handlers are protected: which functions answer requests
(`handlers`), for which HTTP methods, whether they change server state (`state_changes`), what
protects them (`protection`: an authentication decorator, a DRF permission class, a FastAPI
dependency, a session or user check at the top, a `before_request` hook), who the acting user is
(`names_current_user`), whether an object is tied to that user (`ownership_checks`), whether the
app switches on CSRF protection (`csrf_protection`), and which request data the client writes freely
(`client_controlled`). Framework facts are data in `knowledge/access_control.py`.

The model is per file: Django's `views.py` and a Flask app's routes module hold an app's handlers
together, so "most handlers here are protected by X" is the app's convention as its authors wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge import access_control as known
from secreview.knowledge.vocabulary import words
from secreview.lang.python import web
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import block_leaves, conditions_enclosing
from secreview.lang.python.requests import is_request_object
from secreview.lang.python.scopes import class_bases, descendants, enclosing_class
from secreview.lang.python.security_checks import security_checks_in
from secreview.lang.python.syntax import unwrap


@dataclass(frozen=True)
class Handler:
    """A function a framework calls for a URL."""

    function: ts.Node
    name: str
    methods: frozenset[str] | None  # the HTTP methods it answers; None: any method


@dataclass(frozen=True)
class Protection:
    """What lets a handler run only for an authenticated or authorised caller."""

    how: str  # "`@login_required`", "the `before_request` hook `require_login`"


# -- handlers -----------------------------------------------------------------------------

def handlers(file: PyFile) -> tuple[Handler, ...]:
    """Route handlers (Flask, FastAPI, Quart...), Django function views and class-based view methods."""
    return file.memo(("access-handlers",), lambda: tuple(_find_handlers(file)))


def _find_handlers(file: PyFile):
    seen: set[int] = set()
    for function in web.route_handlers(file):
        seen.add(function.id)
        yield Handler(function, _name(file, function), _route_methods(file, function))
    django = file.imports_module("django") or file.imports_module("rest_framework")
    for function in file.nodes_of_type("function_definition"):
        if function.id in seen:
            continue
        cls = enclosing_class(file, function)
        if cls is not None:
            method = _name(file, function)
            if method in known.HTTP_METHOD_NAMES and _is_view_class(file, cls):
                yield Handler(function, f"{_name(file, cls)}.{method}", frozenset({method.upper()}))
        elif django and _is_django_view(file, function):
            yield Handler(function, _name(file, function), _django_methods(file, function))


def _name(file: PyFile, definition: ts.Node) -> str:
    return file.text_of(definition.child_by_field_name("name"))


def _decorators(function: ts.Node) -> list[ts.Node]:
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    return [d.named_children[0] for d in parent.named_children if d.type == "decorator" and d.named_children]


def _decorator_name(file: PyFile, expression: ts.Node) -> str:
    """`login_required` for `@login_required`, `@auth.login_required`, `@permission_required("x")`."""
    if expression.type == "call":
        expression = expression.child_by_field_name("function") or expression
    return file.text_of(expression).rsplit(".", 1)[-1]


def _route_methods(file: PyFile, function: ts.Node) -> frozenset[str] | None:
    for expression in _decorators(function):
        if expression.type != "call":
            continue
        call = file.call_at(expression)
        if call.receiver is None:
            continue
        if call.method in ("route", "api_route", "add_url_rule"):
            methods = file.constant_value(call.kwargs.get("methods")) if "methods" in call.kwargs else ("GET",)
            return frozenset(str(m).upper() for m in methods) if isinstance(methods, tuple) else None
        if call.method in known.HTTP_METHOD_NAMES:
            return frozenset({call.method.upper()})
    return None


def _django_methods(file: PyFile, function: ts.Node) -> frozenset[str] | None:
    for expression in _decorators(function):
        name = _decorator_name(file, expression)
        if name in known.DJANGO_METHOD_DECORATORS:
            return known.DJANGO_METHOD_DECORATORS[name]
        if name in (known.DJANGO_METHODS_DECORATOR, "api_view") and expression.type == "call":
            call = file.call_at(expression)
            methods = file.constant_value(call.args[0]) if call.args else ("GET",)
            if isinstance(methods, tuple):
                return frozenset(str(m).upper() for m in methods)
    return None


def _is_django_view(file: PyFile, function: ts.Node) -> bool:
    """A module-level function taking `request` first, not called in its own module (not a helper)."""
    if file.enclosing_scope(function).type != "module":
        return False
    parameters = function.child_by_field_name("parameters")
    first = parameters.named_children[0] if parameters is not None and parameters.named_children else None
    if first is None or file.text_of(first) != "request":
        return False
    name = _name(file, function)
    return not name.startswith("_") and not file.calls_to(name)


def _is_view_class(file: PyFile, cls: ts.Node) -> bool:
    bases = {base.rsplit(".", 1)[-1] for base in class_bases(file, cls)}
    return bool(bases & (known.DRF_VIEW_BASES | known.DJANGO_VIEW_BASES | known.AUTH_MIXINS))


def allows(handler: Handler, methods: frozenset[str]) -> bool:
    """The handler answers at least one of `methods`."""
    return handler.methods is None or bool(handler.methods & methods)


# -- what a handler changes --------------------------------------------------------------

ORM_WRITES = frozenset({"save", "delete", "set_password", "set_unusable_password", "bulk_create", "bulk_update",
                         "get_or_create", "update_or_create", "commit", "insert_one", "insert_many", "update_one",
                         "update_many", "delete_one", "delete_many", "replace_one", "find_one_and_update",
                         "find_one_and_delete"})
_AUTH_WRITES = frozenset({"django.contrib.auth.login", "django.contrib.auth.logout",
                          "django.contrib.auth.update_session_auth_hash", "flask_login.login_user"})
_SQL_WRITE = re.compile(r"^\s*(insert|update|delete|drop|create|alter|replace|truncate)\b", re.I)
_FILE_WRITES = frozenset({"os.remove", "os.unlink", "os.rename", "os.replace", "shutil.rmtree", "shutil.move",
                          "os.rmdir", "os.makedirs", "os.mkdir"})
WRITE_VERBS = frozenset({"update", "insert", "delete", "create", "new", "add", "remove", "save", "set", "write",
                          "store", "put", "change", "edit", "reset", "clear", "register", "drop", "destroy",
                          "modify", "upload", "transfer", "approve", "grant", "revoke", "assign", "post", "cancel",
                          "publish", "archive", "close", "reject", "accept", "activate", "deactivate"})
_CONTAINERS = frozenset({"dict", "list", "set", "params", "data", "headers", "kwargs", "context", "result", "args"})


def state_changes(file: PyFile, function: ts.Node) -> list[ts.Node]:
    """Calls and assignments of `function` that change server state: models and database rows, files,
    the session, the login, and project helpers named for a change (`updateColor(...)`, `new_note(...)`)."""
    return file.memo(("access-state-changes", function.id), lambda: _find_state_changes(file, function))


def _find_state_changes(file: PyFile, function: ts.Node) -> list[ts.Node]:
    found: list[ts.Node] = []
    for node in descendants(function, frozenset({"call", "assignment", "delete_statement"})):
        if node.type == "call" and _changes_state(file, node):
            found.append(node)
        elif node.type == "assignment" and is_session_entry(file, node.child_by_field_name("left")):
            found.append(node)
        elif node.type == "delete_statement" and any(is_session_entry(file, target)
                                                      for target in node.named_children):
            found.append(node)
    return found


def _changes_state(file: PyFile, node: ts.Node) -> bool:
    call = file.call_at(node)
    if call.name in _AUTH_WRITES or call.name in _FILE_WRITES:
        return True
    if call.name in ("open", "io.open"):
        return bool(re.search(r"[wax+]", str(file.constant_value(call.arg(1, "mode")) or "")))
    if call.method is None or call.receiver is None:
        return call.name is not None and named_for_a_change(call.name.rsplit(".", 1)[-1])
    receiver = file.text_of(call.receiver)
    if call.method == "execute" and call.args:
        sql = file.constant_value(call.args[0])
        return isinstance(sql, str) and bool(_SQL_WRITE.search(sql))
    if call.method in ORM_WRITES:
        return True
    if call.method in ("flush", "cycle_key", "pop", "clear"):
        return receiver.endswith("session") and (file.qualified_name(call.receiver) in ("flask.session",
                                                                                           "quart.session")
                                                 or receiver.endswith("request.session"))
    if call.method in ("create", "update", "add", "remove"):
        return ".objects" in receiver or "filter" in receiver or receiver.endswith(("_set", "session")) \
            or ".query" in receiver
    if receiver.rsplit(".", 1)[-1] in _CONTAINERS or is_request_object(file, call.receiver):
        return False
    return named_for_a_change(call.method)


def named_for_a_change(name: str) -> bool:
    """`updateColor`, `new_note`, `delete_user`: a verb of change followed by what it changes."""
    parts = words(name)
    return len(parts) >= 2 and parts[0] in WRITE_VERBS and parts[1] not in ("cookie", "header", "headers")


def session_change(file: PyFile, change: ts.Node) -> bool:
    """A change (of `state_changes`) made only to the session: an entry set or deleted, the session cleared."""
    if change.type == "call":
        receiver = file.call_at(change).receiver
        return receiver is not None and (file.qualified_name(receiver) in ("flask.session", "quart.session")
                                         or file.text_of(receiver).endswith("request.session"))
    target = change.child_by_field_name("left") if change.type == "assignment" else change.named_children[0]
    return is_session_entry(file, target)


def is_session_entry(file: PyFile, node: ts.Node | None) -> bool:
    """`session["k"]` (Flask's) or `request.session["k"]` (Django's)."""
    node = unwrap(node)
    if node is None or node.type != "subscript":
        return False
    container = node.child_by_field_name("value")
    return file.qualified_name(container) in ("flask.session", "quart.session") or \
        file.text_of(container) in ("request.session", "self.request.session")


# -- what protects a handler -------------------------------------------------------------

# Words of a condition about the caller (`if "logged_in" not in session`); `user` alone is often a record.
_CHECK_WORDS = frozenset({"session", "logged", "login", "auth", "authenticated", "token",
                          "admin", "role", "permission", "permissions", "jwt", "cookies", "anonymous", "staff",
                          "superuser", "perm", "perms"})


def protection(file: PyFile, handler: Handler) -> Protection | None:
    """How `handler` keeps unauthenticated or unauthorised callers out, or None when nothing does
    (once per handler and file: several rules and `authenticates_users` ask)."""
    return file.memo(("access-protection", handler.function.id), lambda: _protection(file, handler.function))


def _protection(file: PyFile, function: ts.Node) -> Protection | None:
    for expression in _decorators(function):
        name = _decorator_name(file, expression)
        if name == "permission_classes" and "AllowAny" in file.text_of(expression):
            return None
        if is_auth_decorator(name):
            return Protection(f"`@{name}`")
    cls = enclosing_class(file, function)
    if cls is not None:
        class_protection = _class_protection(file, cls)
        if class_protection is not None:
            return class_protection
    dependency = _auth_dependency(file, function)
    if dependency is not None:
        return Protection(f"the dependency `{dependency}`")
    hook = _app_hook(file)
    if hook is not None:
        return Protection(f"the `before_request` hook `{hook}`")
    if _checks_caller(file, function):
        return Protection("a check of the caller in the handler")
    return None


def is_auth_decorator(name: str) -> bool:
    """`login_required`, `jwt_required`, or a project's own `@admin_required` / `@requires_login`."""
    if name in known.AUTH_DECORATORS:
        return True
    parts = set(words(name))
    return bool(parts & known.AUTH_DECORATOR_SUBJECTS) and bool(parts & known.AUTH_DECORATOR_DEMANDS)


def _class_protection(file: PyFile, cls: ts.Node) -> Protection | None:
    for base in class_bases(file, cls):
        if base.rsplit(".", 1)[-1] in known.AUTH_MIXINS:
            return Protection(f"the mixin `{base}`")
    body = cls.child_by_field_name("body")
    for statement in body.named_children if body is not None else ():
        assignment = statement.named_children[0] if statement.type == "expression_statement" \
            and statement.named_children else None
        if assignment is None or assignment.type != "assignment":
            continue
        target = file.text_of(assignment.child_by_field_name("left"))
        value = file.text_of(assignment.child_by_field_name("right"))
        if target == "permission_classes" and not any(open_class in value for open_class in
                                                      known.DRF_OPEN_PERMISSIONS) and value.strip("[]() "):
            return Protection(f"`permission_classes = {value}`")
    return None


def _auth_dependency(file: PyFile, function: ts.Node) -> str | None:
    """A FastAPI `Depends(get_current_user)` / `Security(...)` parameter or route dependency."""
    texts = []
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        default = parameter.child_by_field_name("value")
        if default is not None and default.type == "call":
            texts.append(default)
    for expression in _decorators(function):
        if expression.type == "call" and "dependencies" in file.call_at(expression).kwargs:
            texts.extend(descendants(file.call_at(expression).kwargs["dependencies"], frozenset({"call"})))
    for call_node in texts:
        call = file.call_at(call_node)
        if call.method in ("Depends", "Security") and call.args:
            dependency = file.text_of(call.args[0])
            if set(words(dependency)) & known.AUTH_DEPENDENCY_WORDS:
                return dependency
    return None


def _app_hook(file: PyFile) -> str | None:
    """A Flask `before_request` hook of this file that checks the caller: every handler passes through it."""
    def find() -> str | None:
        for function in file.nodes_of_type("function_definition"):
            hooks = {_decorator_name(file, d) for d in _decorators(function)}
            if hooks & {"before_request", "before_app_request"} and _checks_caller(file, function):
                return _name(file, function)
        return None
    return file.memo(("access-before-request",), find)


def _checks_caller(file: PyFile, function: ts.Node) -> bool:
    """The function refuses some callers: an authentication or permission check (`check_permission(...)`,
    `abort(401)`, `raise PermissionDenied`, `user.is_authenticated`), or an `if` on the session, the user,
    a token or a cookie whose branch leaves (returns, raises, aborts, redirects)."""
    if security_checks_in(file, function, auth_only=True):
        return True
    for statement in descendants(function, frozenset({"if_statement"})):
        condition = statement.child_by_field_name("condition")
        if condition is None or not block_leaves(file, statement.child_by_field_name("consequence")):
            continue
        names = {w for node in descendants(condition, frozenset({"identifier", "string_content"}), stop=frozenset())
                 for w in words(file.text_of(node))}
        if names & _CHECK_WORDS or any(names_current_user(file, part) for part in
                                       [condition, *descendants(condition, frozenset({"attribute", "call"}))]):
            return True
    return False


# -- after a login ---------------------------------------------------------------------------

_CREDENTIAL_WORDS = frozenset({"password", "passwd", "pwd", "psw", "passphrase", "credentials", "authenticate",
                               "authenticated", "checkpw", "otp", "totp"})


def after_authentication(file: PyFile, node: ts.Node) -> bool:
    """`node` runs only once the caller has proved who they are: under a condition, or after an early exit,
    that checks a password or credentials (`if user.check_password(pw):`, `if row[2] == request.form[
    "password"]:`, `if user:` where `user = authenticate(...)`)."""
    function = file.inside(node, ("function_definition",))
    if function is None:
        return False
    for condition, holds in conditions_enclosing(file, node, function):
        if holds and _mentions_credentials(file, condition):
            return True
    for statement in descendants(function, frozenset({"if_statement"})):
        if statement.end_byte <= node.start_byte and block_leaves(file, statement.child_by_field_name("consequence")) \
                and _mentions_credentials(file, statement.child_by_field_name("condition")):
            return True
    return False


def _mentions_credentials(file: PyFile, condition: ts.Node | None) -> bool:
    if condition is None:
        return False
    texts = [file.text_of(condition)]
    for identifier in [condition, *descendants(condition, frozenset({"identifier"}), stop=frozenset())]:
        if identifier.type != "identifier":
            continue
        for binding, name in file.reaching_bindings(identifier):
            texts.append(file.text_of(file.bound_value(binding, name)))
    return any(set(words(text)) & _CREDENTIAL_WORDS for text in texts)


# -- who is acting -------------------------------------------------------------------------

def names_current_user(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """`node` holds the authenticated user or their id: `request.user`, `current_user.id`,
    `session["user_id"]`, `get_jwt_identity()`, or a local name bound to one of these."""
    node = unwrap(node)
    if node is None or depth > 3:
        return False
    text = file.text_of(node).replace(" ", "")
    qualified = file.qualified_name(node) or ""
    if text in known.CURRENT_USER_EXPRESSIONS or qualified in known.CURRENT_USER_EXPRESSIONS:
        return True
    if node.type == "attribute":
        return names_current_user(file, node.child_by_field_name("object"), depth + 1)
    if node.type == "subscript":
        return is_session_entry(file, node) or names_current_user(file, node.child_by_field_name("value"), depth + 1)
    if node.type == "call":
        call = file.call_at(node)
        name = (call.name or call.method or "").rsplit(".", 1)[-1]
        if name in known.CURRENT_USER_CALLS:
            return True
        if call.method == "get" and call.receiver is not None \
                and file.qualified_name(call.receiver) in ("flask.session", "quart.session"):
            return True
        return any(names_current_user(file, argument, depth + 1) for argument in call.args) \
            or (call.receiver is not None and names_current_user(file, call.receiver, depth + 1))
    if node.type == "identifier":
        for binding, identifier in file.reaching_bindings(node):
            if names_current_user(file, file.bound_value(binding, identifier), depth + 1):
                return True
    return False


_AUTHORISATION_WORDS = frozenset({"perm", "perms", "permission", "permissions", "owner", "owns", "ownership",
                                  "authorize", "authorise", "authorized", "authorised", "access", "policy",
                                  "enforce", "can", "allowed", "allow", "role", "roles", "admin", "member",
                                  "belongs", "acl", "grant"})
# Lookups whose keyword arguments restrict what they find (`filter(owner=request.user)`).
_RESTRICTING_LOOKUPS = frozenset({"get", "filter", "filter_by", "get_object_or_404", "get_list_or_404", "find",
                                  "find_one", "exclude", "get_or_404", "first_or_404", "where", "get_queryset",
                                  "update_one", "update_many", "delete_one", "delete_many", "replace_one",
                                  "find_one_and_update", "find_one_and_delete"})


def ownership_checks(file: PyFile, function: ts.Node) -> list[ts.Node]:
    """What ties the objects `function` handles to the current user: a comparison or lookup argument
    naming the user (`obj.owner == request.user`, `filter(user=current_user)`), a permission call
    (`has_perm`, `check_object_permissions`, `policy.enforce`), or a refusal with 403."""
    found = []
    for node in descendants(function, frozenset({"comparison_operator", "keyword_argument", "call", "pair"})):
        if node.type == "comparison_operator":
            if any(names_current_user(file, operand) for operand in node.named_children):
                found.append(node)
        elif node.type in ("keyword_argument", "pair"):
            lookup = file.inside(node, ("call",))
            called = file.call_at(lookup) if lookup is not None else None
            if called is not None and (called.method or called.name or "").rsplit(".", 1)[-1] in \
                    _RESTRICTING_LOOKUPS and names_current_user(file, node.child_by_field_name("value")):
                found.append(node)
        else:
            call = file.call_at(node)
            name = call.method or call.name or ""
            if set(words(name)) & _AUTHORISATION_WORDS and not name.startswith("is_authenticated"):
                found.append(node)
            elif call.method in ("abort",) and call.args and file.constant_value(call.args[0]) == 403:
                found.append(node)
    for raise_node in descendants(function, frozenset({"raise_statement"})):
        if re.search(r"PermissionDenied|Forbidden|NotAuthori[sz]ed|AccessDenied", file.text_of(raise_node)):
            found.append(raise_node)
    return found


def authenticates_users(file: PyFile) -> bool:
    """The app in this file has logged-in users: a protected handler, a login, or the current user read."""
    def find() -> bool:
        if any(protection(file, handler) is not None for handler in handlers(file)):
            return True
        return bool(re.search(r"\b(login_user|current_user|request\.user|get_jwt_identity|jwt_required|"
                              r"authenticate\(|auth\.login|login\(request)", file.text)) or \
            any(is_session_entry(file, a.child_by_field_name("left")) for a in file.assignments(left="subscript"))
    return file.memo(("access-authenticates",), find)


def cookie_authenticated(file: PyFile, function: ts.Node) -> bool:
    """The handler acts for the user of a cookie session: it reads Flask's or Django's session or user,
    flask_login's `current_user`, or carries a login decorator, and reads no bearer credential."""
    text = file.text_of(function)
    if re.search(r"Authorization|HTTP_AUTHORIZATION|[Bb]earer|jwt|get_jwt_identity", text):
        return False
    if any(_decorator_name(file, d) in ("login_required", "fresh_login_required", "permission_required",
                                        "user_passes_test", "staff_member_required") for d in _decorators(function)):
        return True
    for node in descendants(function, frozenset({"identifier", "attribute"}), stop=frozenset()):
        qualified = file.qualified_name(node) or ""
        if qualified in ("flask.session", "flask_login.current_user", "quart.session",
                         "aiohttp_session.get_session") or \
                file.text_of(node).replace(" ", "") in ("request.session", "request.user", "self.request.user"):
            return True
    return False


# -- CSRF ---------------------------------------------------------------------------------------

def csrf_protection(file: PyFile) -> str | None:
    """The CSRF protection this file switches on or mentions (Flask-WTF, SeaSurf, a project's own token
    check), or None."""
    for name in file.imports.values():
        if any(name == p or name.startswith(p + ".") for p in known.CSRF_PROTECTIONS):
            return name
    code = re.sub(r"#.*", "", file.text)  # a comment protects nothing
    match = re.search(r"\w*(csrf|xsrf)\w*", code, re.I)
    return match.group(0) if match else None


def builds_app(file: PyFile) -> bool:
    """The file builds the web application itself (`app = Flask(__name__)`, `FastAPI()`, `web.Application()`)."""
    return bool(file.calls_to(*known.APPLICATION_FACTORIES))


# -- data the client writes freely ----------------------------------------------------------------

@dataclass(frozen=True)
class ClientValue:
    kind: str  # "cookie", "header", "parameter"
    key: str  # the cookie, header or parameter name ("" when not constant)


def client_controlled(file: PyFile, node: ts.Node | None, depth: int = 0) -> ClientValue | None:
    """`node` is a value the client writes freely: a cookie (`request.cookies.get("role")`), a header other
    than a credential (`request.headers["IsAdmin"]`, `request.host`, the User-Agent), or a query or form
    parameter; also through a local name bound to one. Flask's signed `session` is not one of them."""
    node = unwrap(node)
    if node is None or depth > 3:
        return None
    if node.type == "identifier":
        for binding, identifier in file.reaching_bindings(node):
            found = client_controlled(file, file.bound_value(binding, identifier), depth + 1)
            if found is not None:
                return found
        return None
    if node.type == "call":
        call = file.call_at(node)
        if call.method in ("get", "getlist", "getone", "get_signed_cookie") and call.receiver is not None:
            if call.method == "get_signed_cookie":
                return None
            return _request_mapping_read(file, call.receiver, call.args[0] if call.args else None)
        if call.method in ("lower", "upper", "strip", "decode", "split") or call.name in ("str", "int", "bool"):
            inner = call.receiver if call.receiver is not None else (call.args[0] if call.args else None)
            return client_controlled(file, inner, depth + 1)
        if call.method == "get_host" and is_request_object(file, call.receiver):
            return ClientValue("header", "Host")
        return None
    if node.type == "subscript":
        return _request_mapping_read(file, node.child_by_field_name("value"), node.child_by_field_name("subscript"))
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        owner = node.child_by_field_name("object")
        if attribute in known.CLIENT_HEADER_PROPERTIES and is_request_object(file, owner):
            return ClientValue("header", "Host" if attribute.startswith(("host", "url")) else attribute)
        if owner is not None and owner.type == "attribute":  # request.user_agent.string
            return client_controlled(file, owner, depth + 1)
    return None


def _request_mapping_read(file: PyFile, mapping: ts.Node | None, key_node: ts.Node | None) -> ClientValue | None:
    mapping = unwrap(mapping)
    if mapping is None or mapping.type != "attribute" or \
            not is_request_object(file, mapping.child_by_field_name("object")):
        return None
    holder = file.text_of(mapping.child_by_field_name("attribute"))
    key = file.string_literal_text(key_node) or ""
    if holder in known.CLIENT_COOKIE_ATTRIBUTES:
        return ClientValue("cookie", key)
    if holder in known.CLIENT_HEADER_ATTRIBUTES:
        if holder != "headers" and not key.startswith(known.CLIENT_ENVIRON_PREFIX):
            return None  # `AUTH_TYPE`, `REMOTE_USER`, `wsgi.*`: the server's, not the client's
        header = key.lower().replace("_", "-")
        if header.removeprefix("http-") in known.CREDENTIAL_HEADERS or header in known.CREDENTIAL_HEADERS:
            return None
        return ClientValue("header", key)
    if holder in known.CLIENT_PARAMETER_ATTRIBUTES:
        return ClientValue("parameter", key)
    return None
