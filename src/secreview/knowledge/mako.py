"""Mako: templates compiled from strings."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink, TemplateRender

KNOWLEDGE = PythonKnowledge(
    name="mako",
    sinks=(Sink("ssti", callee="mako.template.Template", keyword="source",
                description="renders a template from a string"),),
    # `TemplateLookup(...).get_template("x.mako").render(name=value)`
    template_renders=(TemplateRender("mako", callee="mako.lookup.TemplateLookup.get_template", context=(0, None),
                                     context_keywords=True, loads=True),
                      TemplateRender("mako", callee="mako.template.Template", name=(0, "text"), context=(0, None),
                                     context_keywords=True, loads=True, from_string=True)),
)
