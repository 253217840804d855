"""Jinja2 and MarkupSafe: templates compiled from strings, markup that is trusted as HTML, escaping."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink

KNOWLEDGE = PythonKnowledge(
    name="jinja2",
    sinks=(
        Sink("xss", callee="markupsafe.Markup", description="sends an HTML response"),
        *(Sink("ssti", callee=name, keyword="source", description="renders a template from a string") for name in
          ("jinja2.Template", "jinja2.Environment.from_string")),
    ),
    sanitizers=tuple(Sanitizer(frozenset({"xss"}), callee=name) for name in ("markupsafe.escape", "jinja2.escape")),
)
