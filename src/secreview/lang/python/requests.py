"""Requests and responses of web frameworks: request objects, data read from them, uploads, HTTP statuses.

Two cheap syntactic tests come before asking the dataflow about attacker data: `may_hold_remote_input`
(per file) and `request_rooted` (per expression).
"""

from __future__ import annotations

import re

import tree_sitter as ts

from secreview import taint
from secreview.lang.python import web
from secreview.lang.python.file import PyFile
from secreview.lang.python.syntax import unwrap

# -- request data ---------------------------------------------------------------------

_REQUEST_OBJECT_NAMES = frozenset({"request", "req"})


def is_request_object(file: PyFile, node: ts.Node | None) -> bool:
    """`flask.request` (any alias), a `request`/`req` parameter or `self.request`."""
    node = unwrap(node)
    if node is None:
        return False
    qualified = file.qualified_name(node) or ""
    if qualified in ("flask.request", "quart.request", "bottle.request", "werkzeug.request"):
        return True
    if node.type == "identifier" and file.text_of(node) in _REQUEST_OBJECT_NAMES:
        return True
    return node.type == "attribute" and file.text_of(node).replace(" ", "") in ("self.request", "self.req")


def provenance_kind(file: PyFile, node: ts.Node, cls: str = "trust") -> str:
    """"source", "param", "none" or "unknown": where the data at `node` comes from."""
    try:
        return taint.provenance(taint.analysis_for(file), node, cls).kind
    except Exception:  # noqa: BLE001 - a dataflow failure must not sink a pattern rule
        return "unknown"


# -- uploads ------------------------------------------------------------------------------

_FILES_COLLECTIONS = frozenset({"files", "FILES"})
_UPLOAD_TYPES = re.compile(r"\b(UploadFile|FileStorage|UploadedFile|InMemoryUploadedFile|TemporaryUploadedFile|"
                           r"SimpleUploadedFile|FieldStorage)\b")
_WEB_FRAMEWORKS = ("flask", "django", "starlette", "fastapi", "werkzeug", "bottle", "tornado", "falcon", "pyramid",
                  "quart", "sanic", "aiohttp", "rest_framework", "cgi")


def _files_collection(file: PyFile, node: ts.Node | None) -> bool:
    """`request.files`, `request.FILES`, `self.request.FILES` (any request object)."""
    node = unwrap(node)
    return node is not None and node.type == "attribute" and \
        file.text_of(node.child_by_field_name("attribute")) in _FILES_COLLECTIONS and \
        is_request_object(file, node.child_by_field_name("object"))


