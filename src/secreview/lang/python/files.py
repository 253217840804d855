"""Files and the file system: the flags a file is opened with."""

from __future__ import annotations

import re

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import last_binding
from secreview.lang.python.syntax import unwrap

_LINUX_FLAG_BITS = {"O_CREAT": 0o100, "O_EXCL": 0o200, "O_TMPFILE": 0o20200000, "O_NOFOLLOW": 0o400000}


def open_flags(file: PyFile, node: ts.Node | None, depth: int = 0) -> set[str] | None:
    """The `os.O_*` names or-ed together in `node`, or None if any part is unknown."""
    node = unwrap(node)
    if node is None or depth > 6:
        return None
    if node.type == "binary_operator":
        operator = file.text_of(node.child_by_field_name("operator"))
        if operator not in ("|", "+"):
            return None
        left = open_flags(file, node.child_by_field_name("left"), depth + 1)
        right = open_flags(file, node.child_by_field_name("right"), depth + 1)
        return None if left is None or right is None else left | right
    if node.type == "attribute" or node.type == "identifier":
        name = file.qualified_name(node) or ""
        last = name.rsplit(".", 1)[-1]
        if re.fullmatch(r"O_[A-Z_]+", last) and (name.startswith("os.") or name == last):
            return {last}
        if node.type == "identifier":
            bound = last_binding(file, node)
            if bound is not None:
                return open_flags(file, bound, depth + 1)
    if node.type == "integer":
        value = file.constant_value(node)
        if isinstance(value, int):
            return {name for name, bits in _LINUX_FLAG_BITS.items() if value & bits == bits}
    return None
