"""elementpath: XPath over ElementTree."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="elementpath",
    sinks=(Sink("xpath", callee="elementpath.select", arg=1, keyword="path", description="evaluates XPath"),),
)
