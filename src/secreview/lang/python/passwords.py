"""Passwords in application code: where a typed password is stored, where it is checked, and with what.

Shared by the rules on plaintext storage, seeded accounts and login attempt
limits.  Three kinds of facts:

- SQL statements in string constants: which columns of an `INSERT`, `UPDATE`
  or `WHERE` hold a password, and whether the statement writes it or compares
  it (`password_slots`); a table's columns from a `CREATE TABLE` in the same
  file fill an `INSERT` without a column list.
- Values that are a password by their name: a field read by a password key
  (`request.form["password"]`, `data.get("pwd")`), a variable or attribute
  named like one (`names_a_password`).
- Equality tests of a typed password with a stored one (`password_comparisons`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge.vocabulary import COMMON_PASSWORDS, PASSWORD_WORDS, SECURITY_CODE_QUALIFIERS, words
from secreview.lang.python.file import PyFile
from secreview.lang.python.names import is_password_name
from secreview.lang.python.requests import is_request_object
from secreview.lang.python.syntax import unwrap

# a column or key that holds a password (or what the application stores in its place)
_PASSWORD_COLUMN = re.compile(r"^(?:new_|user_|hashed_)?(?:pass|passwd|password|pwd|passphrase)"
                              r"(?:_?hash(?:ed)?|_?digest)?$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\?|%s|:\w+|%\(\w+\)s")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"")
_INSERT = re.compile(r"\binsert\s+(?:or\s+\w+\s+)?into\s+([\w.\"`\[\]]+)\s*(?:\(([^)]*)\))?\s*values\s*\(",
                     re.IGNORECASE)
_UPDATE = re.compile(r"\bupdate\s+[\w.\"`\[\]]+\s+set\s+(.*?)(?:\bwhere\b|$)", re.IGNORECASE | re.DOTALL)
_WHERE_TEST = re.compile(r"\b([\w.\"`\[\]]+)\s*=\s*(\?|%s|:\w+|%\(\w+\)s|'(?:[^']|'')*')", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?([\w.\"`\[\]]+)\s*\(", re.IGNORECASE)
_VALUE_ITEM = re.compile(r"\s*('(?:[^']|'')*'|\"[^\"]*\"|[^,()]+|\([^()]*\))\s*(,|\))")
# SQL words that open a column definition without naming a column
_CONSTRAINT_WORDS = frozenset({"primary", "foreign", "unique", "constraint", "check", "key", "index"})
_ONE_TIME_WORDS = frozenset({"otp", "totp", "hotp", "mfa", "twofa", "2fa"})
# methods that read a request's field or body, or clean up what was read
_READING_METHODS = frozenset({"get", "getlist", "getone", "get_json", "json", "strip", "lower", "encode", "decode"})
# words that make the other side of `==` a second typed copy, not the stored password
_CONFIRMATION_WORDS = frozenset({"confirm", "confirmation", "confirmed", "repeat", "repeated", "again", "retype",
                                 "retyped", "verify", "verification", "check", "second"})


def is_password_column(name: str) -> bool:
    """`password`, `Password`, `passwd`, `pwd`, `password_hash`: a column or key that holds a password."""
    return bool(_PASSWORD_COLUMN.match(name.strip("\"`[] ").rsplit(".", 1)[-1]))


@dataclass(frozen=True)
class PasswordSlot:
    """A password column in a SQL statement, with what fills it."""

    column: str
    stored: bool  # True: the statement writes the column (INSERT, UPDATE); False: it compares it (WHERE)
    position: int  # index of the placeholder among the statement's placeholders (-1 for a literal)
    placeholder: str | None  # `?`, `%s`, `:name`, `%(name)s`; None when the statement holds a literal
    literal: str | None  # the quoted value written in the statement


def password_slots(sql: str, tables: dict[str, tuple[str, ...]] | None = None) -> list[PasswordSlot]:
    """The password columns an `INSERT`/`UPDATE` writes and a `WHERE` compares, with their values.

    `tables` gives the columns of tables created elsewhere, for `INSERT INTO t VALUES (...)`.
    """
    slots = list(_insert_slots(sql, tables or {}))
    update = _UPDATE.search(sql)
    if update:
        slots.extend(_update_slots(sql, update))
    where = re.search(r"\bwhere\b", sql, re.IGNORECASE)
    if where:
        for test in _WHERE_TEST.finditer(sql, where.end()):
            if is_password_column(test.group(1)):
                slots.append(_slot(sql, test.group(1), False, test.start(2), test.group(2)))
    return slots


def _slot(sql: str, column: str, stored: bool, offset: int, value: str) -> PasswordSlot:
    column = column.strip("\"`[] ")
    if _PLACEHOLDER.fullmatch(value):
        return PasswordSlot(column, stored, _placeholders_before(sql, offset), value, None)
    return PasswordSlot(column, stored, -1, None, _unquote(value) if _QUOTED.fullmatch(value) else None)


def _placeholders_before(sql: str, offset: int) -> int:
    return len(_PLACEHOLDER.findall(_QUOTED.sub("''", sql[:offset])))


def _unquote(value: str) -> str:
    return value[1:-1].replace("''", "'")


def _insert_slots(sql: str, tables: dict[str, tuple[str, ...]]) -> Iterator[PasswordSlot]:
    insert = _INSERT.search(sql)
    if not insert:
        return
    if insert.group(2) is not None:
        columns = tuple(c.strip().strip("\"`[]") for c in insert.group(2).split(","))
    else:
        columns = tables.get(insert.group(1).strip("\"`[]").lower(), ())
    offset = insert.end()
    for column in columns:
        item = _VALUE_ITEM.match(sql, offset)
        if item is None:
            return
        if is_password_column(column):
            yield _slot(sql, column, True, item.start(1), item.group(1).strip())
        offset = item.end()
        if item.group(2) == ")":
            return


def _update_slots(sql: str, update: re.Match) -> Iterator[PasswordSlot]:
    offset = update.start(1)
    for assignment in update.group(1).split(","):
        column, _, value = assignment.partition("=")
        value_offset = offset + len(column) + 1 + (len(value) - len(value.lstrip()))
        if is_password_column(column) and value.strip():
            yield _slot(sql, column, True, value_offset, value.strip())
        offset += len(assignment) + 1


def created_tables(file: PyFile) -> dict[str, tuple[str, ...]]:
    """Column names of the tables the file's SQL creates (`CREATE TABLE users(id INT, name TEXT, password TEXT)`)."""
    def compute() -> dict[str, tuple[str, ...]]:
        tables: dict[str, tuple[str, ...]] = {}
        if "create table" not in file.text.lower():
            return tables
        for string in file.nodes_of_type("string"):
            value = file.constant_value(string)
            if not isinstance(value, str):
                continue
            for match in _CREATE_TABLE.finditer(value):
                tables[match.group(1).strip("\"`[]").lower()] = _column_names(value[match.end():])
        return tables
    return file.memo("created-tables", compute)


