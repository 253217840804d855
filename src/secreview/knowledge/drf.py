"""Django REST framework: the request attributes it adds to Django's."""

from __future__ import annotations

from secreview.knowledge.schema import ParameterSource, PythonKnowledge

KNOWLEDGE = PythonKnowledge(
    name="drf",
    parameter_sources=tuple(ParameterSource(name, ("data", "query_params"), "HTTP request data")
                            for name in ("request", "req")),
)
