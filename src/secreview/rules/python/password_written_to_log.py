"""A password, or user records with their passwords, written to a log or printed.

## What it does
Finds logging calls (`logging.info`, `logger.debug`, `LOG.warning`, ...) and
`print` whose message holds a password: a value named like one
(`password`, `form["passwd"]`, `user.password`), in the message itself, its
`%`/`.format` arguments or an f-string, but not under a call that reduces it
(`len(password)`, `mask(password)`); or rows read by a SQL `SELECT` that
includes a password column (`SELECT username, password FROM users`, or
`SELECT *` from a table the file creates with one).

A password from the request, a password given to a logger, and password rows
printed by a server module (no `__main__` block, no command-line parser: its
output goes to the service's log) are shown by default. A password `print`ed
by a command-line tool is shown in the audit profile: tools print a password
they have just generated for the person running them.

## Why is this bad?
Logs are kept long, copied to log servers and read by people who may not see
passwords; whoever reads them learns the users' passwords (CWE-532, CWE-312).

## Example
```python
import logging

def login(username, password):
    logging.info("login attempt %s / %s", username, password)
```

## Use instead
```python
import logging

def login(username, password):
    logging.info("login attempt %s", username)
```

## References
- https://cwe.mitre.org/data/definitions/532.html
- https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.passwords import created_tables, is_password_column, names_a_password
from secreview.lang.python.requests import provenance_kind
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_LEVELS = ("debug", "info", "warning", "warn", "error", "critical", "exception", "log", "fatal")
_LOGGER_NAMES = frozenset({"log", "logger", "logging", "_log", "_logger", "logger_", "LOG", "LOGGER", "_LOG",
                           "_LOGGER"})
# calls whose result carries the argument's text into the message
_TEXT_CALLS = frozenset({"str", "repr", "format", "join", "dumps", "pformat"})
_SELECT = re.compile(r"^\s*select\s+(.*?)\s+from\s+([\w.\"`\[\]]+)", re.IGNORECASE | re.DOTALL)
_COMMAND_LINE_MODULES = ("argparse", "click", "optparse", "typer", "fire", "docopt", "getpass")


class PasswordWrittenToLog(Rule):
    id = "password-written-to-log"
    cwe = 532
    hit_evidence = frozenset({Evidence.DEFINITE, Evidence.DATAFLOW})
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Password written to {where}: `{value}`"
    description = (
        "`{code}` writes `{value}`, {what}, to {where}. Logs are kept long, shipped to log servers and read "
        "by people who must not learn users' passwords."
    )
    solution = "Leave passwords (and the records that hold them) out of logs and prints: log who and what " \
               "happened, never the secret; select only the columns you need."

    def check(self, file: PyFile) -> Iterator[Hit]:
        lowered = file.text.lower()
        if "pass" not in lowered and "pwd" not in lowered:
            return
        for call in file.calls_named(lambda name: name == "print" or name in _LEVELS):
            is_print = call.name == "print"
            if not is_print and not _is_logging(file, call):
                continue
            where = "standard output" if is_print else "the log"
            for argument in (*call.args, *call.kwargs.values()):
                found = _password_in(file, argument)
                if found is not None:
                    yield self._password_hit(file, call, found, where, is_print)
                    break
                row = _password_row(file, argument)
                if row is not None:
                    evidence = Evidence.DEFINITE if not is_print or not _command_line_tool(file) else None
                    yield Hit(call.node, {"value": file.text_of(argument), "where": where,
                                          "what": "rows of a query that selects the password column",
                                          "code": file.text_of(call.node)[:80]}, evidence=evidence)
                    break

    def _password_hit(self, file: PyFile, call: Call, value: ts.Node, where: str, is_print: bool) -> Hit:
        if provenance_kind(file, value) == "source":
            evidence = Evidence.DATAFLOW
        else:
            evidence = None if is_print and _command_line_tool(file) else Evidence.DEFINITE
        return Hit(call.node, {"value": file.text_of(value), "where": where, "what": "a password",
                               "code": file.text_of(call.node)[:80]}, evidence=evidence)


def _is_logging(file: PyFile, call: Call) -> bool:
    if call.method not in _LEVELS or call.receiver is None:
        return False
    if (call.name or "").startswith("logging."):
        return True
    return file.text_of(call.receiver).rsplit(".", 1)[-1] in _LOGGER_NAMES


def _password_in(file: PyFile, node: ts.Node | None, depth: int = 0) -> ts.Node | None:
    """The password-named value that reaches the message text through `node`."""
    node = unwrap(node)
    if node is None or depth > 6:
        return None
    if node.type in ("identifier", "attribute", "subscript") or node.type == "call" and \
            file.call_at(node).method in ("get", "strip"):
        return node if names_a_password(file, node) else None
    if node.type == "call":
        call = file.call_at(node)
        if (call.name or call.method or "").rsplit(".", 1)[-1] not in _TEXT_CALLS:
            return None
        parts = [*call.args, *call.kwargs.values()] + ([call.receiver] if call.method == "format" else [])
    elif node.type == "string":
        parts = [c.named_children[0] for c in node.named_children if c.type == "interpolation" and c.named_children]
    else:  # `%` and `+` building, tuples of arguments, f-string pieces, conditional expressions
        parts = list(node.named_children)
    for part in parts:
        found = _password_in(file, part, depth + 1)
        if found is not None:
            return found
    return None


def _password_row(file: PyFile, node: ts.Node | None) -> ts.Node | None:
    """`row` of `for row in cur.execute("SELECT name, password FROM users")` (or its `fetchall()`)."""
    node = unwrap(node)
    if node is None or node.type != "identifier":
        return None
    bindings = file.bindings_before(node)
    if len(bindings) != 1:
        return None
    binding, _ = bindings[0]
    source = binding.child_by_field_name("right") if binding.type == "for_statement" else None
    if source is None and binding.type == "assignment":
        source = binding.child_by_field_name("right")
    source = unwrap(source)
    while source is not None and source.type == "call" and file.call_at(source).method in ("fetchall", "fetchone",
                                                                                           "fetchmany"):
        source = unwrap(file.call_at(source).receiver)
    if source is None or source.type != "call" or file.call_at(source).method != "execute":
        return None
    sql = file.constant_value(file.call_at(source).arg(0))
    return node if isinstance(sql, str) and _selects_password(file, sql) else None


def _selects_password(file: PyFile, sql: str) -> bool:
    select = _SELECT.match(sql)
    if select is None:
        return False
    columns = [c.strip().split()[-1].strip("\"`[]") for c in select.group(1).split(",") if c.strip()]
    if columns == ["*"]:
        columns = list(created_tables(file).get(select.group(2).strip("\"`[]").lower(), ()))
    return any(is_password_column(column) for column in columns)


def _command_line_tool(file: PyFile) -> bool:
    """A script run by a person: a `__main__` block or a command-line parser."""
    return "__main__" in file.text or any(file.imports_module(module) for module in _COMMAND_LINE_MODULES)
