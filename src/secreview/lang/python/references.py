"""Uses of module-level constants (`ssl.CERT_NONE`, `ssl.PROTOCOL_TLSv1`) and where to report them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.names import STATEMENT_TYPES


def references_to(file: PyFile, names: Iterable[str]) -> Iterator[tuple[ts.Node, str]]:
    """Uses of the dotted names (`ssl.CERT_NONE`, also via `from ssl import CERT_NONE`).

    Yields (node, resolved name); skips imports, comparisons (`mode == CERT_NONE`
    checks, it does not set) and assignment targets.
    """
    wanted = set(names)
    lasts = sorted({name.rsplit(".", 1)[-1] for name in wanted}
                   | {alias.split(".")[0] for alias, full in file.imports.items() if full in wanted})
    if not any(last in file.text for last in lasts):  # cheap text test before a tree query
        return
    quoted = " ".join(f'"{last}"' for last in lasts)
    for ident in file.nodes(f"((identifier) @id (#any-of? @id {quoted}))", "id"):
        parent = ident.parent
        node = ident
        if parent is not None and parent.type == "attribute":
            if parent.child_by_field_name("attribute") != ident:
                continue
            node = parent
        elif parent is not None and _is_name_position(parent, ident):
            continue
        resolved = file.qualified_name(node)
        if resolved not in wanted:
            continue
        if _is_compared_or_bound(node):
            continue
        yield node, resolved


def _is_name_position(parent: ts.Node, ident: ts.Node) -> bool:
    """An identifier that names something rather than refers to it: imports, `f(keyword=...)`."""
    if parent.type in ("dotted_name", "aliased_import"):
        return True
    return parent.type == "keyword_argument" and parent.child_by_field_name("name") == ident


def _is_compared_or_bound(node: ts.Node) -> bool:
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("comparison_operator", "import_from_statement", "import_statement"):
            return True
        if parent.type in ("assignment", "augmented_assignment"):
            return parent.child_by_field_name("left") == current
        if parent.type in STATEMENT_TYPES or parent.type == "call":
            return False
        current = parent
    return False


def in_lookup_table(node: ts.Node) -> bool:
    """A constant stored in a mapping (`{"tls1": PROTOCOL_TLSv1}`, `table[k] = CERT_NONE`) or chosen by
    a conditional expression: a table of options, not necessarily the option in use."""
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("pair", "conditional_expression"):
            return True
        if parent.type == "assignment":
            left = parent.child_by_field_name("left")
            return left is not None and left.type == "subscript" and left != current
        if parent.type in STATEMENT_TYPES or parent.type == "call":
            return False
        current = parent
    return False


def is_mapping_key(node: ts.Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "pair" and parent.child_by_field_name("key") == node


def report_node(node: ts.Node) -> ts.Node:
    """Where a finding about a value is reported: its call, else its assignment or dict entry."""
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type == "argument_list" and parent.parent is not None and parent.parent.type == "call":
            return parent.parent
        if parent.type in ("assignment", "augmented_assignment", "pair"):
            return parent
        if parent.type in STATEMENT_TYPES:
            return node
        current = parent
    return node