def _column_names(definitions: str) -> tuple[str, ...]:
    depth, current, parts = 0, [], []
    for char in definitions:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    names = [part.split()[0].strip("\"`[]") for part in parts if part.split()]
    return tuple(name for name in names if name.lower() not in _CONSTRAINT_WORDS)


def sql_parameter(file: PyFile, params: ts.Node, slot: PasswordSlot) -> ts.Node | None:
    """The expression of the query's parameters that fills `slot`'s placeholder."""
    placeholder = slot.placeholder
    if placeholder is None:
        return None
    if placeholder.startswith(":") or placeholder.startswith("%("):
        name = placeholder[1:] if placeholder.startswith(":") else placeholder[2:-2]
        if params.type != "dictionary":
            return None
        for pair in params.named_children:
            if pair.type == "pair" and file.constant_value(pair.child_by_field_name("key")) == name:
                return pair.child_by_field_name("value")
        return None
    if params.type in ("tuple", "list", "parenthesized_expression"):
        items = [c for c in params.named_children if c.type != "comment"]
        return items[slot.position] if slot.position < len(items) else None
    return None


# -- what a password value is --------------------------------------------------------------

_MIN_GUESSING_LENGTH = 8  # NIST SP 800-63B's minimum for a memorised secret
_STORED_FORM = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128}|\$\w+\$.+|"
                          r"\w+\$\d+\$.+|\{\w+\}.+)$")


def is_stored_form(value: str) -> bool:
    """A hex digest, a modular crypt string (`$2b$12$...`) or a Django/LDAP hash: not the password itself."""
    return bool(_STORED_FORM.match(value))


