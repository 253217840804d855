"""Flask: the request proxy, route decorators, responses, templates."""

from __future__ import annotations

from secreview.knowledge.schema import (
    ALL,
    PythonKnowledge,
    RouteConventions,
    Sanitizer,
    Sink,
    Source,
    SourceObject,
    StoredRecords,
    TemplateGlobal,
    TemplateRender,
)

_REQUEST = {
    "args": "query-string parameters", "form": "form fields", "values": "request parameters",
    "json": "JSON body", "cookies": "cookies", "headers": "HTTP headers", "files": "uploaded files",
    "data": "raw body", "get_data": "raw body", "get_json": "JSON body", "query_string": "raw query string",
    "stream": "body stream", "environ": "WSGI environment", "view_args": "URL path parameters",
    "authorization": "Authorization header", "referrer": "Referer header", "user_agent": "User-Agent header",
}

KNOWLEDGE = PythonKnowledge(
    name="flask",
    sources=tuple(Source(f"flask.request.{attribute}", f"Flask request {what}") for attribute, what in _REQUEST.items()),
    # the server, not the client, decides these: a static route's path, the matched endpoint
    source_objects=(SourceObject("flask.request", ("path", "method", "endpoint", "url_rule", "blueprint",
                                                   "script_root", "scheme", "is_secure", "is_json", "mimetype",
                                                   "content_length")),),
    routes=RouteConventions(decorator_methods=frozenset({"route", "get", "post", "put", "patch", "delete"})),
    sinks=(
        Sink("path", callee="flask.send_file", description="touches a file by name"),
        *(Sink("xss", callee=name, description="sends an HTML response") for name in
          ("flask.make_response", "flask.Response", "flask.Markup")),
        Sink("redirect", callee="flask.redirect", keyword="location", description="redirects the browser"),
        Sink("ssti", callee="flask.render_template_string", keyword="source",
             description="renders a template from a string"),
    ),
    sanitizers=(
        Sanitizer(frozenset({ALL}), callee="flask.render_template"),
        Sanitizer(frozenset({ALL}), callee="flask.url_for"),
        Sanitizer(frozenset({"xss"}), callee="flask.escape"),
        Sanitizer(frozenset({"xss", "redirect", "ssrf"}), callee="flask.jsonify"),
    ),
    exit_calls=frozenset({"flask.abort", "abort"}),  # `abort` as written: `from flask import *`
    response_builders=frozenset({"flask.make_response", "flask.Response"}),
    template_renders=(
        *(TemplateRender("jinja2", callee=name, context_keywords=True)
          for name in ("flask.render_template", "flask.stream_template")),
        *(TemplateRender("jinja2", callee=name, name=(0, "source"), context_keywords=True, from_string=True)
          for name in ("flask.render_template_string", "flask.stream_template_string")),
    ),
    # Flask-SQLAlchemy: `Model.query.get(...)`, `db.session.execute(...)`, `first_or_404()`
    stored_records=(StoredRecords(managers=frozenset({"query"}),
                                  methods=frozenset({"first_or_404", "get_or_404", "one_or_404"})),),
    # Flask's template context: `request` is the request proxy in every template
    template_globals=(TemplateGlobal("jinja2", "request", "request", "the Flask request in every template",
                                     frozenset(_REQUEST) | {"url", "full_url", "base_url", "host"}),),
)
