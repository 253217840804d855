"""Exception handling: what an `except` clause catches and whether a node runs where an exception is caught."""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import NESTED_SCOPES
from secreview.lang.python.syntax import unwrap

BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)
# Handlers that catch (nearly) everything; StandardError is the Python 2 base of the ordinary errors.
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "StandardError",
                              "builtins.Exception", "builtins.BaseException"})
_EXCEPTION_CLASS = re.compile(
    r"^(?:[A-Z]\w*(?:Error|Exception|Failed|Failure|NotFound|Denied|Forbidden|Unauthorized|Invalid|Conflict)"
    r"|Invalid[A-Z]\w*)$")


def looks_like_exception_class(name: str) -> bool:
    """True for a CamelCase name that names an exception class (builtin or by convention)."""
    last = name.rsplit(".", 1)[-1]
    return last in BUILTIN_EXCEPTIONS and last[0].isupper() or bool(_EXCEPTION_CLASS.match(last))


def except_types(file: PyFile, clause: ts.Node) -> list[ts.Node] | None:
    """The exception type expressions of an except clause; [] for a bare ``except:``."""
    value = clause.child_by_field_name("value")
    if value is None:
        named = [c for c in clause.named_children if c.type != "block" and c.type != "comment"]
        if not named:
            return []
        value = named[0]
    if value.type == "as_pattern":
        value = value.named_children[0]
    value = unwrap(value)
    if value is None:
        return None
    if value.type == "tuple":
        return [c for c in value.named_children if c.type != "comment"]
    return [value]


def _handlers_around(file: PyFile, node: ts.Node) -> Iterator[tuple[ts.Node, list[str]]]:
    """Each except clause whose `try` body encloses `node` (same function), with its caught type names
    (qualified; "*" for a bare `except:`)."""
    current = node
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES:
            return
        if ancestor.type == "try_statement":
            body = ancestor.child_by_field_name("body")
            if body is not None and body.start_byte <= current.start_byte and current.end_byte <= body.end_byte:
                for clause in ancestor.named_children:
                    if clause.type != "except_clause":
                        continue
                    types = except_types(file, clause)
                    if types is None:
                        continue
                    names = [file.qualified_name(t) or file.text_of(t) for t in types] if types else ["*"]
                    yield clause, names
        current = ancestor


def caught_by(file: PyFile, node: ts.Node, exceptions: Iterable[str], broad: bool = True) -> bool:
    """True if an enclosing `try` of the same function catches one of `exceptions` (compared by last name
    part), or an enclosing `with contextlib.suppress(...)` suppresses one.

    With `broad`, a bare `except:` and the BROAD_EXCEPTIONS count as catching anything.
    """
    wanted = {name.rsplit(".", 1)[-1] for name in exceptions}
    if broad:
        wanted |= {"*"} | {name.rsplit(".", 1)[-1] for name in BROAD_EXCEPTIONS}
    for _, names in _handlers_around(file, node):
        if any(name.rsplit(".", 1)[-1] in wanted for name in names):
            return True
    return _suppressed(file, node, wanted)


def _suppressed(file: PyFile, node: ts.Node, wanted: set[str]) -> bool:
    """True inside a `with contextlib.suppress(...)` of the same function naming one of `wanted`."""
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES:
            return False
        if ancestor.type == "with_statement" and ancestor.named_children:
            for call in file.nodes_of_type("call", within=ancestor.named_children[0]):
                resolved = file.call_at(call)
                if resolved.name in ("contextlib.suppress", "suppress") and any(
                        file.text_of(arg).rsplit(".", 1)[-1] in wanted for arg in resolved.args):
                    return True
    return False


# -- what runs when a step fails ------------------------------------------------------

def try_statements_around(file: PyFile, node: ts.Node) -> Iterator[tuple[ts.Node, str]]:
    """Each `try` of the same function around `node`, innermost first, with the part `node` is in:
    "body", "except", "else" or "finally"."""
    current = node
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES:
            return
        if ancestor.type == "try_statement":
            if current == ancestor.child_by_field_name("body"):
                yield ancestor, "body"
            elif current.type in ("except_clause", "except_group_clause"):
                yield ancestor, "except"
            elif current.type in ("else_clause", "finally_clause"):
                yield ancestor, current.type.removesuffix("_clause")
        current = ancestor


def failure_blocks(try_statement: ts.Node) -> list[ts.Node]:
    """The blocks of a `try` that run when its body raises: its except clauses and its `finally`."""
    return [clause.child_by_field_name("body") or clause.named_children[-1]
            for clause in try_statement.named_children
            if clause.type in ("except_clause", "except_group_clause", "finally_clause") and clause.named_children]

