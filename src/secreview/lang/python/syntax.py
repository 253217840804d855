"""Small facts about Python syntax nodes that every rule and analysis asks the same way."""

from __future__ import annotations

import tree_sitter as ts


def unwrap(node: ts.Node | None) -> ts.Node | None:
    """The expression inside any number of redundant parentheses."""
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def line_of(node: ts.Node) -> int:
    """The 1-based line a node starts on."""
    return node.start_point[0] + 1


def normalise(text: str) -> str:
    """Code text with all whitespace removed, for comparing expressions as written."""
    return "".join(text.split())