def _from_files(file: PyFile, node: ts.Node | None) -> bool:
    """`request.files["f"]`, `request.FILES.get("f")`, `request.files.getlist("f")`, `request.data["f"]`,
    `form.cleaned_data["f"]`."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "subscript":
        value = node.child_by_field_name("value")
        return _files_collection(file, value) or _upload_mapping(file, value)
    if node.type == "call":
        call = file.call_at(node)
        if call.method in ("get", "getlist", "getone", "getall", "pop", "values", "listvalues", "items") \
                and call.receiver is not None:
            return _files_collection(file, call.receiver) or _upload_mapping(file, call.receiver)
    return False


def _upload_mapping(file: PyFile, node: ts.Node | None) -> bool:
    """Mappings that hold uploaded files next to other fields: `form.cleaned_data`, DRF `request.data`."""
    node = unwrap(node)
    if node is None or node.type != "attribute":
        return False
    attribute = file.text_of(node.child_by_field_name("attribute"))
    return attribute in ("cleaned_data", "validated_data") or \
        (attribute == "data" and is_request_object(file, node.child_by_field_name("object")))


def is_upload(file: PyFile, node: ts.Node | None, _depth: int = 0) -> bool:
    """True if `node` is an uploaded file object sent by the client."""
    node = unwrap(node)
    if node is None or _depth > 3:
        return False
    if _from_files(file, node):
        return True
    if node.type != "identifier":
        return False
    name = file.text_of(node)
    scope = file.enclosing_scope(node)
    if scope.type == "function_definition" and file.is_parameter(name, scope):
        parameters = scope.child_by_field_name("parameters")
        for param in parameters.named_children:
            ident = param.child_by_field_name("name") if param.type != "identifier" else param
            if ident is not None and file.text_of(ident) == name:
                annotation = param.child_by_field_name("type")
                default = param.child_by_field_name("value")
                text = (file.text_of(annotation) if annotation is not None else "") + " " + \
                       (file.text_of(default) if default is not None else "")
                return bool(_UPLOAD_TYPES.search(text) or re.search(r"\bFile\(", text))
        return False
    for binding, identifier in file.reaching_bindings(node):
        if binding.type == "for_statement":
            right = binding.child_by_field_name("right")
            if _from_files(file, right) or _files_collection(file, right):
                return True
            continue
        value = file.bound_value(binding, identifier)
        if value is not None and (_from_files(file, value) or is_upload(file, value, _depth + 1)):
            return True
    return False


def web_module(file: PyFile) -> bool:
    """True when the file imports a web framework."""
    return any(file.imports_module(name) for name in _WEB_FRAMEWORKS)


# -- remote input -------------------------------------------------------------------------
# `_REMOTE_INPUT` is only a text pre-filter (cheap, may say yes wrongly); which functions are route
# handlers is decided by lang/python/web.py, the one definition.

_REMOTE_INPUT = re.compile(r"\b(?:request|req|recv\w*|rfile|graphene|strawberry|ariadne)\b|RequestHandler|"
                           r"@\w+\.(?:route|get|post|put|patch|"
                           r"delete)\(")


def may_hold_remote_input(file: PyFile) -> bool:
    """A cheap pre-check before asking the dataflow about attacker data: the file mentions a request
    object, a request-handler class, a route decorator, a socket read or a GraphQL server."""
    return file.memo(("may-hold-remote-input",), lambda: bool(_REMOTE_INPUT.search(file.text)))


_REQUEST_ROOTS = frozenset({"request", "req", "flask_request", "self.request", "self.req"})
_SOURCE_MODULES = ("flask.request", "bottle.request", "quart.request", "werkzeug.request", "socket")


def request_rooted(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """A cheap syntactic test before asking the dataflow: the value is read from a request object
    (`request.args[...]`, `req.headers.get(...)`), from `self` in a request-handler class, from a socket
    (`.recv()`), or from a parameter of a route handler, possibly through local names."""
    node = unwrap(node)
    if node is None or depth > 6:
        return False
    text = file.text_of(node)
    if text in _REQUEST_ROOTS or (file.qualified_name(node) or "").startswith(_SOURCE_MODULES):
        return True
    if node.type == "attribute":
        return request_rooted(file, node.child_by_field_name("object"), depth + 1)
    if node.type == "subscript":
        return request_rooted(file, node.child_by_field_name("value"), depth + 1)
    if node.type == "boolean_operator":
        return any(request_rooted(file, c, depth + 1) for c in node.named_children)
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute":
            if file.text_of(function.child_by_field_name("attribute")).startswith("recv"):
                return True
            return request_rooted(file, function.child_by_field_name("object"), depth + 1)
        call = file.call_at(node)
        return bool(call.args) and request_rooted(file, call.args[0], depth + 1)
    if node.type == "identifier":
        if text == "self":
            return "RequestHandler" in file.text
        scope = file.enclosing_scope(node)
        if file.is_parameter(text, scope):
            return scope.type == "function_definition" and \
                (web.is_route_handler(file, scope) or web.fills_from_request(file, scope, text))
        bindings = file.reaching_bindings(node)
        for binding, identifier in bindings:
            value = file.bound_value(binding, identifier)
            if value is None and binding.type == "for_statement":
                value = binding.child_by_field_name("right")
            if value is not None and request_rooted(file, value, depth + 1):
                return True
    return False


# -- responses --------------------------------------------------------------------------

# HTTPStatus member names and their codes
HTTP_STATUS_NAMES = {
    "OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204, "BAD_REQUEST": 400, "UNAUTHORIZED": 401,
    "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409, "INTERNAL_SERVER_ERROR": 500, "SERVICE_UNAVAILABLE": 503,
    "BAD_GATEWAY": 502, "UNPROCESSABLE_ENTITY": 422,
}
