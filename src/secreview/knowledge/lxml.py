"""lxml: XML parsing (external entities when enabled) and XPath."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="lxml",
    sinks=(
        *(Sink("xxe", callee=name, keyword="string", when="external_entities_enabled", description="parses XML")
          for name in ("lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.parse")),
        Sink("xpath", method="xpath", keyword="_path", requires_import="lxml", description="evaluates XPath"),
        Sink("xpath", callee="lxml.etree.XPath", keyword="path", description="compiles XPath"),
        Sink("xpath", callee="lxml.etree.ETXPath", keyword="path", description="compiles XPath"),
        Sink("xpath", method="evaluate", requires_import="lxml", description="evaluates XPath"),
    ),
)
