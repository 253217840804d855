"""dill: deserialisation of arbitrary objects."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="dill",
    sinks=(Sink("deser", callee="dill.loads", keyword="data", description="deserialises objects"),),
)
