"""Mako: templates compiled from strings."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="mako",
    sinks=(Sink("ssti", callee="mako.template.Template", keyword="source",
                description="renders a template from a string"),),
)
