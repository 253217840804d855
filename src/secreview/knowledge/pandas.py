"""pandas: reading SQL queries and pickles into data frames."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

KNOWLEDGE = PythonKnowledge(
    name="pandas",
    sinks=(
        *(Sink("sql", callee=name, description="executes SQL") for name in ("pandas.read_sql", "pandas.read_sql_query")),
        Sink("deser", callee="pandas.read_pickle", keyword="data", description="deserialises objects"),
    ),
)
