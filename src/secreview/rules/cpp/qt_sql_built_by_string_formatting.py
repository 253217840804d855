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

import re

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.expressions import literal_text
from secreview.lang.c_family.file import CFile, strip_casts
from secreview.lang.c_family.qt import receiver_type
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CppRule
from secreview.rules.c._taint import TaintJudged

_FORMATTING_METHODS = frozenset({"arg", "asprintf", "sprintf", "append", "prepend", "replace", "insert"})
_SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH|MERGE|PRAGMA)\b", re.I)


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
        return _looks_like_sql(file, query, at)

    def _judge(self, file: CFile, anchor: ts.Node, query: ts.Node, callee: str) -> Iterator[Hit]:
        pasted = _pasted_value(file, query, anchor)
        if pasted is not None and _looks_like_sql(file, query, anchor):
            yield Hit(anchor, {"callee": callee, "pasted": shorten(file.text_of(pasted), 50)}, data=pasted)


def _pasted_value(file: CFile, node: ts.Node | None, at: ts.Node, hops: int = 0) -> ts.Node | None:
    """A non-constant value pasted into a string expression: `QString("..%1").arg(x)`, `"..." + x`,
    `QString::asprintf("%s", x)`, or a local variable last assigned (or appended to) such an expression."""
    node = strip_casts(node)
    if node is None or hops > 3 or literal_text(file, node) is not None:
        return None
    if node.type == "binary_expression" and file.text_of(node.child_by_field_name("operator")) == "+":
        for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
            inner = strip_casts(side)
            if inner is not None and literal_text(file, inner) is None:
                return _pasted_value(file, inner, at, hops + 1) or inner
        return None
    call = file.call_of(node)
    if call is not None and (call.method in _FORMATTING_METHODS or call.name == "QString::asprintf"):
        for argument in call.args:
            if literal_text(file, argument) is None and not file.is_constant(argument):
                return argument
        return _pasted_value(file, call.receiver, at, hops + 1) if call.receiver is not None else None
    if node.type == "identifier":
        return _pasted_into_variable(file, node, at, hops)
    return None


def _pasted_into_variable(file: CFile, node: ts.Node, at: ts.Node, hops: int) -> ts.Node | None:
    body = flow.body_of(file, at)
    if body is None:
        return None
    name = file.text_of(node)
    for bound, value in flow.bindings(file, body, name):
        if bound.start_byte < at.start_byte:
            found = _pasted_value(file, value, bound, hops + 1)
            if found is not None:
                return found
    for assignment in file.nodes_of_type("assignment_expression", within=body):
        if assignment.start_byte < at.start_byte and file.text_of(assignment.child_by_field_name("operator")) == "+=" \
                and file.text_of(assignment.child_by_field_name("left")) == name:
            right = assignment.child_by_field_name("right")
            if literal_text(file, right) is None:
                return _pasted_value(file, right, assignment, hops + 1) or right
    return None


def _looks_like_sql(file: CFile, node: ts.Node | None, at: ts.Node, hops: int = 0) -> bool:
    """The string expression (or the variable holding it) starts with an SQL keyword literal."""
    node = strip_casts(node)
    if node is None or hops > 3:
        return False
    text = literal_text(file, node)
    if text is not None:
        return bool(_SQL_START.match(text))
    if node.type == "binary_expression":
        return _looks_like_sql(file, node.child_by_field_name("left"), at, hops + 1)
    call = file.call_of(node)
    if call is not None:
        if call.receiver is not None:
            return _looks_like_sql(file, call.receiver, at, hops + 1)
        return any(_looks_like_sql(file, a, at, hops + 1) for a in call.args[:1])
    if node.type == "identifier":
        body = flow.body_of(file, at)
        return body is not None and any(
            _looks_like_sql(file, value, bound, hops + 1)
            for bound, value in flow.bindings(file, body, file.text_of(node)) if bound.start_byte < at.start_byte)
    return False
