"""Shared logic of the interaction / calculation / coding-standard rule family.

Rules of CWE-1000 pillars 435 (interpretation conflicts between the code and
another entity: a tool guessing a file format, a client declaring a type),
682 (incorrect calculation: division by zero, lengths in narrow fields,
unit mix-ups, off-by-one bounds) and 710 (coding standards: debug code,
obsolete APIs, empty or dead security checks, dereferenced `None`
defaults).

Everything here reads the tree-sitter tree of one `PyFile`; nothing
evaluates or imports the analysed code.

Vocabulary:

- the *own* nodes of a function are those that run in its frame, not in a
  nested function, lambda or class;
- an expression *mentions* a name when an identifier or attribute chain with
  that exact (whitespace-free) text occurs in it;
- a *security check* is a call, raise or abort whose name says it checks
  permissions, authentication, CSRF tokens, signatures or certificates.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.syntax import unwrap, normalise
from secreview.lang.python.file import NOT_CONSTANT, Call, PyFile
from secreview.model import Confidence
from secreview.rules import Hit
from secreview.rules import shorten
from secreview.knowledge.vocabulary import words
from secreview.testcode import is_test_path as is_test_file

__all__ = ["is_test_file", "words", "shorten"]

def low_in_tests(file: PyFile, hits: Iterable[Hit]) -> Iterator[Hit]:
    """The hits, at low confidence when the file is test code (tests quote dangerous calls on purpose)."""
    test_code = is_test_file(file.path)
    for hit in hits:
        yield dataclasses.replace(hit, confidence=Confidence.LOW) if test_code else hit


NESTED = frozenset({"function_definition", "lambda", "class_definition"})
EXITS = frozenset({"return_statement", "raise_statement", "continue_statement", "break_statement"})
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})


# -- text and structure ---------------------------------------------------------




def function_of(file: PyFile, node: ts.Node) -> ts.Node | None:
    """The function whose frame runs `node` (None at module or class level, or inside a lambda)."""
    for ancestor in file.ancestors(node):
        if ancestor.type == "function_definition":
            return ancestor
        if ancestor.type in ("lambda", "class_definition"):
            return None
    return None


def runs_in(node: ts.Node, scope: ts.Node) -> bool:
    """True if `node` is inside `scope` and not inside a function, lambda or class nested in it."""
    current = node.parent
    while current is not None and current != scope:
        if current.type in NESTED:
            return False
        current = current.parent
    return current is not None


def own_nodes(file: PyFile, scope: ts.Node, *types: str) -> list[ts.Node]:
    """Indexed nodes of `types` that run in `scope`'s own frame."""
    return [n for n in file.nodes_of_type(*types, within=scope) if n != scope and runs_in(n, scope)]


def descendants(node: ts.Node, types: frozenset[str] | None = None, stop: frozenset[str] = NESTED) -> Iterator[ts.Node]:
    """Nodes below `node` (of `types` if given), not entering nested scopes."""
    stack = list(reversed(node.named_children))
    while stack:
        current = stack.pop()
        if types is None or current.type in types:
            yield current
        if current.type not in stop:
            stack.extend(reversed(current.named_children))


def mentions(file: PyFile, node: ts.Node | None, text: str) -> bool:
    """True if `node` contains an identifier/attribute chain whose text is `text` (whitespace ignored)."""
    if node is None:
        return False
    wanted = normalise(text)
    if node.type in ("identifier", "attribute", "subscript") and normalise(file.text_of(node)) == wanted:
        return True
    if wanted not in normalise(file.text_of(node)):
        return False
    for child in descendants(node, frozenset({"identifier", "attribute", "subscript"}), stop=frozenset()):
        if normalise(file.text_of(child)) == wanted:
            return True
    return False


