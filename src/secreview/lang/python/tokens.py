"""Values an attacker can compute: built only from the user's name, the time or `random`, by unkeyed steps.

`guessable_inputs` walks an expression through concatenation, formatting,
unkeyed hashes and encodings (`sha1(username + str(time.time()))`,
`base64(username + strftime(...))`) and local bindings, and names the
guessable inputs it found.  Any other input (a call it does not know, a
parameter, a value named like a secret) makes the value possibly secret:
then it returns None.
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.knowledge.sessions import (AUTH_TOKEN_HEADS, AUTH_TOKEN_QUALIFIERS, AUTH_TOKEN_WORDS,
                                          GUESSABLE_IDENTITY_WORDS, GUESSABLE_TIME_CALLS, SECRET_VALUE_WORDS,
                                          TIME_PARTS, VALUE_PRESERVING_CALLS, VALUE_PRESERVING_METHODS)
from secreview.knowledge.vocabulary import words
from secreview.lang.python.file import PyFile
from secreview.lang.python.origins import binding_values
from secreview.lang.python.syntax import unwrap

_MAX_DEPTH = 16  # nesting levels followed, bindings included; deeper values stay unknown
_LITERALS = frozenset({"string", "concatenated_string", "integer", "float", "true", "false", "none"})
RANDOM_INPUT = "`random`"
"""The label of a Mersenne Twister input (the caller may leave those to the insecure-random rule)."""


def names_auth_token(name: str) -> bool:
    """`csrf_token`, `resetToken`, `session_id`, `sid`, `remember_me`: a name for an authentication token."""
    found = set(words(name))
    return bool(found & AUTH_TOKEN_WORDS) or (bool(found & AUTH_TOKEN_QUALIFIERS) and bool(found & AUTH_TOKEN_HEADS))


def guessable_inputs(file: PyFile, node: ts.Node | None, depth: int = 0) -> list[str] | None:
    """The guessable inputs (`the user name`, `the time`, `random`) the value is computed from.

    [] for a constant; None when some input may be secret or is unknown.
    """
    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    if node.type in _LITERALS and not _interpolations(node):
        return []
    if node.type == "string":
        return _combine(file, _interpolations(node), depth)
    if node.type == "binary_operator":
        return _combine(file, [node.child_by_field_name("left"), node.child_by_field_name("right")], depth)
    if node.type == "call":
        return _call_inputs(file, node, depth)
    if node.type in ("identifier", "attribute", "subscript"):
        return _named_inputs(file, node, depth)
    return None


def _interpolations(node: ts.Node) -> list[ts.Node]:
    return [child.named_children[0] for child in node.named_children
            if child.type == "interpolation" and child.named_children]


def _combine(file: PyFile, parts: list[ts.Node | None], depth: int) -> list[str] | None:
    found: list[str] = []
    for part in parts:
        inputs = guessable_inputs(file, part, depth + 1)
        if inputs is None:
            return None
        found += [label for label in inputs if label not in found]
    return found


def _call_inputs(file: PyFile, node: ts.Node, depth: int) -> list[str] | None:
    function = node.child_by_field_name("function")
    name = file.qualified_name(function) or ""
    arguments = node.child_by_field_name("arguments")
    args = [arg.child_by_field_name("value") if arg.type == "keyword_argument" else arg
            for arg in (arguments.named_children if arguments is not None else [])]
    if name in GUESSABLE_TIME_CALLS:
        return [f"the time (`{file.text_of(function)}`)"]
    if name.startswith("random.") and name != "random.SystemRandom":
        return [RANDOM_INPUT]
    if name in VALUE_PRESERVING_CALLS:
        return _combine(file, args, depth)
    if function is not None and function.type == "attribute":
        method = file.text_of(function.child_by_field_name("attribute"))
        if method in VALUE_PRESERVING_METHODS or method in TIME_PARTS:
            return _combine(file, [function.child_by_field_name("object"), *args], depth)
    return None


def _named_inputs(file: PyFile, node: ts.Node, depth: int) -> list[str] | None:
    name = _last_name(file, node)
    found = set(words(name)) if name else set()
    if found & SECRET_VALUE_WORDS:
        return None
    if found & GUESSABLE_IDENTITY_WORDS:
        return [f"the user name (`{file.text_of(node)}`)"]
    if node.type == "attribute" and name in TIME_PARTS:
        return _combine(file, [node.child_by_field_name("object")], depth)
    if node.type != "identifier" or file.is_parameter(name, file.enclosing_scope(node)):
        return None
    values = binding_values(file, node)
    if not values:
        return None
    return _combine(file, list(values), depth)


def _last_name(file: PyFile, node: ts.Node) -> str:
    """`username` -> username, `user.email` -> email, `request.form["username"]` -> username."""
    if node.type == "identifier":
        return file.text_of(node)
    if node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute"))
    return file.string_literal_text(node.child_by_field_name("subscript")) or ""
