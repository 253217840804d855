"""Jinja2 and MarkupSafe: templates compiled from strings, markup that is trusted as HTML, escaping."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink, TemplateRender

KNOWLEDGE = PythonKnowledge(
    name="jinja2",
    sinks=(
        Sink("xss", callee="markupsafe.Markup", description="sends an HTML response"),
        *(Sink("ssti", callee=name, keyword="source", description="renders a template from a string") for name in
          ("jinja2.Template", "jinja2.Environment.from_string")),
    ),
    sanitizers=tuple(Sanitizer(frozenset({"xss"}), callee=name) for name in ("markupsafe.escape", "jinja2.escape")),
    template_renders=(
        # `env.get_template("x.html").render(name=value)` (also a dict as first argument)
        TemplateRender("jinja2", method="get_template", context=(0, None), context_keywords=True,
                       loads=True),
        TemplateRender("jinja2", callee="aiohttp_jinja2.render_template", context=(2, "context")),
        TemplateRender("jinja2", callee="aiohttp_jinja2.template", decorator=True),
        TemplateRender("jinja2", callee="jinja2.Template", name=(0, "source"), context=(0, None), context_keywords=True,
                       loads=True, from_string=True),
    ),
)
