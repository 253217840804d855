"""Qt SQL statement built with `QString::arg`, `+` or `asprintf` from non-constant values.

## What it does
Flags `QSqlQuery::exec`, `QSqlQuery::prepare`, `QSqlDatabase::exec` and the
`QSqlQuery(query, db)` constructor when the SQL text (a string starting with an
SQL keyword) has a non-constant value pasted into it: `QString("... '%1'")
.arg(name)`, `"... " + name`, `QString::asprintf(...)`, or a local QString
assembled that way (including `+=`).

## Why is this bad?
`arg()` and concatenation paste text, they do not quote it. A value containing
a quote ends the SQL string literal, and the rest is executed as SQL:
authentication bypass with `' OR '1'='1`, data theft with UNION SELECT,
destruction with `'; DROP TABLE ...` (CWE-89).

## Example
```cpp
#include <QSqlQuery>

bool removeUser(QSqlQuery &query, const QString &name) {
    return query.exec(QString("DELETE FROM users WHERE name = '%1'").arg(name));
}
```

## Use instead
```cpp
#include <QSqlQuery>

bool removeUser(QSqlQuery &query, const QString &name) {
    query.prepare("DELETE FROM users WHERE name = :name");
    query.bindValue(":name", name);
    return query.exec();
}
```

## References
- https://cwe.mitre.org/data/definitions/89.html
- https://doc.qt.io/qt-6/qsqlquery.html#prepare
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c._helpers import CppRule, shorten
from secreview.rules.c._taint import TaintJudged
from secreview.rules.cpp._qt import looks_like_sql, pasted_value, receiver_type


class QtSqlBuiltByStringFormatting(TaintJudged, CppRule):
    id = "qt-sql-built-by-string-formatting"
    cwe = 89
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    vulnerability = "sql"
    message = "SQL passed to `{callee}` has `{pasted}` pasted into it"
    description = (
        "`{code}` runs SQL text into which `{pasted}` is pasted by string formatting (`arg()`, `+`, "
        "`asprintf`). Nothing quotes it: a value containing a quote ends the SQL literal and the rest is "
        "executed as SQL, letting an attacker bypass checks, read other tables or change and delete data."
    )
    solution = (
        "Use placeholders and bind the values: `query.prepare(\"... WHERE name = :name\"); "
        "query.bindValue(\":name\", {pasted}); query.exec();`."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for call in file.method_calls("exec", "prepare"):
            if call.args and self._sql_receiver(file, call.receiver, call.args[0], call.node):
                yield from self._judge(file, call.node, call.args[0], call.method or "exec")
        for declaration in file.nodes_of_type("declaration"):
            if "QSqlQuery" in file.text_of(declaration.child_by_field_name("type")):
                for declarator in declaration.children_by_field_name("declarator"):
                    arguments = declarator.child_by_field_name("value") if declarator.type == "init_declarator" \
                        else None
                    if arguments is not None and arguments.type == "argument_list" and arguments.named_children:
                        yield from self._judge(file, declaration, arguments.named_children[0], "QSqlQuery")

    def _sql_receiver(self, file: CFile, receiver: ts.Node | None, query: ts.Node, at: ts.Node) -> bool:
        declared = receiver_type(file, receiver)
        if declared:
            return "QSql" in declared
        return looks_like_sql(file, query, at)

    def _judge(self, file: CFile, anchor: ts.Node, query: ts.Node, callee: str) -> Iterator[Hit]:
        pasted = pasted_value(file, query, anchor)
        if pasted is not None and looks_like_sql(file, query, anchor):
            yield Hit(anchor, {"callee": callee, "pasted": shorten(file.text_of(pasted), 50)}, data=pasted)
