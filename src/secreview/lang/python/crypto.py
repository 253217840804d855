"""Hash constructors and the data they digest (`hashlib.sha256(password)`, `h.update(password)`)."""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.names import identifier_names, is_password_name


def hashed_data(call: Call) -> ts.Node | None:
    """The data argument of a hash constructor or of `.update()`."""
    if call.name == "hashlib.new":
        return call.arg(1, "data") or call.arg(None, "string")
    if call.name == "cryptography.hazmat.primitives.hashes.Hash":
        return None
    return call.arg(0, "data") or call.arg(None, "string")


def password_names(file: PyFile, node: ts.Node | None) -> list[str]:
    """Identifiers in an expression that name a password (`user.password`, `get_password()`)."""
    return [name for name in identifier_names(file, node) if is_password_name(name)]


def hash_update_calls(file: PyFile, call: Call) -> list[Call]:
    """`.update(...)` calls on the variable a hash constructor call is bound to, in its scope."""
    parent = call.node.parent
    if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") != call.node:
        return []
    left = parent.child_by_field_name("left")
    if left is None or left.type not in ("identifier", "attribute"):
        return []
    target = file.text_of(left)
    scope = file.enclosing_scope(call.node)
    return [update for update in file.method_calls("update")
            if update.receiver is not None and file.text_of(update.receiver) == target
            and file.enclosing_scope(update.node) == scope and update.node.start_byte > call.node.start_byte]
