"""Object attributes named by the client: a request's whole mapping written into a model.

## What it does
Reports a request's whole mapping (`request.json`, `request.get_json()`,
`request.form`, `request.values`, Django's `request.POST` / `request.GET`, DRF's
`request.data`, `json.loads(request.data)`, and `.to_dict()` / `.dict()` /
`dict(...)` copies of them) written into an object where each key names the
attribute it sets:

- expanded with `**` into a class constructor (`User(**request.json)`; the body's
  mapping only, not the query string's, which mostly fills filter objects) or into an
  ORM write (`User.objects.create(**...)`, `update_or_create`, `query.update(**...)`);
- passed to `query.update(mapping)`, `obj.__dict__.update(mapping)` or
  `vars(obj).update(mapping)`;
- iterated with `setattr(obj, key, ...)` on each key.

The taint engine follows values, not keys, so the rule recognises the whole
mapping by its shape and asks the dataflow to confirm that it is request data.
A mapping rebuilt from chosen keys (`{"name": data["name"]}`, a comprehension
filtering on an allow-list) is not the whole mapping and is not reported.
Constructors of classes whose name says they validate input (`...Schema`,
`...Form`, `...Serializer`, `...Input`, `...Request`) and same-file subclasses of
pydantic's `BaseModel`, `TypedDict` or `NamedTuple` are left alone.

## Why is this bad?
The client chooses which attributes are set, not just their values: a sign-up
request carrying `"is_admin": true`, `"role": "owner"` or `"owner_id": 1` sets
fields the form never showed (CWE-915, mass assignment).

## Example
```python
from flask import request

def register():
    user = User(**request.get_json())
    db.session.add(user)
```

## Use instead
```python
from flask import request

def register():
    data = request.get_json()
    user = User(name=data["name"], email=data["email"])
    db.session.add(user)
```

## References
- https://cwe.mitre.org/data/definitions/915.html
- https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import descendants
from secreview import taint
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import AnalysisLimitExceeded, Hit, shorten
from secreview.rules._dataflow import source_note, trace_of
from secreview.rules.python._taint import TaintSinkRule

# attributes of a request object that hold the client's whole mapping (Flask, Django, DRF, Starlette)
_MAPPING_ATTRIBUTES = frozenset({"json", "form", "values", "args", "POST", "GET", "data", "query_params"})
_MAPPING_METHODS = frozenset({"get_json", "json", "form"})  # `request.get_json()`, Starlette's `await request.json()`
_REQUEST_NAMES = frozenset({"request", "req", "self.request", "flask.request", "quart.request", "bottle.request"})
_COPYING_METHODS = frozenset({"to_dict", "dict", "copy"})
_COPYING_CALLS = frozenset({"dict", "json.loads", "flask.json.loads", "ujson.loads", "orjson.loads"})
_ORM_WRITES = frozenset({"create", "update", "update_or_create", "get_or_create"})
_VALIDATING_CLASS = re.compile(r"(Schema|Form|Serializer|Input|Request|Params|Args|DTO|Dto|Query|Filter|Error|"
                               r"Exception|Response)$")
_VALIDATING_BASES = frozenset({"BaseModel", "TypedDict", "NamedTuple", "Schema"})
_QUERY_METHODS = frozenset({"filter", "filter_by", "where", "query", "exclude", "all", "select_for_update"})
_QUERY_ATTRIBUTES = frozenset({"query", "objects"})


class MassAssignmentFromRequest(TaintSinkRule):
    id = "mass-assignment-from-request"
    cwe = 915
    vulnerability = "mass"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "The client chooses which attributes {sink} sets ({source})"
    description = (
        "{sink} receives `{argument}`, the whole mapping the client sent, so every key the client "
        "adds names an attribute that is set: fields such as `is_admin`, `role` or `owner_id` that "
        "the form never offered."
    )
    solution = (
        "Copy only the fields the client may set (`User(name=data[\"name\"], email=data[\"email\"])`), "
        "or validate the body with a schema that lists them and ignores or rejects the rest."
    )

    def sink_calls(self, file: PyFile):
        return ()

    def deciding_parts(self, file: PyFile, data: ts.Node) -> list[ts.Node]:
        request_node = _whole_request_mapping(file, data)
        return [request_node] if request_node is not None else []

    def check(self, file: PyFile) -> Iterator[Hit]:
        candidates = list(self.extra_sinks(file))
        if not candidates:
            return
        analysis = taint.analysis_for(file)
        for call_node, description, data in candidates:
            parts = self.deciding_parts(file, data)
            if not parts:
                continue
            verdict = taint.provenance(analysis, parts[0], self.vulnerability)
            values = {"sink": description, "argument": shorten(file.text_of(data))}
            if verdict.from_source:
                yield Hit(call_node, {**values, "source": verdict.label.name}, confidence=Confidence.HIGH,
                          trace=trace_of(verdict) + ((call_node, f"reaches {description}"),),
                          note=source_note(file, verdict, description), evidence=Evidence.DATAFLOW)
            elif verdict.kind == "unknown" and _request_in_sight(file, parts[0]):
                # `**mapping` arguments are not evaluated by the interpreter: the request read is in the
                # same expression, so the source is decided by the import or the view's parameter
                yield Hit(call_node, {**values, "source": "the request body"}, confidence=Confidence.HIGH,
                          trace=((parts[0], "the request's whole mapping"), (call_node, f"reaches {description}")),
                          evidence=Evidence.DATAFLOW)
        if analysis.incomplete:
            raise AnalysisLimitExceeded(analysis.incomplete)

    def extra_sinks(self, file: PyFile) -> Iterable[tuple[ts.Node, str, ts.Node]]:
        if not _mentions_request(file):
            return []
        return list(self._splats(file)) + list(self._updates(file)) + list(self._setattr_loops(file))

    def _splats(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for call in file.calls:
            if not call.has_star_args:
                continue
            arguments = call.node.child_by_field_name("arguments")
            for child in arguments.named_children if arguments is not None else ():
                if child.type != "dictionary_splat" or not child.named_children:
                    continue
                mapping = child.named_children[0]
                if _whole_request_mapping(file, mapping) is None:
                    continue
                target = _write_target(file, call)
                if target is not None and (target.startswith("`") or not _query_string(file, mapping)):
                    yield call.node, target, mapping

    def _updates(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for call in file.method_calls("update"):
            if len(call.args) != 1 or call.receiver is None:
                continue
            if _whole_request_mapping(file, call.args[0]) is None:
                continue
            receiver = call.receiver
            text = file.text_of(receiver)
            if receiver.type == "attribute" and file.text_of(receiver.child_by_field_name("attribute")) == "__dict__":
                yield call.node, f"`{_short(text)}.update`", call.args[0]
            elif receiver.type == "call" and file.call_at(receiver).name == "vars":
                yield call.node, f"`{_short(text)}.update`", call.args[0]
            elif _is_query(file, receiver):
                yield call.node, "the ORM `update`", call.args[0]

    def _setattr_loops(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for loop in file.nodes_of_type("for_statement"):
            left, right = loop.child_by_field_name("left"), loop.child_by_field_name("right")
            if left is None or right is None:
                continue
            iterated, key = right, left
            if right.type == "call" and file.call_at(right).method == "items" and file.call_at(right).receiver:
                iterated = file.call_at(right).receiver
                if left.type not in ("pattern_list", "tuple_pattern") or not left.named_children:
                    continue
                key = left.named_children[0]
            elif right.type == "call" and file.call_at(right).method == "keys" and file.call_at(right).receiver:
                iterated = file.call_at(right).receiver
            if key.type != "identifier":
                continue
            mapping = _whole_request_mapping(file, iterated)
            if mapping is None:
                continue
            body = loop.child_by_field_name("body")
            for node in descendants(body, frozenset({"call"})) if body is not None else ():
                call = file.call_at(node)
                if call.name == "setattr" and len(call.args) >= 2 and file.text_of(call.args[1]) == file.text_of(key):
                    yield node, f"`setattr` on `{_short(file.text_of(call.args[0]))}`", iterated
                    break


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _mentions_request(file: PyFile) -> bool:
    return any(name in file.text for name in ("request", "req."))


def _whole_request_mapping(file: PyFile, node: ts.Node, depth: int = 0) -> ts.Node | None:
    """The request attribute or call `node` is (a copy of) the whole mapping of, else None."""
    if depth > 4:
        return None
    if node.type == "await":
        return _whole_request_mapping(file, node.named_children[0], depth + 1) if node.named_children else None
    if node.type == "parenthesized_expression" and node.named_children:
        return _whole_request_mapping(file, node.named_children[0], depth + 1)
    if node.type == "identifier":
        bindings = file.bindings_before(node)
        if len(bindings) != 1:
            return None
        value = file.bound_value(*bindings[0])
        return _whole_request_mapping(file, value, depth + 1) if value is not None else None
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        owner = node.child_by_field_name("object")
        if attribute in _MAPPING_ATTRIBUTES and _is_request(file, owner):
            return node
        return None
    if node.type == "call":
        call = file.call_at(node)
        if call.receiver is not None and call.method in _MAPPING_METHODS and _is_request(file, call.receiver):
            return node
        if call.receiver is not None and call.method in _COPYING_METHODS and not call.args:
            return _whole_request_mapping(file, call.receiver, depth + 1)
        if call.name in _COPYING_CALLS and len(call.args) == 1 and not call.kwargs:
            return _whole_request_mapping(file, call.args[0], depth + 1)
    return None


_IMPORTED_REQUESTS = frozenset({"flask.request", "quart.request", "bottle.request"})


def _request_in_sight(file: PyFile, node: ts.Node) -> bool:
    """The request object `node` reads from is an imported request proxy or a view's `request` parameter."""
    owner = node.child_by_field_name("object") if node.type == "attribute" else None
    if node.type == "call":
        owner = file.call_at(node).receiver
    if owner is None:
        return False
    if file.qualified_name(owner) in _IMPORTED_REQUESTS:
        return True
    return owner.type == "identifier" and file.text_of(owner) in ("request", "req") and \
        file.is_parameter(file.text_of(owner), file.enclosing_scope(owner))


