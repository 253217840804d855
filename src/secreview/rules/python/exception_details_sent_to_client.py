"""A web handler that answers with the exception's text or a traceback.

## What it does
In a function a web framework calls for a URL (a route handler, or a view
whose first parameter is the `request`), finds responses built from an
exception: a formatted traceback (`traceback.format_exc()`,
`traceback.format_exception(...)`, `format_tb`) anywhere in the handler's
answer, or the caught exception itself (`str(e)`, `f"{e}"`, `repr(e)`,
`e.args`) returned, rendered into a template, put in a JSON body or
flashed, inside the `except` clause that caught it.

A traceback, or the text of an exception caught by a broad handler
(`except Exception`, a bare `except`) or of a database error
(`sqlite3.Error`, SQLAlchemy's and DB-API's `DatabaseError`,
`OperationalError`, ...), is shown by default: its content is whatever failed,
SQL statements and file paths included. The text of a specific exception
(`except ValueError as e`) is often a message the application wrote for the
user, and is shown in the audit profile only.

## Why is this bad?
Error text tells an attacker what the code does: file paths, library
versions, SQL statements and table names, the value that failed to parse,
sometimes credentials in a connection string (CWE-209). It turns a blind
injection into a visible one and maps the application for the next attack.

## Example
```python
from flask import Flask, render_template

app = Flask(__name__)

@app.route("/orders")
def orders():
    try:
        return render_template("orders.html", orders=load_orders())
    except Exception as e:
        return render_template("error.html", error=str(e))
```

## Use instead
```python
import logging

from flask import Flask, render_template

app = Flask(__name__)

@app.route("/orders")
def orders():
    try:
        return render_template("orders.html", orders=load_orders())
    except Exception:
        logging.exception("loading orders failed")
        return render_template("error.html", error="Something went wrong"), 500
```

## References
- https://cwe.mitre.org/data/definitions/209.html
- https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import BROAD_EXCEPTIONS, except_types
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import own_returns
from secreview.lang.python.scopes import descendants, function_of
from secreview.lang.python.web import is_route_handler
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_TRACEBACK_FORMATTERS = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                                   "traceback.format_stack", "traceback.extract_tb"})
# calls that show their arguments to the user of a handler besides its return value
_USER_FACING = frozenset({"flash", "abort", "HTTPException"})
# exception attributes that carry the message or the failing statement (not `code`, `status`, `description`)
_TEXT_ATTRIBUTES = frozenset({"args", "message", "msg", "orig", "statement", "pgerror", "strerror", "detail"})
# database errors: their text holds SQL, table and column names
_DATABASE_ERROR_SUFFIXES = ("DatabaseError", "OperationalError", "ProgrammingError", "IntegrityError",
                            "InterfaceError", "SQLAlchemyError", "PyMongoError", "DataError", "InternalError")
_DATABASE_ERROR_MODULES = ("sqlite3", "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql", "sqlalchemy", "pymongo",
                           "django.db")
_REQUEST_PARAMETERS = frozenset({"request", "req"})


class ExceptionDetailsSentToClient(Rule):
    id = "exception-details-sent-to-client"
    cwe = 209
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{function}` answers the client with {what}"
    description = (
        "The handler `{function}` puts {what} into its response (`{code}`). Error text maps the application "
        "for an attacker: file paths, library versions, SQL statements and table names, values that failed "
        "to parse, sometimes credentials in a connection string."
    )
    solution = (
        "Log the exception on the server (`logging.exception(...)`) and answer with a fixed message and a "
        "status code (`\"Something went wrong\", 500`); for errors the user can fix, raise and answer with "
        "messages you wrote, not the exception's text."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "except" not in file.text and "traceback" not in file.text:
            return
        for call in file.calls_to(*_TRACEBACK_FORMATTERS):
            function = function_of(file, call.node)
            if function is not None and _is_handler(file, function) and _answers_with(file, function, call.node):
                yield self._hit(file, function, call.node, "a formatted traceback", Evidence.DEFINITE)
        for clause in file.nodes_of_type("except_clause"):
            yield from self._clause_hits(file, clause)

    def _clause_hits(self, file: PyFile, clause: ts.Node) -> Iterator[Hit]:
        name = _exception_name(file, clause)
        function = function_of(file, clause)
        if name is None or function is None or not _is_handler(file, function):
            return
        evidence = Evidence.DEFINITE if _reveals_internals(file, clause) else None
        for answer in _answers_in(file, function, clause):
            use = next((n for n in (answer, *descendants(answer, frozenset({"identifier"})))
                        if n.type == "identifier" and file.text_of(n) == name and _shows_text(file, n)), None)
            if use is not None:
                yield self._hit(file, function, answer, f"the text of the caught exception `{name}`", evidence)
                return

    def _hit(self, file: PyFile, function: ts.Node, node: ts.Node, what: str, evidence: Evidence | None) -> Hit:
        return Hit(node, {"function": file.text_of(function.child_by_field_name("name")), "what": what,
                          "code": file.text_of(node)[:80]}, evidence=evidence)


def _is_handler(file: PyFile, function: ts.Node) -> bool:
    """A route handler, or a view taking the request first (Django, DRF, Pyramid)."""
    if is_route_handler(file, function):
        return True
    parameters = function.child_by_field_name("parameters")
    first = next((p for p in parameters.named_children if p.type == "identifier"), None) if parameters else None
    return first is not None and file.text_of(first) in _REQUEST_PARAMETERS


def _exception_name(file: PyFile, clause: ts.Node) -> str | None:
    for child in clause.named_children:
        if child.type == "as_pattern":
            alias = child.child_by_field_name("alias")
            return file.text_of(alias).strip() if alias is not None else None
    return None


def _reveals_internals(file: PyFile, clause: ts.Node) -> bool:
    """The clause catches everything, or a database error."""
    types = except_types(file, clause)
    if types is None:
        return False
    if not types:
        return True
    for node in types:
        qualified = file.qualified_name(node) or file.text_of(node)
        last = qualified.rsplit(".", 1)[-1]
        if qualified in BROAD_EXCEPTIONS or last.endswith(_DATABASE_ERROR_SUFFIXES):
            return True
        if last == "Error" and qualified.startswith(_DATABASE_ERROR_MODULES):
            return True
    return False


def _answers_in(file: PyFile, function: ts.Node, within: ts.Node) -> Iterator[ts.Node]:
    """The handler's answers inside `within`: returned values and user-facing calls (`flash`, `abort`)."""
    for statement in own_returns(file, function, within):
        value = statement.named_children[0] if statement.named_children else None
        if value is not None:
            yield value
    for call in file.calls:
        if within.start_byte <= call.node.start_byte < within.end_byte and \
                (call.name or call.method or "").rsplit(".", 1)[-1] in _USER_FACING:
            yield call.node


def _answers_with(file: PyFile, function: ts.Node, node: ts.Node) -> bool:
    """`node` is part of one of the handler's answers (directly, or through a local name)."""
    for answer in _answers_in(file, function, function):
        if answer.start_byte <= node.start_byte and node.end_byte <= answer.end_byte:
            return True
    statement = node.parent
    while statement is not None and statement.type not in ("assignment", "expression_statement", "block"):
        statement = statement.parent
    if statement is None or statement.type != "assignment":
        return False
    target = statement.child_by_field_name("left")
    if target is None or target.type != "identifier":
        return False
    name = file.text_of(target)
    return any(file.text_of(n) == name for answer in _answers_in(file, function, function)
               for n in descendants(answer, frozenset({"identifier"})))


def _shows_text(file: PyFile, identifier: ts.Node) -> bool:
    """The exception is used for its text: whole (`str(e)`, `f"{e}"`, `e`) or by a text attribute."""
    parent = identifier.parent
    if parent is not None and parent.type == "attribute" and parent.child_by_field_name("object") == identifier:
        return file.text_of(parent.child_by_field_name("attribute")) in _TEXT_ATTRIBUTES
    return True
