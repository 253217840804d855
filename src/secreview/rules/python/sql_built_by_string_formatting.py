"""SQL statement built by string formatting with non-constant values.

## What it does
Flags SQL sinks whose statement is assembled with `%`-formatting,
`str.format()`, an f-string or `+` concatenation from non-constant parts,
either right in the call or through a local variable assigned that way earlier
in the same function. Sinks: DB-API `execute`, `executemany`,
`executescript`, `mogrify`; Django `Manager.raw`, `QuerySet.extra(where=...,
select=...)` and `RawSQL`; SQLAlchemy `text()` and `exec_driver_sql`;
`pandas.read_sql`/`read_sql_query`; asyncpg `fetch*`. Numeric conversions
(`int(x)`, `%d`) and placeholder lists (`", ".join(["%s"] * len(ids))`) are
not counted as injectable.

## Why is this bad?
When a value is pasted into the SQL text, the database cannot tell data from
code: a value such as `' OR '1'='1` or `1; DROP TABLE users --` changes the
statement itself, letting an attacker read or modify any table the
connection can reach, bypass login checks, or on some databases run
operating-system commands (CWE-89, SQL injection). Escaping by hand misses
cases (encodings, numeric contexts, identifiers).

## Example
```python
def find_user(cursor, name):
    cursor.execute("SELECT id, email FROM users WHERE name = '%s'" % name)
    return cursor.fetchone()
```

## Use instead
```python
def find_user(cursor, name):
    cursor.execute("SELECT id, email FROM users WHERE name = %s", (name,))
    return cursor.fetchone()
```

## References
- https://cwe.mitre.org/data/definitions/89.html
- https://peps.python.org/pep-0249/#paramstyle
- https://docs.djangoproject.com/en/stable/topics/security/#sql-injection-protection
- https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.strings import BuiltString, argument_text, built_string
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

# method -> keyword of the statement argument (always positional 0 too)
_GENERIC_METHODS = {
    "execute": "operation", "executemany": "operation", "executescript": "sql_script", "mogrify": "query",
    "raw": "raw_query",
}
_ASYNCPG_METHODS = {"fetch": "query", "fetchrow": "query", "fetchval": "query"}
_SPECIFIC_METHODS = {"exec_driver_sql": "statement", "RawSQL": "sql"}
_FUNCTIONS = {
    "sqlalchemy.text": "text", "sqlalchemy.sql.text": "text", "sqlalchemy.sql.expression.text": "text",
    "pandas.read_sql": "sql", "pandas.read_sql_query": "sql", "pandas.io.sql.read_sql": "sql",
    "django.db.models.expressions.RawSQL": "sql", "django.db.models.RawSQL": "sql",
}
_OTHER_STATEMENT_KEYWORDS = ("sql", "query", "statement", "stmt")
# Text that only SQL would contain; without it a generic `.execute()` may be something else.
_SQL_WORDS = re.compile(
    r"\b(select|insert\s+into|update|delete\s+from|from|where|values|join|order\s+by|group\s+by|"
    r"create\s+(table|index|view|database|user)|drop\s+(table|index|view|database)|alter\s+table|"
    r"truncate|limit|having|union|pragma|grant|revoke|set)\b",
    re.IGNORECASE,
)
# Sanitisers whose result is safe to paste into SQL text.
_SQL_SANITIZERS = ("escape_string", "escape", "literal", "quote_name", "quote_ident", "quote_identifier")


class SqlBuiltByStringFormatting(TaintAware, CallRule):
    vulnerability = "sql"
    id = "sql-built-by-string-formatting"
    cwe = 89
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = tuple(_FUNCTIONS)
    methods = tuple(_GENERIC_METHODS) + tuple(_SPECIFIC_METHODS) + tuple(_ASYNCPG_METHODS) + ("extra",)
    message = "SQL passed to `{callee}` is built by {how}"
    description = (
        "The statement given to `{callee}` is built by {how}, so those values become part of the SQL "
        "text instead of being sent as bound parameters. A value such as `' OR '1'='1` or "
        "`0; DROP TABLE users --` rewrites the query, letting whoever controls it read or change any data "
        "this database connection can reach or bypass checks the query implements."
    )
    solution = (
        "Keep the SQL text constant and pass {values} as query parameters, e.g. "
        "`cursor.execute(\"SELECT ... WHERE id = %s\", (user_id,))` (placeholder `%s`, `?` or `:name` "
        "depending on the driver; SQLAlchemy: `text(\"... WHERE id = :id\")` executed with "
        "`{\"id\": user_id}`; Django: `Model.objects.raw(\"... WHERE id = %s\", [user_id])`). Table or "
        "column names cannot be parameters: map them from an allow-list of known names."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        asyncpg = file.imports_module("asyncpg")
        for call in self.candidates(file):
            if call.method in _ASYNCPG_METHODS and not asyncpg and call.name not in _FUNCTIONS:
                continue
            for statement in self._statements(call):
                found = built_string(file, statement, _SQL_SANITIZERS)
                if found is None:
                    sourced = self.sourced_hit(file, call, statement, {
                        "callee": call.name if call.name in _FUNCTIONS else (call.method or "execute")})
                    if sourced is not None:
                        yield sourced
                        break
                    continue
                yield Hit(call.node, self._values(file, call, found), confidence=self._confidence(file, call, found),
                          data=found.node)
                break

    def _statements(self, call: Call) -> list[ts.Node]:
        if call.name in _FUNCTIONS:
            return [n for n in (call.arg(0, _FUNCTIONS[call.name]),) if n is not None]
        if call.method == "extra":
            return _extra_statements(call)
        keyword = {**_GENERIC_METHODS, **_SPECIFIC_METHODS, **_ASYNCPG_METHODS}.get(call.method or "")
        if keyword is None:
            return []
        node = call.arg(0, keyword)
        if node is None:
            node = next((call.kwargs[k] for k in _OTHER_STATEMENT_KEYWORDS if k in call.kwargs), None)
        return [node] if node is not None else []

    @staticmethod
    def _values(file: PyFile, call: Call, found: BuiltString) -> dict[str, str]:
        dynamic = [f"`{argument_text(file, part, 40)}`" for part in found.dynamic[:3]]
        return {
            "callee": call.name if call.name in _FUNCTIONS else (call.method or "execute"),
            "how": found.describe(file),
            "values": ", ".join(dynamic) or "the variable values",
            "argument": argument_text(file, found.node),
        }

    @staticmethod
    def _confidence(file: PyFile, call: Call, found: BuiltString) -> Confidence | None:
        generic = call.name not in _FUNCTIONS and (call.method in _GENERIC_METHODS or call.method in _ASYNCPG_METHODS)
        if generic and not _SQL_WORDS.search(found.literal):
            return Confidence.LOW  # no SQL keyword in the literal text: may not be a database call
        if found.only_configuration(file):
            return Confidence.LOW  # only `self.table`, `TABLE_NAME`...: identifiers from configuration
        return None


def _extra_statements(call: Call) -> list[ts.Node]:
    """QuerySet.extra(where=[...], select={...}): each SQL fragment."""
    fragments: list[ts.Node] = []
    where = unwrap(call.kwargs.get("where"))
    if where is not None:
        fragments.extend(where.named_children if where.type in ("list", "tuple") else [where])
    select = unwrap(call.kwargs.get("select"))
    if select is not None and select.type == "dictionary":
        fragments.extend(v for v in (p.child_by_field_name("value") for p in select.named_children) if v is not None)
    return fragments
