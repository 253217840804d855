"""FastAPI and Starlette: the `request` parameter, route decorators, dependency injection, redirects."""

from __future__ import annotations

from secreview.knowledge.schema import ParameterSource, PythonKnowledge, RouteConventions, Sink

_HTML_RESPONSES = ("starlette.responses.HTMLResponse", "fastapi.responses.HTMLResponse")
_REQUEST = ("query_params", "path_params", "cookies", "headers", "json", "form", "body", "stream")

KNOWLEDGE = PythonKnowledge(
    name="fastapi",
    parameter_sources=tuple(ParameterSource(name, _REQUEST, "HTTP request data") for name in ("request", "req")),
    routes=RouteConventions(
        decorator_methods=frozenset({"get", "post", "put", "patch", "delete", "api_route", "websocket"}),
        dependency_markers=frozenset({"Depends", "Security"}),
        context_parameters=frozenset({"db", "session"}),  # a database session the application passes
    ),
    sinks=(
        *(Sink("redirect", callee=name, keyword="url", description="redirects the browser") for name in
          ("starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse")),
        *(Sink("xss", callee=name, keyword="content", description="sends an HTML response") for name in _HTML_RESPONSES),
        *(Sink("path", callee=name, keyword="path", description="sends a file by name") for name in
          ("starlette.responses.FileResponse", "fastapi.responses.FileResponse")),
    ),
    response_builders=frozenset(_HTML_RESPONSES),
)