def block_exits(block: ts.Node | None) -> bool:
    """True if the block's last statement leaves it (return/raise/continue/break, or an abort/exit call)."""
    if block is None or not block.named_children:
        return False
    statements = [c for c in block.named_children if c.type != "comment"]
    if not statements:
        return False
    last = statements[-1]
    if last.type in EXITS:
        return True
    if last.type == "expression_statement" and last.named_children and last.named_children[0].type == "call":
        function = last.named_children[0].child_by_field_name("function")
        name = function is not None and function.type in ("identifier", "attribute") and \
            function.text.decode("utf-8", "replace").rsplit(".", 1)[-1]
        return name in ("abort", "exit", "_exit", "fail")
    if last.type == "try_statement":
        body = last.child_by_field_name("body")
        handlers = [c.named_children[-1] for c in last.named_children if c.type == "except_clause" and c.named_children]
        otherwise = [c.named_children[-1] for c in last.named_children if c.type == "else_clause" and c.named_children]
        return (block_exits(body) or any(block_exits(b) for b in otherwise)) and all(block_exits(h) for h in handlers)
    if last.type == "with_statement":
        return block_exits(last.child_by_field_name("body"))
    if last.type == "if_statement":
        alternatives = last.children_by_field_name("alternative")
        if not any(a.type == "else_clause" for a in alternatives):
            return False
        branches = [last.child_by_field_name("consequence")] + [
            a.child_by_field_name("body") if a.type == "else_clause" else a.child_by_field_name("consequence")
            for a in alternatives]
        return all(block_exits(b) for b in branches)
    return False


def caught_by(file: PyFile, node: ts.Node, names: Iterable[str], broad: bool = True) -> bool:
    """True if `node` runs in the body of a `try` that catches one of `names` (or, if `broad`,
    a bare `except:`, `Exception` or `BaseException`)."""
    wanted = set(names) | (BROAD_EXCEPTIONS if broad else set())
    child = node
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED:
            return False
        if ancestor.type == "try_statement" and ancestor.child_by_field_name("body") == child:
            for clause in ancestor.named_children:
                if clause.type != "except_clause":
                    continue
                caught = [c for c in clause.named_children if c.type != "block"]
                if not caught:
                    if broad:
                        return True
                    continue
                text = file.text_of(caught[0])
                names_here = {part.rsplit(".", 1)[-1] for part in re.findall(r"[\w.]+", text)}
                if names_here & wanted:
                    return True
        child = ancestor
    return False


def conditions_enclosing(file: PyFile, node: ts.Node, scope: ts.Node | None = None) -> Iterator[tuple[ts.Node, bool]]:
    """Conditions under which `node` runs, innermost first: (condition, holds).

    `holds` is False for the `else` side. Covers if/elif/else, while, ternaries
    and the right operand of `and`/`or`.
    """
    child = node
    for ancestor in file.ancestors(node):
        if ancestor == scope or ancestor.type in NESTED:
            return
        kind = ancestor.type
        if kind in ("if_statement", "elif_clause", "while_statement"):
            condition = ancestor.child_by_field_name("condition")
            if child == ancestor.child_by_field_name("consequence") or child == ancestor.child_by_field_name("body"):
                yield condition, True
            elif child.type in ("else_clause", "elif_clause"):
                yield condition, False
        elif kind == "else_clause" and ancestor.parent is not None and ancestor.parent.type == "if_statement":
            pass  # handled at the if_statement level through the else_clause child
        elif kind == "conditional_expression" and ancestor.named_child_count >= 3:
            body, condition, alternative = ancestor.named_children[:3]
            if child == body:
                yield condition, True
            elif child == alternative:
                yield condition, False
        elif kind == "boolean_operator" and child == ancestor.child_by_field_name("right"):
            operator = file.text_of(ancestor.child_by_field_name("operator"))
            yield ancestor.child_by_field_name("left"), operator == "and"
        child = ancestor


def first_statement_of(file: PyFile, node: ts.Node, scope: ts.Node) -> ts.Node:
    """The statement of `scope`'s own frame that contains `node`."""
    current = node
    while current.parent is not None and current.parent != scope:
        if current.parent.type == "block" and current.parent.parent == scope:
            return current
        current = current.parent
    return current


# -- names and words ----------------------------------------------------------------

