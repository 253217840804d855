"""A password from the request stored or checked as typed, with no hash in between.

## What it does
Follows request data into a stored password: the parameter of a SQL
`INSERT`/`UPDATE` (DB-API `execute`) that fills a column named like a password
(`password`, `passwd`, `pwd`, `password_hash`, ...; for `INSERT INTO t VALUES`
the columns of a `CREATE TABLE t` in the same file), the value under such a key
of a document written to MongoDB (`insert_one`, `update_one`, `replace_one`, ...)
and the keyword of Django's `objects.create` / `objects.update` or SQLAlchemy's
`insert(...).values(...)` / `update(...).values(...)`. It reports only a value
that is the request's field itself (read by key, possibly stripped or decoded),
and only when the dataflow shows it never passed a password hash or KDF
(`bcrypt.hashpw`, passlib's and argon2's `.hash`, `generate_password_hash`,
`make_password`, `hashlib.pbkdf2_hmac`, `hashlib` digests).

A typed password that is *checked* as typed shows the same storage: a SQL
`WHERE password = ?` filled with it, or an equality test of the request's
password field with a value that is neither a literal, nor request data, nor
a confirmation field (`row[2] == request.form["password"]`,
`data.get("password") == user.password`).

A model constructor (`User(password=...)`) is reported when the model's class
is in a reviewed file (this one, or the module it is imported from) and keeps
the value as given: a SQLAlchemy, Django or MongoEngine model whose `__init__`
assigns the parameter to the field (or that has no `__init__`), with nothing
in the class that hashes, encrypts or validates it (no property setter, no
`@validates`). Attribute stores (`user.password = ...`) are not reported.

## Why is this bad?
Whoever reads the table, a backup or a log of queries, or exploits an injection
elsewhere, gets every user's password, which people reuse on other sites
(CWE-256). A slow salted hash (bcrypt, scrypt, Argon2, PBKDF2) lets the server
check a password without keeping it.

## Example
```python
from flask import request

def register(db):
    db.execute("INSERT INTO users (name, password) VALUES (?, ?)",
               (request.form["name"], request.form["password"]))
```

## Use instead
```python
from flask import request
from werkzeug.security import generate_password_hash

def register(db):
    db.execute("INSERT INTO users (name, password) VALUES (?, ?)",
               (request.form["name"], generate_password_hash(request.form["password"])))
```

## References
- https://cwe.mitre.org/data/definitions/256.html
- https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.file import PyFile
from secreview.lang.python.passwords import (created_tables, document_password_filters, is_password_column,
                                             model_keeps_password_as_given, password_comparisons, password_slots,
                                             read_from_request, sql_parameter)
from secreview.lang.python.requests import request_rooted
from secreview.lang.python.scopes import function_of, statement_of
from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule

_EXECUTE = ("execute", "executemany")
# PyMongo's collection writes: the names are its own; the older generic ones need an import of a MongoDB client
_MONGO_WRITES = frozenset({"insert_one", "insert_many", "update_one", "update_many", "replace_one",
                           "find_one_and_update", "find_one_and_replace"})
_MONGO_GENERIC_WRITES = frozenset({"insert", "save"})
_MONGO_MODULES = ("pymongo", "flask_pymongo", "motor", "mongoengine")
_MONGO_OPERATORS = frozenset({"$set", "$setOnInsert"})
# calls that hand the value on as it is: a key read or a light clean-up
_PASSING_METHODS = frozenset({"get", "strip", "lstrip", "rstrip", "decode", "encode", "getlist", "getone"})
_PASSING_CALLS = frozenset({"str"})


class PasswordStoredInPlaintext(TaintSinkRule):
    id = "password-stored-in-plaintext"
    cwe = 256
    vulnerability = "plaintext"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Password from {source} stored or checked as typed, without hashing"
    description = (
        "{sink} receives `{argument}`, the password as the user typed it, so the application keeps "
        "passwords as typed. Anyone who reads the table, a backup or a query log learns every user's "
        "password, which people reuse elsewhere."
    )
    solution = (
        "Store a slow salted hash instead: `generate_password_hash(password)` (werkzeug), "
        "`make_password(password)` or `user.set_password(password)` (Django), `bcrypt.hashpw(...)` or "
        "passlib/argon2 `hasher.hash(password)`, and check logins with the matching verify function."
    )

    def sink_calls(self, file: PyFile):
        return ()

    def deciding_parts(self, file: PyFile, data: ts.Node) -> list[ts.Node]:
        return [data] if _request_field_as_is(file, data) or _passed_as_is_from_request(file, data) else []

    def extra_sinks(self, file: PyFile) -> Iterable[tuple[ts.Node, str, ts.Node]]:
        lowered = file.text.lower()
        if "pass" not in lowered and "pwd" not in lowered:
            return []
        return [*self._sql(file), *self._mongo(file), *self._orm(file), *self._comparisons(file),
                *self._models(file)]

    def _sql(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for call in file.method_calls(*_EXECUTE):
            sql = file.constant_value(call.arg(0, "sql") or call.arg(0, "operation"))
            params = call.arg(1, "parameters") or call.arg(1, "params") or call.arg(1, "args")
            if not isinstance(sql, str) or params is None:
                continue
            for slot in password_slots(sql, created_tables(file)):
                value = sql_parameter(file, params, slot)
                if value is None:
                    continue
                if slot.stored:
                    yield call.node, f"the SQL parameter stored in column `{slot.column}`", value
                else:  # a query that finds the user by the typed password: the table holds it as typed
                    yield call.node, f"the SQL condition on column `{slot.column}`", value

    def _models(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        """`User(password=form["password"])` where `User` is a model, in a reviewed file, that keeps it as given."""
        for call in file.calls:
            class_name = (call.name or "").rsplit(".", 1)[-1]
            fields = [(key, value) for key, value in call.kwargs.items() if is_password_column(key)]
            if not class_name[:1].isupper() or not fields:
                continue
            source = _class_source(file, call.name)
            if source is None:
                continue
            for key, value in fields:
                if model_keeps_password_as_given(source[0], source[1], class_name, key):
                    yield call.node, f"`{class_name}`, a model that stores `{key}` as given", value

    def _comparisons(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        """The first test of a typed password per function: a login's later `!=` for the error message
        shows the same storage again."""
        seen: set[int] = set()
        for comparison in password_comparisons(file):
            if request_rooted(file, comparison.typed) and not read_from_request(file, comparison.stored):
                function = function_of(file, comparison.node)
                key = function.id if function is not None else -1
                if key in seen:
                    continue
                seen.add(key)
                yield (comparison.node, f"an equality test with the stored `{file.text_of(comparison.stored)}`",
                       comparison.typed)

    def _mongo(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        methods = set(_MONGO_WRITES)
        if any(file.imports_module(module) for module in _MONGO_MODULES):
            methods |= _MONGO_GENERIC_WRITES
        for call in file.method_calls(*sorted(methods)):
            if call.receiver is None:
                continue
            for argument in call.args[:2]:
                for key, value in _document_fields(file, argument):
                    yield call.node, f"the MongoDB document field `{key}`", value
        for call_node, key, value in document_password_filters(file):
            yield call_node, f"the query filter on field `{key}`", value

    def _orm(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for call in file.method_calls("create", "update", "values"):
            receiver = call.receiver
            if receiver is None:
                continue
            if call.method == "values":
                if receiver.type != "call" or file.call_at(receiver).method not in ("insert", "update"):
                    continue
                if not file.imports_module("sqlalchemy"):
                    continue
            elif not (receiver.type == "attribute"
                      and file.text_of(receiver.child_by_field_name("attribute")) == "objects"
                      or receiver.type == "call" and file.call_at(receiver).method in ("filter", "exclude", "all")):
                continue
            for keyword, value in call.kwargs.items():
                if is_password_column(keyword):
                    yield call.node, f"`{call.method}` of the `{keyword}` field", value


def _class_source(file: PyFile, name: str) -> tuple[str, str] | None:
    """(path, text) of the reviewed file defining class `name`: this file, or the one module it is imported from."""
    if "." not in name:
        return (file.path, file.text) if f"class {name}" in file.text else None
    module, class_name = name.rsplit(".", 1)
    sources = file.context.module_sources(module)
    if len(sources) != 1 or f"class {class_name}" not in sources[0].text:
        return None
    return sources[0].path, sources[0].text


def _document_fields(file: PyFile, node: ts.Node, depth: int = 0) -> Iterator[tuple[str, ts.Node]]:
    if node.type == "identifier":  # `user = {...}; users.insert_one(user)`
        value = _last_value_in_block(file, node)
        if value is None:
            return
        node = value
    if node.type != "dictionary" or depth > 1:
        return
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key = file.constant_value(pair.child_by_field_name("key"))
        value = pair.child_by_field_name("value")
        if not isinstance(key, str) or value is None:
            continue
        if key in _MONGO_OPERATORS:
            yield from _document_fields(file, value, depth + 1)
        elif is_password_column(key):
            yield key, value


def _last_value_in_block(file: PyFile, identifier: ts.Node) -> ts.Node | None:
    """The value of the name's last plain assignment before it, when that assignment is a statement of the
    same block as the use (so it always runs just before and nothing between rebinds the name)."""
    bindings = file.bindings_before(identifier)
    if not bindings:
        return None
    binding, bound = bindings[-1]
    statement, use = statement_of(binding), statement_of(identifier)
    if statement is None or use is None or statement.parent != use.parent:
        return None
    return file.bound_value(binding, bound)


def _passed_as_is_from_request(file: PyFile, node: ts.Node) -> bool:
    """`node` is a helper's parameter that a route in another file fills with a request field as is
    (`def updatePassword(self, user, password)` called as `sqli.updatePassword(usr, request.form["pw"])`)."""
    function = function_of(file, node)
    if node.type != "identifier" or function is None or file.bindings_before(node) \
            or not file.is_parameter(file.text_of(node), function):
        return False
    name = file.text_of(node)
    return any(any(label.kind == "source" for label in call.arguments.get(name, taint.EMPTY).labels)
               and call.caller_file is not None and name in call.argument_nodes
               and _request_field_as_is(call.caller_file, call.argument_nodes[name])
               for call in taint.calls_from_other_files(file, function))


def _request_field_as_is(file: PyFile, node: ts.Node, depth: int = 0) -> bool:
    """`node` is a value read by key (or attribute) and at most cleaned up: no call that could hash it."""
    if depth > 6:
        return False
    if node.type == "identifier":
        bindings = file.bindings_before(node)
        if len(bindings) != 1:
            return False
        value = file.bound_value(*bindings[0])
        return value is not None and _request_field_as_is(file, value, depth + 1)
    if node.type in ("subscript", "attribute"):
        return True
    if node.type == "call":
        call = file.call_at(node)
        if call.method in _PASSING_METHODS and call.receiver is not None:
            return True if call.method in ("get", "getlist", "getone") else _request_field_as_is(file, call.receiver,
                                                                                                   depth + 1)
        if call.name in _PASSING_CALLS and len(call.args) == 1:
            return _request_field_as_is(file, call.args[0], depth + 1)
    return False
