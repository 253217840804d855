"""SQLAlchemy: textual SQL, and identifier quoting by a dialect's preparer."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink

KNOWLEDGE = PythonKnowledge(
    name="sqlalchemy",
    sinks=(
        Sink("sql", method="exec_driver_sql", keyword="sql", description="executes SQL"),
        Sink("sql", callee="sqlalchemy.text", description="executes SQL"),
    ),
    sanitizers=(Sanitizer(frozenset({"sql"}), method="quote_identifier"),),
)
