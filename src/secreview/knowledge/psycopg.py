"""psycopg (PostgreSQL): cursor methods beyond the DB-API."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="psycopg",
    sinks=(Sink("sql", method="mogrify", keyword="sql", description="executes SQL"),),
)