def _is_request(file: PyFile, node: ts.Node | None) -> bool:
    if node is None:
        return False
    return file.text_of(node) in _REQUEST_NAMES or file.qualified_name(node) in _REQUEST_NAMES


def _query_string(file: PyFile, mapping: ts.Node) -> bool:
    """The mapping is the query string: search parameters, written into a constructor only by filter objects."""
    node = _whole_request_mapping(file, mapping)
    if node is not None and node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute")) in ("args", "GET", "query_params")
    return False


def _is_query(file: PyFile, node: ts.Node) -> bool:
    """`Model.query`, `Model.objects`, or a query built from them (`...filter_by(id=1)`, `session.query(M)`)."""
    if node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute")) in _QUERY_ATTRIBUTES
    if node.type == "call":
        return file.call_at(node).method in _QUERY_METHODS
    return False


def _write_target(file: PyFile, call) -> str | None:
    """How a call taking `**mapping` writes attributes, or None when it does not (plain functions, filters)."""
    function = call.node.child_by_field_name("function")
    if call.method in _ORM_WRITES and call.receiver is not None:
        if not _is_query(file, call.receiver):
            return None
        return f"`{_short(file.text_of(function))}`"
    name = call.method
    if not name or not name[:1].isupper() or name.isupper():
        return None
    if _VALIDATING_CLASS.search(name) or _validating_class_here(file, name):
        return None
    return f"the `{name}` constructor"


def _validating_class_here(file: PyFile, name: str) -> bool:
    for node in file.nodes_of_type("class_definition"):
        if file.text_of(node.child_by_field_name("name")) != name:
            continue
        bases = node.child_by_field_name("superclasses")
        if bases is None:
            return False
        for base in bases.named_children:
            if file.text_of(base).rsplit(".", 1)[-1] in _VALIDATING_BASES:
                return True
        return False
    return False
