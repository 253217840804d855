"""aiohttp: the `request` of a handler, class-based views, responses and redirects.

Handlers registered with `app.router.add_get(...)`, `web.get(...)` or
`@routes.get(...)` take the request as their one parameter; its data is read
from the attributes below (`request.query`, `await request.post()`, ...).
`web.Response(text=...)` is `text/plain` unless the call says otherwise, so it
is an HTML sink only with an HTML content type.
"""

from __future__ import annotations

from secreview.knowledge.schema import ALL, ParameterSource, PythonKnowledge, RequestHandler, Sanitizer, Sink

# the attributes other frameworks share (`headers`, `cookies`, `json`...) are declared with them
_REQUEST = ("query", "match_info", "post", "text", "read", "content", "multipart", "rel_url", "query_string",
            "path_qs", "raw_path")
_REDIRECTS = ("HTTPFound", "HTTPSeeOther", "HTTPMovedPermanently", "HTTPTemporaryRedirect", "HTTPPermanentRedirect")

KNOWLEDGE = PythonKnowledge(
    name="aiohttp",
    parameter_sources=tuple(ParameterSource(name, _REQUEST, "HTTP request data") for name in ("request", "req")),
    request_handlers=(RequestHandler("aiohttp.web.View", ("request",)),),
    sinks=(
        *(Sink("xss", callee="aiohttp.web.Response", arg=position, keyword=keyword, when="html_content_type",
               description="sends an HTML response") for position, keyword in ((0, "body"), (None, "text"))),
        *(Sink("redirect", callee=f"aiohttp.web.{name}", keyword="location", description="redirects the browser")
          for name in _REDIRECTS),
        Sink("path", callee="aiohttp.web.FileResponse", keyword="path", description="sends a file by name"),
        Sink("ssrf", callee="aiohttp.request", arg=1, keyword="url", description="sends an HTTP request"),
    ),
    sanitizers=(Sanitizer(frozenset({ALL}), callee="aiohttp.web.json_response"),),
    response_builders=frozenset({"aiohttp.web.Response"}),
)