def is_guessable_password(value: str, account: str | None = None) -> bool:
    """Shorter than 8 characters, one of the most common leaked passwords (alone or followed by digits and
    symbols, the first mutation every cracking tool tries), or made of the account's name."""
    lowered = value.lower()
    if len(value) < _MIN_GUESSING_LENGTH or lowered in COMMON_PASSWORDS:
        return True
    if lowered.rstrip("0123456789!@#$%^&*?.-_") in COMMON_PASSWORDS:
        return True
    return account is not None and len(account) >= 3 and account.lower() in lowered


# -- values that are passwords --------------------------------------------------------------

def names_a_password(file: PyFile, node: ts.Node | None) -> bool:
    """The value is a password by its name: read under a password key, or a name or attribute named so
    (once per node and file: the login and password rules ask about the same arguments)."""
    node = unwrap(node)
    if node is None or not _spells_password_words(file):
        return False
    return file.memo(("names-a-password", node.id), lambda: _names_a_password(file, node, 0))


def _spells_password_words(file: PyFile) -> bool:
    """A name holds a password only with a word of PASSWORD_WORDS in it, and every name the test reads is
    spelled in the file: a file that spells none of those words has no value that names a password.
    Python's `pass` statements are not names (a bare `pass` is not a password name either)."""
    def compute() -> bool:
        lowered = _PASS_STATEMENT.sub("", file.text.lower())
        return any(word in lowered for word in PASSWORD_WORDS)
    return file.memo(("spells-password-words",), compute)


_PASS_STATEMENT = re.compile(r"(?m)(?:^|:)[ \t]*pass[ \t]*(?:#.*)?$")


def _names_a_password(file: PyFile, node: ts.Node | None, depth: int) -> bool:
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type == "identifier":
        if is_password_name(file.text_of(node)):
            return True
        bindings = file.bindings_before(node)
        if len(bindings) != 1:
            return False
        return _names_a_password(file, file.bound_value(*bindings[0]), depth + 1)
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        if attribute == "data":  # a form field object: `form.password.data`
            return _names_a_password(file, node.child_by_field_name("object"), depth + 1)
        return is_password_name(attribute)
    if node.type == "subscript":
        key = file.constant_value(node.child_by_field_name("subscript"))
        return isinstance(key, str) and is_password_name(key)
    if node.type == "call":
        call = file.call_at(node)
        if call.method in ("get", "getlist", "getone") and call.args:
            key = file.constant_value(call.args[0])
            return isinstance(key, str) and is_password_name(key)
        if call.method in ("strip", "encode", "decode") and call.receiver is not None:
            return _names_a_password(file, call.receiver, depth + 1)
        callee = (call.name or call.method or "").rsplit(".", 1)[-1]
        if callee[:1].isupper() and is_password_name(callee):  # a password object: `Password(form["password"])`
            return any(_names_a_password(file, argument, depth + 1) for argument in call.args)
    return False


