"""Values known statically beyond `PyFile.constant_value`: truthiness of arguments and file modes."""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.python.file import NOT_CONSTANT, Call, PyFile
from secreview.lang.python.origins import binding_values


def constant_truthy(file: PyFile, node: ts.Node | None) -> bool | None:
    """True/False for a constant, None when unknown."""
    if node is None:
        return None
    value = file.constant_value(node)
    return None if value is NOT_CONSTANT else bool(value)


def keyword_is_true(file: PyFile, call: Call, keyword: str) -> bool:
    """True when `keyword=` is given a value that is (or may be) truthy."""
    node = call.kwargs.get(keyword)
    if node is None:
        return False
    value = file.constant_value(node)
    return True if value is NOT_CONSTANT else bool(value)


_STAT_BITS = {
    "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000,
    "S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100,
    "S_IRWXG": 0o070, "S_IRGRP": 0o040, "S_IWGRP": 0o020, "S_IXGRP": 0o010,
    "S_IRWXO": 0o007, "S_IROTH": 0o004, "S_IWOTH": 0o002, "S_IXOTH": 0o001,
    "S_IREAD": 0o400, "S_IWRITE": 0o200, "S_IEXEC": 0o100,
}


def mode_value(file: PyFile, node: ts.Node | None, depth: int = 0) -> int | None:
    """The value of a file mode: integer constants, `stat.S_*` flags and `|`, `+`, `&`, `~`."""
    if node is None or depth > 8:
        return None
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return mode_value(file, node.named_children[0], depth + 1)
    if node.type in ("attribute", "identifier"):
        name = file.qualified_name(node) or ""
        if name.startswith("stat.") and name[5:] in _STAT_BITS:
            return _STAT_BITS[name[5:]]
        if node.type == "identifier":
            return _mode_of_name(file, node, depth)
        return None
    if node.type == "binary_operator":
        left = mode_value(file, node.child_by_field_name("left"), depth + 1)
        right = mode_value(file, node.child_by_field_name("right"), depth + 1)
        if left is None or right is None:
            return None
        operator = file.text_of(node.child_by_field_name("operator"))
        return {"|": left | right, "+": left + right, "&": left & right, "^": left ^ right}.get(operator)
    if node.type == "unary_operator" and file.text_of(node.child_by_field_name("operator")) == "~":
        value = mode_value(file, node.child_by_field_name("argument"), depth + 1)
        return None if value is None else ~value & 0o7777
    value = file.constant_value(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mode_of_name(file: PyFile, node: ts.Node, depth: int) -> int | None:
    values = binding_values(file, node)
    if not values:
        return None
    modes = [mode_value(file, value, depth + 1) for value in values]
    return None if any(mode is None for mode in modes) else modes[-1]
