"""A user account created by the code with a password written in the code.

## What it does
Finds accounts that code creates with a literal password: a SQL `INSERT`
whose password column gets a string literal (in the statement, in its
parameters, or in the list of rows handed to `executemany`; for
`INSERT INTO users VALUES (...)` the columns come from the file's
`CREATE TABLE users`), a MongoDB `insert_one`/`insert_many` of documents
with a literal `"password"`, and account constructors and helpers given one
(`User(username="admin", password="admin")`, `create_user(..., password="...")`,
`create_superuser("admin", "a@example.com", "admin")`, and positional arguments
of a class in the same file whose `__init__` names them), and logins that
accept a password written in the code (`password == "admin"` for the request's
password).

Stored forms (hex digests, `$2b$...` crypt strings, Django hashes), empty
strings and placeholders are not passwords and are skipped. Every other
literal password is shown by default (test code is kept out by the test-code
policy): the account exists wherever the code runs, with a password everyone
who reads the code knows. A guessable one (shorter than 8 characters, one of
the most common leaked passwords, or containing the account's name) is named
as such: it is open even to those who only try the usual defaults.

## Why is this bad?
Every installation gets the same account with the same password, and the
password is in the repository for everyone who reads it. Default accounts such
as `admin`/`admin` are the first thing attackers and scanners try (CWE-1392,
CWE-521); a strong literal is still a shared, unrotatable credential (CWE-798).

## Example
```python
import sqlite3

def seed(db: sqlite3.Connection):
    db.execute("CREATE TABLE users(id INT, name TEXT, password TEXT)")
    db.execute("INSERT INTO users VALUES(1, 'admin', 'admin')")
```

## Use instead
```python
import os
import sqlite3

from werkzeug.security import generate_password_hash

def seed(db: sqlite3.Connection):
    db.execute("CREATE TABLE users(id INT, name TEXT, password TEXT)")
    db.execute("INSERT INTO users VALUES(1, 'admin', ?)",
               (generate_password_hash(os.environ["ADMIN_INITIAL_PASSWORD"]),))
```

## References
- https://cwe.mitre.org/data/definitions/798.html
- https://cwe.mitre.org/data/definitions/1392.html
- https://pages.nist.gov/800-63-3/sp800-63b.html#memsecret
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.passwords import (created_tables, is_guessable_password, is_password_column,
                                             is_stored_form, literal_account_beside, password_comparisons,
                                             password_slots, sql_parameter)
from secreview.lang.python.requests import request_rooted
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_EXECUTE = ("execute", "executemany")
_MONGO_INSERTS = ("insert_one", "insert_many")
_ACCOUNT_COLUMNS = frozenset({"username", "user_name", "user", "login", "name", "email", "account", "uid"})
# helpers that create an account: Django's managers, Flask-Security's datastore, common spellings
_ACCOUNT_CREATORS = frozenset({"create_user", "create_superuser", "add_user", "create_account", "register_user",
                               "new_user"})
_PASSWORD_POSITION = {"create_user": 2, "create_superuser": 2}  # Django: (username, email, password)
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
_PLACEHOLDER_MARKS = ("${", "{{", "%(", "<", "*" * 3)


class AccountCreatedWithLiteralPassword(Rule):
    id = "account-created-with-literal-password"
    cwe = 798
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Account {account} created with the password written in the code{guessable}"
    description = (
        "{where} creates the account {account} with the literal password `{password}`. Every installation "
        "gets the same account and password, and everyone who reads the repository knows it{why}."
    )
    solution = (
        "Do not ship accounts with passwords: create the first administrator at deployment time from a "
        "secret the operator provides (an environment variable or a one-time setup step), store only its "
        "salted hash, and force a change at first login."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        lowered = file.text.lower()
        if "pass" not in lowered and "pwd" not in lowered:
            return
        found: dict[int, list[tuple[str, str | None, str, bool]]] = {}
        places: dict[int, ts.Node] = {}
        for node, where, account, password in [*_sql_accounts(file), *_documents(file), *_creator_calls(file),
                                               *_built_in_logins(file)]:
            if not password or is_stored_form(password) or any(m in password for m in _PLACEHOLDER_MARKS):
                continue
            place = _seed_list(node)  # one hit per statement or per literal list of accounts
            places[place.id] = place
            found.setdefault(place.id, []).append((where, account, password,
                                                   is_guessable_password(password, account)))
        for place_id, accounts in found.items():
            where, account, password, guessable = max(accounts, key=lambda row: row[3])  # the worst row speaks
            named = f"`{account}`" if account else "(unnamed)"
            if len(accounts) > 1:
                named += f" and {len(accounts) - 1} more in this list"
            yield Hit(places[place_id], {"where": where, "account": named, "password": password,
                                         "guessable": " (a guessable default)" if guessable else "",
                                         "why": "; this password is among the first any attacker tries"
                                         if guessable else ""},
                      evidence=Evidence.DEFINITE)


def _seed_list(node: ts.Node) -> ts.Node:
    """The literal list or tuple of accounts `node` is one row of (`[User(...), User(...)]`, a list of
    documents or rows), else `node` itself."""
    parent = node.parent
    if node.type in ("tuple", "list", "dictionary", "call") and parent is not None and parent.type in ("list", "tuple"):
        return parent
    return node


def _string(file: PyFile, node: ts.Node | None) -> str | None:
    value = file.constant_value(unwrap(node)) if node is not None else None
    return value if isinstance(value, str) else None


def _sql_accounts(file: PyFile) -> Iterator[tuple[ts.Node, str, str | None, str]]:
    for call in file.method_calls(*_EXECUTE):
        sql = _string(file, call.arg(0, "sql") or call.arg(0, "operation"))
        if sql is None:
            continue
        slots = [slot for slot in password_slots(sql, created_tables(file)) if slot.stored]
        if not slots:
            continue
        for row in _parameter_rows(file, call):
            for slot in slots:
                if slot.placeholder is None:
                    password = slot.literal
                else:
                    password = _string(file, sql_parameter(file, row, slot)) if row is not None else None
                if password is not None:  # a row of a list handed to `executemany` is reported where it is written
                    node = row if row is not None and call.method == "executemany" else call.node
                    yield node, "This SQL statement", _first_name(file, sql, row, password), password


def _parameter_rows(file: PyFile, call: Call) -> list[ts.Node | None]:
    """The parameter rows of the statement: one for `execute`, each row of a literal list for `executemany`."""
    params = unwrap(call.arg(1, "parameters") or call.arg(1, "params") or call.arg(1, "seq_of_parameters"))
    if params is not None and params.type == "identifier":
        bindings = file.bindings_before(params)
        params = unwrap(file.bound_value(*bindings[-1])) if len(bindings) == 1 else None
    if call.method == "execute" or params is None:
        return [params]
    if params.type in ("list", "tuple"):
        return [c for c in params.named_children if c.type in ("tuple", "list", "dictionary")]
    return []


def _first_name(file: PyFile, sql: str, row: ts.Node | None, password: str) -> str | None:
    """The account the row creates: its first string that is not the password (`(1, 'admin', ...)`)."""
    strings = [_string(file, c.child_by_field_name("value") if c.type == "pair" else c)
               for c in (row.named_children if row is not None else ())]
    strings += [literal[1:-1].replace("''", "'") for literal in _SQL_LITERAL.findall(sql)]
    return next((s for s in strings if s and s != password and not is_stored_form(s)), None) or \
        next((s for s in strings if s), None)


def _documents(file: PyFile) -> Iterator[tuple[ts.Node, str, str | None, str]]:
    for call in file.method_calls(*_MONGO_INSERTS):
        argument = unwrap(call.arg(0))
        if argument is not None and argument.type == "identifier":
            bindings = file.bindings_before(argument)
            argument = unwrap(file.bound_value(*bindings[-1])) if len(bindings) == 1 else None
        if argument is None:
            continue
        documents = [argument] if argument.type == "dictionary" else \
            [c for c in argument.named_children if c.type == "dictionary"] if argument.type in ("list", "tuple") else []
        for document in documents:
            fields = _dictionary_strings(file, document)
            account = next((value for key, value in fields.items() if key.lower() in _ACCOUNT_COLUMNS), None)
            for key, value in fields.items():
                if is_password_column(key):
                    yield document, f"`{call.method}`", account, value


def _dictionary_strings(file: PyFile, node: ts.Node) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key, value = _string(file, pair.child_by_field_name("key")), _string(file, pair.child_by_field_name("value"))
        if key is not None and value is not None:
            fields[key] = value
    return fields


def _creator_calls(file: PyFile) -> Iterator[tuple[ts.Node, str, str | None, str]]:
    for call in file.calls_named(lambda name: name in _ACCOUNT_CREATORS or _account_model(name)):
        last = call.method or ""
        positions = _constructor_positions(file, last)
        password_node = next((value for key, value in call.kwargs.items() if is_password_column(key)), None)
        if password_node is None:
            index = _PASSWORD_POSITION.get(last, positions.get("password"))
            password_node = call.arg(index) if index is not None else None
        password = _string(file, password_node)
        if password is None:
            continue
        account_node = next((value for key, value in call.kwargs.items() if key.lower() in _ACCOUNT_COLUMNS), None)
        if account_node is None:
            index = 0 if last in _ACCOUNT_CREATORS else positions.get("account")
            account_node = call.arg(index) if index is not None else None
        yield call.node, f"`{file.text_of(call.node.child_by_field_name('function'))}(...)`", \
            _string(file, account_node), password


def _constructor_positions(file: PyFile, class_name: str) -> dict[str, int]:
    """Positions of the password and account-name parameters of `class_name.__init__` in this file
    (`User(1, "admin", "admin")` with `def __init__(self, id, username, password)`)."""
    def compute() -> dict[str, int]:
        for definition in file.nodes_of_type("class_definition"):
            if file.text_of(definition.child_by_field_name("name")) != class_name:
                continue
            for function in file.nodes_of_type("function_definition", within=definition):
                if file.text_of(function.child_by_field_name("name")) != "__init__":
                    continue
                names = [file.text_of(p) for p in function.child_by_field_name("parameters").named_children
                         if p.type == "identifier"][1:]
                positions = {}
                for index, name in enumerate(names):
                    if is_password_column(name):
                        positions.setdefault("password", index)
                    elif name.lower() in _ACCOUNT_COLUMNS:
                        positions.setdefault("account", index)
                return positions
        return {}
    return file.memo(("account-constructor", class_name), compute)


def _built_in_logins(file: PyFile) -> Iterator[tuple[ts.Node, str, str | None, str]]:
    """`if username == "admin" and password == "admin"`: a login that accepts a password written in the code.

    Only with a literal user name in the same condition: a password alone compared with a literal may be a
    policy check (`if new_password == "password": reject(...)`)."""
    for comparison in password_comparisons(file, literals=True):
        password = file.constant_value(comparison.stored)
        if isinstance(password, str) and request_rooted(file, comparison.typed):
            account = literal_account_beside(file, comparison.node)
            if account is not None:
                yield comparison.node, "This login check", account, password


def _account_model(name: str) -> bool:
    """`User`, `AdminUser`, `Account`: a class named for an account."""
    return name[:1].isupper() and (name.endswith("User") or name.endswith("Account") or name in ("Admin", "Member"))