def read_from_request(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """The value is a field read straight from the request (`request.form["x"]`, `data.get("x")` with
    `data = request.get_json()`), not something computed from request data (`find_user(request.form["x"])`)."""
    node = unwrap(node)
    if node is None or depth > 6:
        return False
    if is_request_object(file, node):
        return True
    if node.type == "identifier":
        bindings = file.bindings_before(node)
        return len(bindings) == 1 and read_from_request(file, file.bound_value(*bindings[0]), depth + 1)
    if node.type == "subscript":
        return read_from_request(file, node.child_by_field_name("value"), depth + 1)
    if node.type == "attribute":
        return read_from_request(file, node.child_by_field_name("object"), depth + 1)
    if node.type == "call":
        call = file.call_at(node)
        return call.method in _READING_METHODS and read_from_request(file, call.receiver, depth + 1)
    return False


def names_a_confirmation(file: PyFile, node: ts.Node | None) -> bool:
    """`confirm_password`, `form["password2"]`: a second typed copy that a registration form compares."""
    text = file.text_of(unwrap(node))
    return any(word in _CONFIRMATION_WORDS for word in words(text)) or bool(re.search(r"password_?2\b", text, re.I))


@dataclass(frozen=True)
class PasswordComparison:
    """`typed == stored` (or `!=`) where `typed` is named as a password."""

    node: ts.Node
    typed: ts.Node
    stored: ts.Node


def password_comparisons(file: PyFile, *, literals: bool = False) -> list[PasswordComparison]:
    """Equality tests of a password-named value with a value that is not a second typed copy, nor a
    literal unless `literals` (`password == "admin"` checks a password, but stores none).

    Both orders are returned as candidates (`typed` is decided by the caller's dataflow): for
    `user.password == form["password"]` the pair comes once with each side as `typed`.
    """
    lowered = file.text.lower()
    if "pass" not in lowered and "pwd" not in lowered:
        return []
    return file.memo(("password-comparisons", literals),
                     lambda: _comparisons(file, lambda node: names_a_password(file, node), literals))


def one_time_code_comparisons(file: PyFile) -> list[PasswordComparison]:
    """Equality tests of a value named as a one-time code (`otp`, `totp`, `sms_code`, `verification_pin`)
    with a stored, non-literal value."""
    return file.memo("code-comparisons", lambda: _comparisons(file, lambda node: names_a_one_time_code(file, node),
                                                              False))


def _comparisons(file: PyFile, is_secret, literals: bool) -> list[PasswordComparison]:
    found = []
    for node in file.nodes_of_type("comparison_operator"):
        operands = [c for c in node.named_children if c.type != "comment"]
        operators = [file.text_of(c) for c in node.children if not c.is_named]
        if len(operands) != 2 or operators not in (["=="], ["!="]):
            continue
        for typed, stored in (operands, operands[::-1]):
            if not is_secret(typed) or stored.type == "none" or \
                    file.is_constant(stored) and not (literals and _non_empty_string(file.constant_value(stored))):
                continue
            if names_a_confirmation(file, stored) or names_a_confirmation(file, typed):
                continue
            found.append(PasswordComparison(node, typed, stored))
    return found


def names_a_one_time_code(file: PyFile, node: ts.Node | None) -> bool:
    """`otp`, `form["totp"]`, `sms_code`, `verification_pin`: a short code sent to the user to type back."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "subscript":
        name = file.constant_value(node.child_by_field_name("subscript"))
    elif node.type == "call" and file.call_at(node).method in ("get", "getlist") and file.call_at(node).args:
        name = file.constant_value(file.call_at(node).args[0])
    elif node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
    else:
        name = file.text_of(node) if node.type == "identifier" else None
    if not isinstance(name, str):
        return False
    parts = words(name)
    if any(part in _ONE_TIME_WORDS for part in parts):
        return True
    return bool(parts) and parts[-1] in ("code", "pin") and any(part in SECURITY_CODE_QUALIFIERS for part in parts[:-1])


def literal_account_beside(file: PyFile, comparison: ts.Node) -> str | None:
    """The literal user name tested in the same condition (`username == "admin" and ...`)."""
    condition = comparison.parent
    while condition is not None and condition.type in ("boolean_operator", "parenthesized_expression", "not_operator"):
        for test in file.nodes_of_type("comparison_operator", within=condition):
            operands = [c for c in test.named_children if c.type != "comment"]
            if len(operands) == 2 and "user" in file.text_of(operands[0]).lower():
                value = file.constant_value(operands[1])
                if isinstance(value, str):
                    return value
        condition = condition.parent
    return None


def _non_empty_string(value: object) -> bool:
    """A literal a password could equal: `password == ""` tests that a field was filled in."""
    return isinstance(value, str) and bool(value.strip())


_MONGO_QUERIES = ("find_one", "find", "count_documents", "find_one_and_update", "find_one_and_delete")


_ORM_QUERIES = ("filter", "filter_by", "get", "exclude", "get_or_none")


def document_password_filters(file: PyFile) -> list[tuple[ts.Node, str, ts.Node]]:
    """(query call, key, value) for queries whose filter matches a password field: MongoDB's
    `users.find_one({"username": u, "password": p})`, Django's and SQLAlchemy's
    `User.objects.filter(password=p)`, `User.query.filter_by(password=p)`. The store holds the password as
    compared."""
    found = []
    for call in file.method_calls(*_ORM_QUERIES):
        if call.receiver is None:
            continue
        for key, value in call.kwargs.items():
            if is_password_column(key.split("__", 1)[0]):
                found.append((call.node, key, value))
    for call in file.method_calls(*_MONGO_QUERIES):
        query = unwrap(call.arg(0, "filter"))
        if call.receiver is None or query is None:
            continue
        if query.type == "identifier":
            bindings = file.bindings_before(query)
            query = unwrap(file.bound_value(*bindings[-1])) if len(bindings) == 1 else None
        if query is None or query.type != "dictionary":
            continue
        for pair in query.named_children:
            key = file.constant_value(pair.child_by_field_name("key")) if pair.type == "pair" else None
            if isinstance(key, str) and is_password_column(key):
                found.append((call.node, key, pair.child_by_field_name("value")))
    return found


# -- models that keep a password as given -----------------------------------------------------

_MODEL_BASES = re.compile(r"\b(?:Model|Base|Document|DeclarativeBase|SQLModel|DynamicDocument)\b")
# anything in the class that may turn the password into something else on the way in
_TRANSFORMS = re.compile(r"hash|bcrypt|argon|pbkdf|scrypt|crypt|encrypt|digest|set_password|make_password|\.setter|"
                         r"@validates|__setattr__|hybrid_property", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def model_keeps_password_as_given(path: str, text: str, class_name: str, field: str) -> bool:
    """The class `class_name` of this source is a persistent model (SQLAlchemy, Django, MongoEngine) that
    stores constructor argument `field` unchanged: its `__init__` assigns `self.<field> = <parameter>`, or it
    has no `__init__` and declares the field; and nothing in the class hashes, encrypts or validates it."""
    parsed = PyFile(path, text)
    for definition in parsed.nodes_of_type("class_definition"):
        if parsed.text_of(definition.child_by_field_name("name")) != class_name:
            continue
        bases = definition.child_by_field_name("superclasses")
        body = parsed.text_of(definition)
        if bases is None or not _MODEL_BASES.search(parsed.text_of(bases)) or _TRANSFORMS.search(body):
            return False
        init = next((f for f in parsed.nodes_of_type("function_definition", within=definition)
                     if parsed.text_of(f.child_by_field_name("name")) == "__init__"), None)
        if init is None:
            return re.search(rf"^\s*{re.escape(field)}\s*=", body, re.MULTILINE) is not None
        parameters = {parsed.text_of(p) for p in init.child_by_field_name("parameters").named_children
                      if p.type == "identifier"}
        return any(re.fullmatch(rf"self\.{re.escape(field)}\s*=\s*(\w+)", parsed.text_of(a).strip()) and
                   parsed.text_of(a.child_by_field_name("right")) in parameters
                   for a in parsed.nodes_of_type("assignment", within=init))
    return False


# -- functions that check a password they are given ---------------------------------------------

@functools.lru_cache(maxsize=256)
def function_checks_parameter(path: str, text: str, function_name: str, index: int) -> bool:
    """`def function_name(...)` of this source compares its `index`-th parameter with a stored password: in a
    SQL `WHERE password = ?`, a query filter on a password field, or an equality test (`row[2] == password`)."""
    parsed = PyFile(path, text)
    for function in parsed.nodes_of_type("function_definition"):
        if parsed.text_of(function.child_by_field_name("name")) != function_name:
            continue
        names = [parsed.text_of(p) for p in function.child_by_field_name("parameters").named_children
                 if p.type == "identifier"]
        names = names[1:] if names[:1] in (["self"], ["cls"]) else names
        if index >= len(names):
            return False
        return names[index] in _checked_names(parsed, function)
    return False


def _checked_names(file: PyFile, function: ts.Node) -> set[str]:
    checked = set()
    for call in file.method_calls("execute"):
        sql, params = file.constant_value(call.arg(0)), call.arg(1)
        if not isinstance(sql, str) or params is None or not _within(call.node, function):
            continue
        for slot in password_slots(sql, created_tables(file)):
            value = sql_parameter(file, params, slot)
            if not slot.stored and value is not None:
                checked.add(file.text_of(value))
    checked.update(file.text_of(value) for node, _, value in document_password_filters(file)
                   if _within(node, function))
    checked.update(file.text_of(c.typed) for c in password_comparisons(file) if _within(c.node, function))
    return checked


def _within(node: ts.Node, scope: ts.Node) -> bool:
    return scope.start_byte <= node.start_byte and node.end_byte <= scope.end_byte
