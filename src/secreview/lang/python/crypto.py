"""Hash constructors and the data they digest (`hashlib.sha256(password)`, `h.update(password)`)."""

from __future__ import annotations

import tree_sitter as ts

from secreview.knowledge.password_hashing import KNOWLEDGE as PASSWORD_HASHING
from secreview.knowledge.password_hashing import VERIFIER_CALLEES, VERIFIER_METHODS
from secreview.lang.python.callers import argument_for, visible_calls
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.names import identifier_names, is_password_name
from secreview.lang.python.scopes import function_of


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


def passwords_passed_in(file: PyFile, node: ts.Node | None) -> list[str]:
    """Passwords the calls of this file pass for the parameters used in `node`.

    `def _make_hash(self, string): return sha256(string)` called as
    `self._make_hash(self.password)` gives `self.password`.
    """
    function = function_of(file, node) if node is not None else None
    if function is None:
        return []
    found: list[str] = []
    for name in dict.fromkeys(identifier_names(file, node)):
        if not file.is_parameter(name, function):
            continue
        for call in visible_calls(file, function):
            argument = argument_for(file, call, function, name)
            if password_names(file, argument):
                found.append(file.text_of(argument))
    return list(dict.fromkeys(found))


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


# Methods chained on a digest that keep it the same value in another spelling (`.hexdigest().lower()`).
_DIGEST_SPELLINGS = frozenset({"hexdigest", "digest", "hex", "lower", "upper", "decode", "encode", "finalize"})
# Password-hashing and password-checking functions: beside them a fast digest is a pre-hash feeding one
# (bcrypt reads 72 bytes) or an older stored format the code still accepts (htpasswd `{SHA}`).
_SLOW_HASH_CALLEES = tuple(sorted({sanitizer.callee for sanitizer in PASSWORD_HASHING.sanitizers
                                   if sanitizer.callee} | VERIFIER_CALLEES))
_SLOW_HASH_METHODS = tuple(sorted({sanitizer.method for sanitizer in PASSWORD_HASHING.sanitizers
                                   if sanitizer.method} | VERIFIER_METHODS))


def digest_is_kept(file: PyFile, call: Call) -> bool:
    """The digest itself is what is kept: compared, assigned or returned, not passed on to another call.

    Quiet when a password-hashing or -checking function is called in the
    same function (or anywhere in the file, for a returned digest): there the
    fast digest may be a pre-hash feeding it or a legacy format still read.
    """
    node = call.node
    while (node.parent is not None and node.parent.type == "attribute" and node.parent.parent is not None
           and node.parent.parent.type == "call"
           and file.text_of(node.parent.child_by_field_name("attribute")) in _DIGEST_SPELLINGS):
        node = node.parent.parent
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "return_statement":
        return not _calls_slow_hash(file, file.tree.root_node)
    kept = parent.type == "comparison_operator" or (
        parent.type == "assignment" and parent.child_by_field_name("right") == node)
    return kept and not _calls_slow_hash(file, file.enclosing_scope(call.node))


def _calls_slow_hash(file: PyFile, scope: ts.Node) -> bool:
    slow = [*file.calls_to(*_SLOW_HASH_CALLEES), *file.method_calls(*_SLOW_HASH_METHODS)]
    return any(scope.start_byte <= found.node.start_byte < scope.end_byte for found in slow)
