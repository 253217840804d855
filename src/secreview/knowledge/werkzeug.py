"""Werkzeug, the WSGI toolkit under Flask: responses, redirects, file names, aborts."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink

_RESPONSES = ("werkzeug.Response", "werkzeug.wrappers.Response")

KNOWLEDGE = PythonKnowledge(
    name="werkzeug",
    sinks=(
        *(Sink("xss", callee=name, description="sends an HTML response") for name in _RESPONSES),
        Sink("redirect", callee="werkzeug.utils.redirect", keyword="location", description="redirects the browser"),
    ),
    sanitizers=(Sanitizer(frozenset({"path"}), callee="werkzeug.utils.secure_filename"),),
    exit_calls=frozenset({"werkzeug.exceptions.abort"}),
    response_builders=frozenset(_RESPONSES),
)
