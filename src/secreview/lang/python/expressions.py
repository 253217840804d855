"""What an expression names or holds, read from its text and constant value.

An expression *mentions* a name when an identifier or attribute chain with that exact (whitespace-free)
text occurs in it.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import descendants
from secreview.lang.python.syntax import normalise, unwrap

_NAMED_PARTS = frozenset({"identifier", "attribute", "subscript"})


def mentions(file: PyFile, node: ts.Node | None, text: str) -> bool:
    """True if `node` contains an identifier/attribute chain whose text is `text` (whitespace ignored)."""
    if node is None:
        return False
    wanted = normalise(text)
    if node.type in _NAMED_PARTS and normalise(file.text_of(node)) == wanted:
        return True
    if wanted not in normalise(file.text_of(node)):
        return False
    return any(normalise(file.text_of(child)) == wanted
               for child in descendants(node, _NAMED_PARTS, stop=frozenset()))


def leaf_name(file: PyFile, node: ts.Node | None) -> str | None:
    """The name an operand is known by: `x`, `obj.x`, `d["x"]` -> "x"; None otherwise."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "identifier":
        return file.text_of(node)
    if node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute"))
    if node.type == "subscript":
        key = node.child_by_field_name("subscript")
        value = file.string_literal_text(key) if key is not None else None
        return value if value and re.fullmatch(r"[A-Za-z_][\w\-]*", value) else None
    return None


def constant_strings(file: PyFile, node: ts.Node | None) -> list[str]:
    """The constant string(s) of a string or a tuple/list of strings, [] when not constant."""
    value = file.constant_value(node)
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, str)]
    return []
