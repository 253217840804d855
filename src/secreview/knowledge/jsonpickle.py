"""jsonpickle: deserialisation of arbitrary objects."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="jsonpickle",
    sinks=(Sink("deser", callee="jsonpickle.decode", keyword="data", description="deserialises objects"),),
)
