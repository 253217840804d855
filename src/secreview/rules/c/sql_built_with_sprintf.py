"""SQL statement assembled with `sprintf`/`strcat` from non-constant text, then executed.

## What it does
Flags `sqlite3_exec`, `sqlite3_prepare*`, `mysql_query`, `mysql_real_query`,
`PQexec`, `PQprepare`, `PQsendQuery` and ODBC `SQLExecDirect`/`SQLPrepare` calls
whose query is a buffer that the same function fills with `sprintf`,
`snprintf`, `strcat`, `strcpy` (or `sqlite3_mprintf("...%s...")`) from
non-constant values.

## Why is this bad?
Values pasted into SQL text are parsed as SQL. A quote in the input ends the
string literal and the rest runs as part of the statement: `' OR '1'='1`
bypasses a login, `'; DROP TABLE users; --` destroys data, and `UNION SELECT`
reads other tables (CWE-89).

## Example
```c
#include <sqlite3.h>
#include <stdio.h>

int find_user(sqlite3 *db, const char *name) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id FROM users WHERE name = '%s'", name);
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}
```

## Use instead
```c
#include <sqlite3.h>

int find_user(sqlite3 *db, const char *name) {
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, "SELECT id FROM users WHERE name = ?", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc;
}
```

## References
- https://cwe.mitre.org/data/definitions/89.html
- https://www.sqlite.org/c3ref/bind_blob.html
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.expressions import literal_text
from secreview.lang.c_family.file import Call, CFile, strip_casts
from secreview.lang.c_family.formats import printf_conversions
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import DATA, CCallRule
from secreview.rules.c._taint import TaintJudged

_QUERY_INDEX = {"sqlite3_exec": 1, "sqlite3_prepare": 1, "sqlite3_prepare_v2": 1, "sqlite3_prepare_v3": 1,
                "sqlite3_prepare16_v2": 1, "mysql_query": 1, "mysql_real_query": 1, "PQexec": 1, "PQprepare": 2,
                "PQsendQuery": 1, "PQexecParams": 1, "SQLExecDirect": 1, "SQLExecDirectA": 1, "SQLExecDirectW": 1,
                "SQLPrepare": 1, "SQLPrepareA": 1, "SQLPrepareW": 1}
# writer -> (destination index, first source index); the sources are what gets pasted in
_WRITERS = {"sprintf": (0, 1), "snprintf": (0, 2), "strcat": (0, 1), "strncat": (0, 1), "strcpy": (0, 1),
            "strncpy": (0, 1), "wcscat": (0, 1), "wcscpy": (0, 1), "swprintf": (0, 2), "_snprintf": (0, 2)}
_FORMATTING_ALLOCATORS = frozenset({"sqlite3_mprintf", "g_strdup_printf", "sqlite3_snprintf_alloc"})


class SqlBuiltWithSprintf(TaintJudged, CCallRule):
    id = "sql-built-with-sprintf"
    cwe = 89
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    vulnerability = "sql"
    callees = tuple(_QUERY_INDEX)
    message = "SQL for `{callee}` is assembled from `{pasted}` by `{builder}`"
    description = (
        "`{code}` executes `{query}`, which this function builds with `{builder}` from `{pasted}`. Text "
        "pasted into SQL is parsed as SQL: a quote in that value ends the string literal and the rest runs "
        "as part of the statement, so an attacker can bypass checks (`' OR '1'='1`), read other tables with "
        "UNION SELECT, or modify and delete data."
    )
    solution = (
        "Use a prepared statement with placeholders (`?`, `$1`) and bind the value (`sqlite3_bind_text`, "
        "`PQexecParams`, `mysql_stmt_bind_param`); never paste values into the SQL text."
    )

    def matches(self, file: CFile, call: Call) -> dict | None:
        query = strip_casts(call.arg(_QUERY_INDEX[call.method or ""]))
        if query is None or literal_text(file, query) is not None or query.type != "identifier":
            return None
        found = self._builder(file, query, call.node)
        if found is None:
            return None
        builder, pasted = found
        return {"query": file.text_of(query), "builder": builder, "pasted": shorten(file.text_of(pasted), 60),
                DATA: pasted}

    def _builder(self, file: CFile, query: ts.Node, at: ts.Node) -> tuple[str, ts.Node] | None:
        """The writer call that pasted a non-constant value into the query buffer, and that value."""
        body = flow.body_of(file, at)
        name = file.text_of(query)
        if body is None:
            return None
        for writer in file.calls_to(*_WRITERS):
            if not flow.inside(writer.node, body) or writer.node.start_byte >= at.start_byte:
                continue
            destination, first = _WRITERS[writer.method or ""]
            target = strip_casts(writer.arg(destination))
            if target is None or file.text_of(target) != name:
                continue
            for source in writer.args[first:]:
                if literal_text(file, source) is None and not file.is_constant(source):
                    return writer.method or "sprintf", source
        for bound, value in flow.bindings(file, body, name):
            formatter = file.call_of(value)
            if bound.start_byte < at.start_byte and formatter is not None and \
                    formatter.method in _FORMATTING_ALLOCATORS:
                pasted = self._pasted_by_format(file, formatter)
                if pasted is not None:
                    return formatter.method, pasted
        return None

    def _pasted_by_format(self, file: CFile, formatter: Call) -> ts.Node | None:
        fmt = literal_text(file, formatter.arg(0))
        if fmt is None:
            return formatter.arg(0)
        for conversion in printf_conversions(fmt):
            # %q/%Q/%w are sqlite's quoting conversions; %s pastes raw text
            if conversion.is_string and conversion.argument_index is not None:
                argument = formatter.arg(1 + conversion.argument_index)
                if argument is not None and literal_text(file, argument) is None:
                    return argument
        return None
