"""The password layer (lang/python/passwords.py): SQL password columns, guessable values, models."""

from __future__ import annotations

from secreview.lang.python.file import PyFile
from secreview.lang.python.passwords import (created_tables, function_checks_parameter, is_guessable_password,
                                             is_stored_form, model_keeps_password_as_given, password_slots)


def test_insert_with_columns_gives_the_password_placeholder_position():
    [slot] = password_slots("INSERT INTO users(name, role, password) VALUES (?, 'admin', ?)")
    assert (slot.column, slot.stored, slot.position, slot.placeholder) == ("password", True, 1, "?")


def test_insert_without_columns_uses_the_created_table():
    file = PyFile("seed.py", 'db.execute("CREATE TABLE users(id INT, name TEXT, Password TEXT, PRIMARY KEY(id))")\n')
    tables = created_tables(file)
    assert tables == {"users": ("id", "name", "Password")}
    [slot] = password_slots("INSERT INTO users VALUES(1, 'admin', 'admin')", tables)
    assert (slot.column, slot.literal, slot.placeholder) == ("Password", "admin", None)


def test_update_and_where_are_told_apart():
    slots = password_slots("UPDATE users SET password = %s WHERE name = %s AND password = %s")
    assert [(s.stored, s.position) for s in slots] == [(True, 0), (False, 2)]


def test_placeholders_inside_quoted_literals_are_not_counted():
    [slot] = password_slots("SELECT id FROM users WHERE note = 'why?' AND pwd = ?")
    assert slot.position == 0


def test_guessable_passwords():
    assert is_guessable_password("admin")
    assert is_guessable_password("password444555")
    assert is_guessable_password("alice-2024!", account="alice")
    assert not is_guessable_password("x7Qp!rT2vLm9", account="alice")


def test_stored_forms_are_not_passwords():
    assert is_stored_form("0cef1fb10f60529028a71f58e54ed07b")
    assert is_stored_form("$2b$12$abcdefghijklmnopqrstuv")
    assert is_stored_form("pbkdf2_sha256$600000$salt$hash")
    assert not is_stored_form("letmein")


def test_a_model_that_hashes_in_a_setter_does_not_keep_the_password():
    plain = "class User(db.Model):\n    password = db.Column(db.String)\n"
    hashing = plain + "    @password.setter\n    def password(self, value):\n        self._hash = hash_it(value)\n"
    assert model_keeps_password_as_given("m.py", plain, "User", "password")
    assert not model_keeps_password_as_given("m.py", hashing, "User", "password")
    assert not model_keeps_password_as_given("m.py", "class User:\n    password = None\n", "User", "password")


def test_a_function_comparing_its_parameter_in_sql_checks_it():
    source = ("def get_user(username, password):\n"
              "    cur.execute('SELECT id FROM users WHERE username = ? AND password = ?', (username, password))\n"
              "def create_user(username, password):\n"
              "    cur.execute('INSERT INTO users(username, password) VALUES (?, ?)', (username, password))\n")
    assert function_checks_parameter("db.py", source, "get_user", 1)
    assert not function_checks_parameter("db.py", source, "get_user", 0)
    assert not function_checks_parameter("db.py", source, "create_user", 1)
