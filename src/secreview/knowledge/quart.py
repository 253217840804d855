"""Quart: the request object."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Source

KNOWLEDGE = PythonKnowledge(
    name="quart",
    sources=tuple(Source(f"quart.request.{attribute}", f"request {attribute}") for attribute in
                  ("args", "form", "query", "forms", "params", "cookies", "headers", "json", "body", "files")),
)
