"""Tornado: request-handler methods, their arguments and the response they write."""

from __future__ import annotations

from secreview.knowledge.schema import ALL, Handler, MethodSource, PythonKnowledge, RequestHandler, Sanitizer, Sink

_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_HANDLERS = ("tornado.web.RequestHandler", "tornado.websocket.WebSocketHandler")
# `self.get_argument("q")` and friends; `get_secure_cookie` is signed by the server, so not among them
_ARGUMENT_READERS = ("get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
                     "get_body_argument", "get_body_arguments", "get_cookie", "decode_argument")

KNOWLEDGE = PythonKnowledge(
    name="tornado",
    method_sources=tuple(MethodSource(method, "tornado", "Tornado request argument") for method in _ARGUMENT_READERS),
    request_handlers=tuple(RequestHandler(base, ("request", "path_args", "path_kwargs")) for base in _HANDLERS),
    handlers=(
        # `get(self, user_id)`: the groups of the URL pattern
        Handler("tornado", "URL path group", base="tornado.web.RequestHandler", methods=_HTTP_METHODS, leading=1),
        Handler("tornado", "WebSocket message or URL path group", base="tornado.websocket.WebSocketHandler",
                methods=_HTTP_METHODS | {"on_message", "open"}, leading=1),
    ),
    sinks=(
        *(Sink("xss", method=name, requires_import="tornado", when="response_writer",
               description="writes the HTTP response") for name in ("write", "finish")),
        Sink("redirect", method="redirect", keyword="url", requires_import="tornado", when="response_writer",
             description="redirects the browser"),
        Sink("ssti", callee="tornado.template.Template", keyword="template_string",
             description="compiles a template from a string"),
    ),
    sanitizers=(
        Sanitizer(frozenset({"xss"}), callee="tornado.escape.xhtml_escape"),
        Sanitizer(frozenset({ALL}), callee="tornado.escape.json_encode"),
    ),
)
