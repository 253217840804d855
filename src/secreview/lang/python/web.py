"""Web applications: which functions a framework calls for a URL, and which of their parameters it fills.

The one definition of a Python route handler, for the taint engine (a route
handler's parameters are request data) and for the rules.  What makes a
decorator a route is data: the route conventions of the knowledge modules
(`knowledge/flask.py`, `knowledge/fastapi.py`, ...), merged by
`knowledge.registry`.  So is what makes another function a handler the
framework calls with request data: a Tornado `RequestHandler.get`, a GraphQL
resolver (`knowledge/tornado.py`, `knowledge/graphql.py`).
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge import registry
from secreview.knowledge.schema import Handler
from secreview.lang.python.file import PyFile

_METHOD_RECEIVERS = frozenset({"self", "cls"})  # a method's own object or class, never request data
_MAX_BASE_DEPTH = 5  # local base classes followed to a framework's base (`MainHandler(BaseHandler)`)


def route_handlers(file: PyFile) -> Iterator[ts.Node]:
    """Functions a web framework calls for a URL (`@app.route(...)`, `@router.get(...)`)."""
    for definition in file.nodes_of_type("decorated_definition"):
        function = definition.child_by_field_name("definition")
        if function is not None and function.type == "function_definition" and _registers_route(file, definition):
            yield function


def is_route_handler(file: PyFile, function: ts.Node) -> bool:
    """`function` (a function definition) is registered for a URL by one of its decorators."""
    definition = function.parent
    return definition is not None and definition.type == "decorated_definition" and _registers_route(file, definition)


def fills_from_request(file: PyFile, function: ts.Node | None, parameter: str) -> bool:
    """The framework fills `parameter` of route handler `function` from the request (a URL path parameter).

    Not the method's own object, not the request object itself, not a context
    parameter (a database session), not one injected through a dependency
    marker (`db = Depends(get_db)`); and never in a function that is not a route handler.
    """
    if function is None or function.type != "function_definition":
        return False
    if is_route_handler(file, function):
        return parameter not in file.memo(("not-request-parameters", function.id),
                                          lambda: _not_request_parameters(file, function))
    convention = framework_handler(file, function)
    return convention is not None and parameter not in _framework_parameters(file, function, convention)


def request_parameter_kind(file: PyFile, function: ts.Node) -> str:
    """What the request parameters of handler `function` hold, as a finding's trace says it."""
    convention = framework_handler(file, function)
    return convention.description if convention is not None else "URL path parameter"


def framework_handler(file: PyFile, function: ts.Node) -> Handler | None:
    """The convention under which a framework calls `function` (a function definition) with request
    data, other than a route decorator: a Tornado handler method, a GraphQL resolver."""
    return file.memo(("framework-handler", function.id), lambda: _framework_handler(file, function))


def _framework_handler(file: PyFile, function: ts.Node) -> Handler | None:
    conventions = file.memo(("framework-conventions",), lambda: tuple(
        h for h in registry.python().handlers if file.imports_module(h.module)))
    if not conventions:
        return None
    decorators = _decorators(function)
    name = file.text_of(function.child_by_field_name("name"))
    owner = enclosing_class(function)
    for convention in conventions:
        if convention.decorator and any(_decorator_name(file, d) == convention.decorator for d in decorators):
            return convention
        if convention.decorator_method and any(_decorator_method(file, d) == convention.decorator_method
                                               for d in decorators):
            return convention
        if convention.base and owner is not None and \
                (name in convention.methods or any(name.startswith(p) for p in convention.method_prefixes)) and \
                convention.base in _class_node_ancestors(file, owner):
            return convention
    return None


def _decorators(function: ts.Node) -> list[ts.Node]:
    """The decorator expressions of `function` (`strawberry.field`, `query.field("user")`)."""
    definition = function.parent
    if definition is None or definition.type != "decorated_definition":
        return []
    return [d.named_children[0] for d in definition.named_children if d.type == "decorator" and d.named_children]


def _decorator_name(file: PyFile, decorator: ts.Node) -> str | None:
    """`strawberry.field` for `@strawberry.field` and `@strawberry.field(description=...)`."""
    return file.qualified_name(decorator.child_by_field_name("function") if decorator.type == "call" else decorator)


