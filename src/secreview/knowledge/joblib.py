"""joblib: deserialisation of arbitrary objects."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="joblib",
    sinks=(Sink("deser", callee="joblib.load", keyword="data", description="deserialises objects"),),
)
