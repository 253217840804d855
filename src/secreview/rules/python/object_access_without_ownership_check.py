"""An object fetched by a key from the request and used with no check that it belongs to the caller (IDOR).

## What it does
In an application with logged-in users (a handler carries an authentication
decorator or check, or the code logs users in or reads the current user),
flags a handler that

- looks an object up by a key the request supplies (a URL parameter, a query,
  form or JSON value): `get_object_or_404(Model, pk=pk)`,
  `Model.objects.get/filter(...)`, `Model.query.get(...)`,
  `Model.query.filter_by(id=...)`, `session.get(Model, id)`, SQL
  `... WHERE id = ?` with the key as a parameter; and
- changes or deletes that object, or returns it to a handler that only
  authenticated users reach; and
- checks nowhere that the object is the caller's: no comparison with the
  current user (`obj.owner != request.user`, `current_user.id`, the
  session's user), no lookup restricted to them (`filter(owner=request.user)`),
  no permission call (`has_perm`, `check_object_permissions`,
  `policy.enforce`...), no refusal with 403, and no role decorator
  (`@permission_required`, `@admin_required`).

A lookup keyed by the current user's own id is not reported, nor is reading
an object in a handler that anybody may call: public objects (articles,
products) are read by id by design.

Evidence: the key is read from the request (the handler's URL parameters,
which the framework fills from the path, or request data traced to the
lookup through local assignments), the object is changed, deleted or shown
behind a login, and the handler contains no statement that ties it to the
user: any logged-in user reaches every other user's object by changing the
key.

## Why is this bad?
Ids in URLs and forms are visible and usually sequential. A user who sees
`/notes/41/delete` tries `/notes/42/delete`: without an ownership check the
application deletes, changes or shows another user's note (CWE-639,
insecure direct object reference).

## Example
```python
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect

from .models import Note

@login_required
def delete_note(request, note_id):
    note = get_object_or_404(Note, pk=note_id)
    note.delete()
    return redirect("/notes")
```

## Use instead
```python
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect

from .models import Note

@login_required
def delete_note(request, note_id):
    note = get_object_or_404(Note, pk=note_id, owner=request.user)
    note.delete()
    return redirect("/notes")
```

## References
- https://cwe.mitre.org/data/definitions/639.html
- https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.access_control import ROLE_DECORATORS
from secreview.knowledge.vocabulary import words
from secreview.lang.python.access import (WRITE_VERBS, Handler, authenticates_users, client_controlled, handlers,
                                          is_auth_decorator, named_for_a_change, names_current_user, ownership_checks,
                                          protection, state_changes)
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.requests import request_rooted
from secreview.lang.python.scopes import decorators_of, descendants
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

_LOOKUP_FUNCTIONS = frozenset({"get_object_or_404", "get_list_or_404"})
_LOOKUP_METHODS = frozenset({"get", "filter", "filter_by", "get_or_404", "first_or_404", "find_one", "find"})
_KEYED_SQL = re.compile(r"\bwhere\b.*\b\w*id\b\s*=\s*(\?|%s|:\w+)", re.I | re.S)
_ROLE_WORDS = frozenset({"admin", "permission", "permissions", "staff", "superuser", "role", "roles", "perm"})
# Calls that turn an object into the response: serializers, renderers, JSON encoders.
_PRESENTERS = frozenset({"serializer", "schema", "render", "jsonify", "dumps", "response", "dict", "json"})
# Handlers of the way into an account (a forgotten password, a sign-up): they act before any login.
_ACCOUNT_RECOVERY = frozenset({"login", "signin", "register", "signup", "forgot", "reset", "recover", "recovery",
                               "activate", "confirm", "verify", "unsubscribe"})
_SECRET_WORDS = frozenset({"token", "secret", "key", "code", "hash", "nonce", "signature", "otp"})
_LOGIN_ONLY_PERMISSIONS = frozenset({"IsAuthenticated", "IsAuthenticatedOrReadOnly", "AllowAny", "permissions"})
_CONVERSIONS = frozenset({"int", "str", "uuid.UUID", "base64.b64decode", "b64decode", "decode", "strip"})


class ObjectAccessWithoutOwnershipCheck(Rule):
    id = "object-access-without-ownership-check"
    cwe = 639
    hit_evidence = frozenset({Evidence.DATAFLOW})
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "`{handler}` {verb} an object chosen by the request with no ownership check: `{lookup}`"
    description = (
        "`{handler}` looks up `{lookup}` by `{key}`, which the request supplies, and {verb_long} it without "
        "checking that it belongs to the caller (no comparison with the current user, no lookup restricted "
        "to them, no permission check). Any user who changes the id in the URL or form {consequence} other "
        "users' objects."
    )
    solution = (
        "Restrict the lookup to the caller's objects (`get_object_or_404(Model, pk=pk, owner=request.user)`, "
        "`Model.query.filter_by(id=id, user_id=current_user.id)`) or check the permission on the object before "
        "using it (`if obj.owner != request.user: raise PermissionDenied`, DRF `has_object_permission`)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if not handlers(file) or not authenticates_users(file):
            return
        for handler in handlers(file):
            if _role_restricted(file, handler) or set(words(handler.name)) & _ACCOUNT_RECOVERY \
                    or ownership_checks(file, handler.function):
                continue
            for call, key in _keyed_lookups(file, handler):
                use = _use_of(file, handler, call)
                if use is None:
                    continue
                if use == "reads" and protection(file, handler) is None:
                    continue  # anybody may call it: public objects (articles, products) are read by id by design
                verb = {"changes": "changes", "reads": "returns"}[use]
                yield Hit(call.node, {
                    "handler": handler.name, "verb": verb, "lookup": shorten(file.text_of(call.node), 70),
                    "key": shorten(file.text_of(key), 40),
                    "verb_long": {"changes": "changes or deletes", "reads": "returns"}[use],
                    "consequence": {"changes": "changes or deletes", "reads": "reads"}[use]},
                    evidence=Evidence.DATAFLOW)
                break


def _role_restricted(file: PyFile, handler: Handler) -> bool:
    """`@permission_required`, `@admin_required`, `@staff_member_required`: only privileged callers."""
    for text in decorators_of(file, handler.function):
        name = text.split("(")[0].rsplit(".", 1)[-1]
        if name == "permission_classes":  # DRF: a class beyond "logged in" may check the object or a role
            if set(re.findall(r"\w+", text.partition("(")[2])) - _LOGIN_ONLY_PERMISSIONS:
                return True
        elif name in ROLE_DECORATORS or is_auth_decorator(name) and set(words(name)) & _ROLE_WORDS:
            return True
    return False


def _keyed_lookups(file: PyFile, handler: Handler) -> Iterator[tuple[Call, ts.Node]]:
    """Object lookups in the handler with a key from the request, and that key."""
    for node in descendants(handler.function, frozenset({"call"})):
        call = file.call_at(node)
        keys: list[ts.Node] = []
        if (call.name or "").rsplit(".", 1)[-1] in _LOOKUP_FUNCTIONS:
            keys = [*call.args[1:], *call.kwargs.values()]
        elif call.method in _LOOKUP_METHODS and call.receiver is not None and _model_receiver(file, call):
            keys = [*call.args, *call.kwargs.values()]
            if call.method in ("find_one", "find") and call.args and call.args[0].type == "dictionary":
                keys = [pair.child_by_field_name("value") for pair in call.args[0].named_children
                        if pair.type == "pair"]
        elif named_for_a_change(call.method or (call.name or "").rsplit(".", 1)[-1]) and \
                not any(names_current_user(file, argument) for argument in call.args):
            # `update_comment(comment_id, text)`: a helper that changes the record with that id
            keys = [argument for argument in call.args if "id" in words(_key_name(file, argument))]
            keys += [pair.child_by_field_name("value") for argument in call.args[:1] if argument.type == "dictionary"
                     for pair in argument.named_children if pair.type == "pair"
                     and "id" in words(file.string_literal_text(pair.child_by_field_name("key")) or "")]
        elif call.method == "execute" and len(call.args) >= 2 and \
                _KEYED_SQL.search(str(file.constant_value(call.args[0]) or "")):
            keys = list(call.args[1].named_children) if call.args[1].type in ("tuple", "list") else [call.args[1]]
        for key in keys:
            if key is not None and not names_current_user(file, key) and not _secret_key(file, key) \
                    and not _cookie(file, key) and _from_request(file, handler, key):
                yield call, key
                break


def _cookie(file: PyFile, key: ts.Node) -> bool:
    """A key read from a cookie: `acting-user-from-client-cookie` reports it as the acting user."""
    found = client_controlled(file, key)
    return found is not None and found.kind == "cookie"


def _key_name(file: PyFile, argument: ts.Node) -> str:
    """What a key is called: `note_id`, or `"id"` in `request.get_json()["id"]` / `request.args.get("id")`."""
    argument = unwrap(argument)
    if argument is None:
        return ""
    if argument.type == "identifier":
        return file.text_of(argument)
    if argument.type == "subscript":
        return file.string_literal_text(argument.child_by_field_name("subscript")) or ""
    if argument.type == "call" and file.call_at(argument).args:
        return file.string_literal_text(file.call_at(argument).args[0]) or ""
    return ""


def _secret_key(file: PyFile, key: ts.Node) -> bool:
    """A key only its owner knows (`reset_token=token`): finding the object by it proves the right to it."""
    argument = key.parent if key.parent is not None and key.parent.type == "keyword_argument" else None
    names = file.text_of(key) + " " + (file.text_of(argument.child_by_field_name("name")) if argument else "")
    return bool(set(words(names)) & _SECRET_WORDS)


def _model_receiver(file: PyFile, call: Call) -> bool:
    """`Model.objects`, `Model.query`, `db.session` / `session.query(Model)`, a Mongo collection."""
    text = file.text_of(call.receiver)
    if call.method in ("find_one", "find"):
        return call.receiver.type in ("attribute", "subscript") and "request" not in text
    if call.method == "get" and re.search(r"(^|\.)session$", text):
        return len(call.args) == 2  # `session.get(Model, id)`
    return bool(re.search(r"\.objects\b|\.query\b|(^|\.)query\(", text))


def _from_request(file: PyFile, handler: Handler, key: ts.Node, depth: int = 0) -> bool:
    """The key is a URL parameter of the handler, or request data, possibly converted or through locals."""
    key = unwrap(key)
    if key is None or depth > 3:
        return False
    if key.type == "call":
        call = file.call_at(key)
        if (call.name in _CONVERSIONS or call.method in _CONVERSIONS) and (call.args or call.receiver):
            inner = call.args[0] if call.args else call.receiver
            return _from_request(file, handler, inner, depth + 1)
        return request_rooted(file, key)
    if key.type == "identifier":
        name = file.text_of(key)
        if file.is_parameter(name, handler.function):
            return name not in ("request", "self", "cls", "req")
        bindings = file.reaching_bindings(key)
        return bool(bindings) and any(_from_request(file, handler, file.bound_value(b, i), depth + 1)
                                      for b, i in bindings)
    return request_rooted(file, key)


def _use_of(file: PyFile, handler: Handler, lookup: Call) -> str | None:
    """"changes" when the looked-up object is changed or deleted, "reads" when it is returned or rendered."""
    if named_for_a_change(lookup.method or (lookup.name or "").rsplit(".", 1)[-1]):
        return "changes"
    parent = lookup.node.parent
    if parent is not None and parent.type == "attribute":  # `Model.objects.get(pk=pk).delete()`
        chained = parent.parent
        if chained is not None and chained.type == "call" and chained in state_changes(file, handler.function):
            return "changes"
    name = _bound_name(file, lookup.node)
    if name is None:
        return "reads" if file.inside(lookup.node, ("return_statement",)) is not None else None
    for change in state_changes(file, handler.function):
        if re.search(rf"\b{re.escape(name)}\b", file.text_of(change)):
            return "changes"
    for call in file.method_calls(*WRITE_VERBS):
        if call.receiver is not None and file.text_of(call.receiver) == name and \
                file.inside(call.node, ("function_definition",)) == handler.function:
            return "changes"  # `comment.approve()`, `order.cancel()`: the model changes itself
    for assignment in descendants(handler.function, frozenset({"assignment"})):
        left = assignment.child_by_field_name("left")
        if left is not None and left.type == "attribute" and file.text_of(left).startswith(name + "."):
            return "changes"
    if state_changes(file, handler.function) and _attached(file, handler, name):
        return "changes"  # `Task(project=proj).save()`: new data attached to the object
    for statement in descendants(handler.function, frozenset({"return_statement"})):
        # the object itself or its fields, not only its id for a redirect (`pk=obj.pk`)
        if re.search(rf"\b{re.escape(name)}\b(?!\.(pk|id)\b)", file.text_of(statement)):
            return "reads"
    for node in descendants(handler.function, frozenset({"call"})):
        call = file.call_at(node)
        if set(words(call.name or call.method or "")) & _PRESENTERS and \
                any(file.text_of(argument) == name for argument in call.args):
            return "reads"  # `ScoreSerializer(exam)`, `render(request, ..., obj)`: the object goes to the response
    return None


def _attached(file: PyFile, handler: Handler, name: str) -> bool:
    """`name` is handed to a model constructor (`Task(project=proj)`): the new record belongs to it."""
    for node in descendants(handler.function, frozenset({"call"})):
        call = file.call_at(node)
        callee = (call.name or "").rsplit(".", 1)[-1]
        if callee[:1].isupper() and any(file.text_of(argument) == name for argument in
                                        [*call.args, *call.kwargs.values()]):
            return True
    return False


def _bound_name(file: PyFile, node: ts.Node) -> str | None:
    """`obj` in `obj = lookup(...)` or `obj = lookup(...).first()`."""
    current = node
    while current.parent is not None and current.parent.type in ("attribute", "call") and \
            current.parent.type != "assignment":
        current = current.parent
    assignment = current.parent
    if assignment is None or assignment.type != "assignment":
        return None
    left = assignment.child_by_field_name("left")
    return file.text_of(left) if left is not None and left.type == "identifier" else None