def _decorator_method(file: PyFile, decorator: ts.Node) -> str | None:
    """`field` for `@query.field("user")`: a method called on an object."""
    if decorator.type != "call":
        return None
    call = file.call_at(decorator)
    return call.method if call.receiver is not None else None


def enclosing_class(function: ts.Node) -> ts.Node | None:
    """The class whose body defines `function` (a function definition) directly, decorated or not."""
    node = function.parent if function.parent is not None and function.parent.type == "decorated_definition" \
        else function
    block = node.parent
    owner = block.parent if block is not None and block.type == "block" else None
    return owner if owner is not None and owner.type == "class_definition" else None


def class_ancestors(file: PyFile, name: str, bases: tuple[str, ...]) -> frozenset[str]:
    """The import-resolved base classes of the class `name` whose direct bases are `bases`, also those
    reached through classes of this file (`MainHandler(BaseHandler)`, `BaseHandler(RequestHandler)`)."""
    return file.memo(("class-ancestors", name, bases), lambda: _ancestors(file, bases, frozenset({name}), 0))


def _class_node_ancestors(file: PyFile, cls: ts.Node) -> frozenset[str]:
    return class_ancestors(file, file.text_of(cls.child_by_field_name("name")), _superclass_names(file, cls))


def _ancestors(file: PyFile, bases: tuple[str, ...], seen: frozenset[str], depth: int) -> frozenset[str]:
    found = set(bases)
    for base in bases:
        local = _module_classes(file).get(base) if "." not in base and base not in seen else None
        if local is not None and depth < _MAX_BASE_DEPTH:
            found |= _ancestors(file, _superclass_names(file, local), seen | {base}, depth + 1)
    return frozenset(found)


def _superclass_names(file: PyFile, cls: ts.Node) -> tuple[str, ...]:
    superclasses = cls.child_by_field_name("superclasses")
    names = (file.qualified_name(s) for s in (superclasses.named_children if superclasses is not None else ()))
    return tuple(name for name in names if name)


def _module_classes(file: PyFile) -> dict[str, ts.Node]:
    """The module-level classes of this file by name (the first of each name)."""
    def collect() -> dict[str, ts.Node]:
        classes: dict[str, ts.Node] = {}
        for node in file.nodes_of_type("class_definition"):
            holder = node.parent.parent if node.parent is not None and node.parent.type == "decorated_definition" \
                else node.parent
            if holder is not None and holder.type == "module":
                classes.setdefault(file.text_of(node.child_by_field_name("name")), node)
        return classes
    return file.memo(("module-classes",), collect)


def _framework_parameters(file: PyFile, function: ts.Node, convention: Handler) -> frozenset[str]:
    """Parameters the framework fills with its own objects: `self`, the convention's leading ones
    (a resolver's parent and info) and its context parameters."""
    parameters = function.child_by_field_name("parameters")
    names = [_parameter_name(file, p) for p in (parameters.named_children if parameters is not None else ())]
    return _METHOD_RECEIVERS | convention.context_parameters | frozenset(filter(None, names[:convention.leading]))


def _parameter_name(file: PyFile, parameter: ts.Node) -> str | None:
    if parameter.type == "identifier":
        return file.text_of(parameter)
    name = parameter.child_by_field_name("name")
    if name is None:
        name = next((child for child in parameter.named_children if child.type == "identifier"), None)
    return file.text_of(name) if name is not None else None


def _registers_route(file: PyFile, definition: ts.Node) -> bool:
    """One decorator of `definition` is a route-registering method called on an application or router."""
    routes = registry.python().routes
    for decorator in definition.named_children:
        if decorator.type != "decorator" or not decorator.named_children or decorator.named_children[0].type != "call":
            continue
        call = file.call_at(decorator.named_children[0])
        if call.receiver is not None and call.method in routes.decorator_methods \
                and file.qualified_name(call.receiver) not in routes.not_routers:
            return True
    return False


def _not_request_parameters(file: PyFile, function: ts.Node) -> frozenset[str]:
    knowledge = registry.python()
    names = set(_METHOD_RECEIVERS | knowledge.routes.context_parameters)
    names.update(source.parameter for source in knowledge.parameter_sources)
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        name, default = parameter.child_by_field_name("name"), parameter.child_by_field_name("value")
        if name is not None and default is not None and default.type == "call" \
                and file.call_at(default).method in knowledge.routes.dependency_markers:
            names.add(file.text_of(name))
    return frozenset(names)