def leaf_name(file: PyFile, node: ts.Node | None) -> str | None:
    """The name an operand is known by: `x`, `obj.x`, `d["x"]` -> "x"; None otherwise."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "identifier":
        return file.text_of(node)
    if node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute"))
    if node.type == "subscript":
        key = node.child_by_field_name("subscript")
        value = file.string_literal_text(key) if key is not None else None
        return value if value and re.fullmatch(r"[A-Za-z_][\w\-]*", value) else None
    return None


def parameter_defaults(file: PyFile, function: ts.Node) -> list[tuple[str, ts.Node, ts.Node]]:
    """(name, name node, default value) for every parameter of `function` that has a default."""
    parameters = function.child_by_field_name("parameters")
    found = []
    for param in parameters.named_children if parameters is not None else ():
        if param.type in ("default_parameter", "typed_default_parameter"):
            name = param.child_by_field_name("name")
            value = param.child_by_field_name("value")
            if name is not None and value is not None and name.type == "identifier":
                found.append((file.text_of(name), name, value))
    return found


def parameter_names(file: PyFile, function: ts.Node) -> list[str]:
    parameters = function.child_by_field_name("parameters")
    names = []
    for param in parameters.named_children if parameters is not None else ():
        ident = param if param.type == "identifier" else param.child_by_field_name("name")
        if ident is None and param.named_children:
            ident = param.named_children[0]
        if ident is not None and ident.type == "identifier":
            names.append(file.text_of(ident))
    return names


def decorators_of(file: PyFile, function: ts.Node) -> list[str]:
    """Texts of the decorators of `function` (without `@`)."""
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    return [file.text_of(d).lstrip("@").strip() for d in parent.named_children if d.type == "decorator"]


def enclosing_class(file: PyFile, function: ts.Node) -> ts.Node | None:
    """The class whose body defines `function` directly."""
    parent = function.parent
    if parent is not None and parent.type == "decorated_definition":
        parent = parent.parent
    if parent is not None and parent.type == "block" and parent.parent is not None \
            and parent.parent.type == "class_definition":
        return parent.parent
    return None


def class_bases(file: PyFile, cls: ts.Node) -> list[str]:
    superclasses = cls.child_by_field_name("superclasses")
    if superclasses is None:
        return []
    return [file.text_of(b) for b in superclasses.named_children if b.type != "keyword_argument"]


# -- security vocabulary ------------------------------------------------------------

SECURITY_NOUNS = frozenset({
    "permission", "permissions", "perm", "perms", "auth", "authorized", "authorised", "authorization",
    "authorisation", "authenticated", "authentication", "access", "acl", "acls", "role", "roles",
    "privilege", "privileges", "priv", "owner", "ownership", "admin", "signature", "sig", "csrf", "xsrf",
    "token", "password", "passwd", "credential", "credentials", "cert", "certificate", "hostname",
    "login", "policy", "policies", "rights", "allowed", "hmac", "mac", "captcha",
    "otp", "mfa", "nonce", "origin", "referer", "referrer", "grant", "grants", "entitlement", "quota",
    "sudo", "superuser", "staff", "rbac", "tenant", "secret", "jwt", "session",
})
CHECK_VERBS = frozenset({
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
_AUTH_DECORATORS = re.compile(r"(login|auth|permission|perm|role|admin|staff|superuser|scope)s?_required|"
                              r"requires?_(auth|login|permission|role|admin|scope)|authenticated|authorize",
                              re.I)


_STATES = frozenset({"authorized", "authorised", "authenticated", "allowed", "permitted", "trusted"})
_VALIDITY = frozenset({"valid", "verified", "correct", "ok", "matches", "match"})
_SECRET_NOUNS = frozenset({"token", "signature", "sig", "password", "passwd", "csrf", "xsrf", "hmac", "mac", "cert",
                           "certificate", "otp", "nonce", "session", "credential", "credentials", "jwt", "captcha",
                           "origin", "referer", "referrer", "hostname"})
_PERMISSION_NOUNS = frozenset({"permission", "permissions", "perm", "perms", "access", "role", "roles", "privilege",
                               "privileges", "right", "rights", "scope", "scopes", "grant", "grants"})
_CAN_ACTIONS = frozenset({"access", "view", "edit", "delete", "modify", "manage", "change", "update", "create",
                          "administer", "admin", "see", "remove", "write", "approve", "impersonate"})
_ENFORCERS = frozenset({"check", "verify", "validate", "enforce", "require", "ensure", "assert"})


def check_function_kind(name: str) -> str | None:
    """How a function named `name` reports a security decision, judged from its name.

    "predicate": returns whether the caller is allowed (`is_authorized`, `has_permission`, `can_edit`);
    "enforcer": refuses by raising (`check_permission`, `verify_token`, `require_admin`, `authorize`);
    "authenticator": returns the authenticated principal or None (`authenticate`); None otherwise.
    """
    parts = words(name)
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head in ("authorize", "authorise"):
        return "enforcer"
    if head == "authenticate":
        return "authenticator"
    if head == "is":
        if set(rest) & _STATES or (set(rest) & _VALIDITY and set(rest) & _SECRET_NOUNS):
            return "predicate"
        return None
    if head == "has":
        return "predicate" if set(rest) & _PERMISSION_NOUNS else None
    if head == "can":
        return "predicate" if rest and rest[0] in _CAN_ACTIONS else None
    if head in _ENFORCERS and any(p in SECURITY_NOUNS for p in rest):
        return "enforcer"
    return None


def security_check_name(name: str) -> bool:
    """`check_permission`, `verify_token`, `is_authorized`, `has_access`, `require_login`, `authorize`..."""
    parts = words(name)
    if not parts:
        return False
    if parts[0] in ("authorize", "authorise", "authenticate") or "authorize" in parts or "authorise" in parts:
        return True
    return parts[0] in CHECK_VERBS and any(p in SECURITY_NOUNS for p in parts[1:])


def auth_check_name(name: str) -> bool:
    """Like `security_check_name`, but only authentication/authorisation (not CSRF, signatures...)."""
    parts = words(name)
    if not parts:
        return False
    if "authorize" in parts or "authorise" in parts or "authenticate" in parts:
        return True
    return (parts[0] in CHECK_VERBS or parts[0] in ("login", "auth")) and \
        any(p in _AUTH_NOUNS - {"csrf", "xsrf", "signature", "sig", "hmac", "mac", "captcha"} for p in parts)


def security_exception(text: str) -> bool:
    return bool(_SECURITY_EXCEPTION.search(text))


def abort_status(file: PyFile, call: Call) -> int | None:
    """The status of `abort(403)` / `flask.abort(401)` / `HttpResponseForbidden()`-like calls."""
    if call.method in ("abort", "abort_with", "HTTPError") and call.args:
        value = file.constant_value(call.args[0])
        return value if isinstance(value, int) else None
    return None


def security_checks_in(file: PyFile, node: ts.Node, auth_only: bool = False) -> list[ts.Node]:
    """Calls, raises and aborts under `node` (own frame) that check or enforce security."""
    found = []
    name_test = auth_check_name if auth_only else security_check_name
    for child in descendants(node, frozenset({"call", "raise_statement", "attribute", "identifier"})):
        if child.type == "call":
            call = file.call_at(child)
            if call.method and name_test(call.method):
                found.append(child)
            elif abort_status(file, call) in (401, 403):
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


# -- request data ---------------------------------------------------------------------

_REQUEST_NAMES = frozenset({"request", "req"})


def is_request_object(file: PyFile, node: ts.Node | None) -> bool:
    """`flask.request` (any alias), a `request`/`req` parameter or `self.request`."""
    node = unwrap(node)
    if node is None:
        return False
    qualified = file.qualified_name(node) or ""
    if qualified in ("flask.request", "quart.request", "bottle.request", "werkzeug.request"):
        return True
    if node.type == "identifier" and file.text_of(node) in _REQUEST_NAMES:
        return True
    return node.type == "attribute" and file.text_of(node).replace(" ", "") in ("self.request", "self.req")


def provenance_kind(file: PyFile, node: ts.Node, cls: str = "trust") -> str:
    """"source", "param", "none" or "unknown": where the data at `node` comes from."""
    try:
        return taint.provenance(taint.analysis_for(file), node, cls).kind
    except Exception:  # noqa: BLE001 - a dataflow failure must not sink a pattern rule
        return "unknown"


def provenance_of(file: PyFile, node: ts.Node, cls: str = "trust") -> taint.Provenance:
    try:
        return taint.provenance(taint.analysis_for(file), node, cls)
    except Exception:  # noqa: BLE001
        return taint.Provenance("unknown")


def constant(file: PyFile, node: ts.Node | None) -> object:
    return file.constant_value(node) if node is not None else NOT_CONSTANT


def string_items(file: PyFile, node: ts.Node | None) -> list[str | None]:
    """The items of a list/tuple literal as strings (None for items that are not constant strings)."""
    node = unwrap(node)
    if node is None or node.type not in ("list", "tuple", "expression_list"):
        return []
    out: list[str | None] = []
    for item in node.named_children:
        value = file.constant_value(item)
        out.append(value if isinstance(value, str) else None)
    return out


# -- other reviewed modules -------------------------------------------------------------

def definition_text(file: PyFile, module: str, function: str) -> str | None:
    """Source text of `def function` in the reviewed module `module` (None if not reviewed or ambiguous).

    Asked through the file's context, so the module is recorded as consulted and a change to it
    invalidates the asking file's cached result.
    """
    sources = file.context.module_sources(module)
    if len(sources) != 1 or f"def {function}" not in sources[0].text:
        return None
    return _definition_in(sources[0].path, sources[0].text, function)


@functools.lru_cache(maxsize=256)
def _definition_in(path: str, text: str, function: str) -> str | None:
    parsed = PyFile(path, text)
    for definition in parsed.nodes_of_type("function_definition"):
        if parsed.text_of(definition.child_by_field_name("name")) == function:
            return parsed.text_of(definition)
    return None


# -- uploads ------------------------------------------------------------------------------

_FILES_COLLECTIONS = frozenset({"files", "FILES"})
_UPLOAD_TYPES = re.compile(r"\b(UploadFile|FileStorage|UploadedFile|InMemoryUploadedFile|TemporaryUploadedFile|"
                           r"SimpleUploadedFile|FieldStorage)\b")
_UPLOAD_WORDS = frozenset({"file", "files", "upload", "uploaded", "uploads", "attachment", "attachments", "image",
                           "img", "photo", "picture", "avatar", "document", "doc", "media", "video", "audio",
                           "logo", "icon", "thumbnail", "cv", "resume", "f"})
WEB_FRAMEWORKS = ("flask", "django", "starlette", "fastapi", "werkzeug", "bottle", "tornado", "falcon", "pyramid",
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


def uploadish_name(name: str) -> bool:
    return any(word in _UPLOAD_WORDS for word in words(name))


def web_module(file: PyFile) -> bool:
    return any(file.imports_module(name) for name in WEB_FRAMEWORKS)


_VALIDATOR_WORDS = frozenset({"allowed", "allow", "valid", "validate", "check", "is", "verify", "safe", "permitted",
                              "accept", "acceptable", "extension", "ext"})
_NAME_WRAPPERS = frozenset({"secure_filename", "os.path.basename", "basename", "str", "werkzeug.utils.secure_filename",
                            "get_valid_filename", "django.utils.text.get_valid_filename", "unquote",
                            "urllib.parse.unquote", "strip", "lower", "casefold"})


def client_filename(file: PyFile, node: ts.Node | None, _depth: int = 0) -> bool:
    """True if `node` holds the file name a client sent with an upload.

    `upload.filename`, `upload.name` of an uploaded file, names bound to those (also through
    `secure_filename()`/`basename()`, which keep the extension), request data whose dataflow comes from a
    source, and the `filename` parameter of a validation helper (`def allowed_file(filename)`) in a web module.
    """
    node = unwrap(node)
    if node is None or _depth > 3:
        return False
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        receiver = node.child_by_field_name("object")
        if attribute in ("filename", "raw_filename") and (is_upload(file, receiver) or
                                                          provenance_kind(file, receiver) == "source"):
            return True
        return attribute == "name" and is_upload(file, receiver)
    if node.type == "call":
        call = file.call_at(node)
        wrapper = call.name or call.method
        target = call.receiver if call.method in ("strip", "lower", "casefold") else call.arg(0)
        return wrapper in _NAME_WRAPPERS and client_filename(file, target, _depth + 1)
    if node.type != "identifier":
        return False
    name = file.text_of(node)
    scope = file.enclosing_scope(node)
    if scope.type == "function_definition" and file.is_parameter(name, scope):
        function_words = set(words(file.text_of(scope.child_by_field_name("name"))))
        return bool(re.search(r"file_?name|fname", name, re.I)) and bool(function_words & _VALIDATOR_WORDS) \
            and web_module(file)
    for binding, identifier in file.reaching_bindings(node):
        value = file.bound_value(binding, identifier)
        if value is not None and client_filename(file, value, _depth + 1):
            return True
    return False
