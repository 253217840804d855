"""Web applications: which functions a framework calls for a URL, and which of their parameters it fills.

The one definition of a Python route handler, for the taint engine (a route
handler's parameters are request data) and for the rules.  What makes a
decorator a route is data: the route conventions of the knowledge modules
(`knowledge/flask.py`, `knowledge/fastapi.py`, ...), merged by
`knowledge.registry`.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge import registry
from secreview.lang.python.file import PyFile

_METHOD_RECEIVERS = frozenset({"self", "cls"})  # a method's own object or class, never request data


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
    if function is None or function.type != "function_definition" or not is_route_handler(file, function):
        return False
    return parameter not in file.memo(("not-request-parameters", function.id),
                                      lambda: _not_request_parameters(file, function))


def _registers_route(file: PyFile, definition: ts.Node) -> bool:
    """One decorator of `definition` is a route-registering method called on an application or router."""
    methods = registry.python().routes.decorator_methods
    for decorator in definition.named_children:
        if decorator.type != "decorator" or not decorator.named_children or decorator.named_children[0].type != "call":
            continue
        call = file.call_at(decorator.named_children[0])
        if call.receiver is not None and call.method in methods:
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
