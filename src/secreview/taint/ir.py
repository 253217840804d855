"""The small intermediate form every language is lowered into for dataflow.

It keeps only what taint tracking needs: bindings, calls, returns, attribute
and subscript access, literals, string building, containers, branches and
loops.  Each node keeps an opaque `node` handle to the syntax tree it came
from, so findings can point back at the source; the engine never looks
inside it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Union

Handle = Any  # a syntax-tree node of the source language, opaque here


# -- expressions ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Const:
    value: object
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Name:
    id: str
    node: Handle = None
    qualified: str | None = None  # what an imported name refers to ("flask.request")


@dataclass(frozen=True, eq=False)
class Attr:
    obj: "Expr"
    attr: str
    node: Handle = None
    qualified: str | None = None  # import-resolved dotted name, when the chain is a plain name


@dataclass(frozen=True, eq=False)
class Subscript:
    obj: "Expr"
    index: "Expr | None"  # None for slices
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Call:
    callee: str | None  # import-resolved dotted name ("subprocess.run"), None if not a plain name
    method: str | None  # last attribute, also for calls on arbitrary expressions
    receiver: "Expr | None"
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    node: Handle = None
    function: "Expr | None" = None  # the callee expression (a local function value, a lambda ...)

    def arg(self, index: int | None, keyword: str | None = None) -> "Expr | None":
        for key, value in self.kwargs:
            if key == keyword:
                return value
        if index is not None and index < len(self.args):
            return self.args[index]
        return None


@dataclass(frozen=True, eq=False)
class Binary:
    op: str
    left: "Expr"
    right: "Expr"
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Format:
    """String building from parts: f-strings, implicit concatenation."""

    parts: tuple["Expr", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Sequence:
    kind: str  # list | tuple | set
    items: tuple["Expr", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Mapping:
    keys: tuple["Expr | None", ...]  # None for **splat
    values: tuple["Expr", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Comprehension:
    element: "Expr"
    loops: tuple[tuple["Target", "Expr"], ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Conditional:
    test: "Expr"
    body: "Expr"
    orelse: "Expr"
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Compare:
    ops: tuple[str, ...]
    operands: tuple["Expr", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class BoolOp:
    op: str  # and | or
    values: tuple["Expr", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Not:
    operand: "Expr"
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Lambda:
    function: "Function"
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Opaque:
    """Anything else: its value depends on its parts, nothing more is known."""

    parts: tuple["Expr", ...]
    node: Handle = None


Expr = Union[Const, Name, Attr, Subscript, Call, Binary, Format, Sequence, Mapping, Comprehension,
             Conditional, Compare, BoolOp, Not, Lambda, Opaque]
Target = Union[Name, Attr, Subscript, Sequence, Opaque]


# -- statements ------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Assign:
    targets: tuple[Target, ...]
    value: Expr
    node: Handle = None


@dataclass(frozen=True, eq=False)
class AugAssign:
    target: Target
    op: str
    value: Expr
    node: Handle = None


@dataclass(frozen=True, eq=False)
class ExprStmt:
    expr: Expr
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Return:
    value: Expr | None
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Exit:
    """Leaves the function or loop abruptly: raise, break, continue, abort()."""

    kind: str
    value: Expr | None = None
    node: Handle = None


@dataclass(frozen=True, eq=False)
class If:
    test: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Loop:
    """for/while: `target` is bound to items of `iter` (None for while)."""

    target: Target | None
    iter: Expr | None
    test: Expr | None
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Try:
    body: tuple["Stmt", ...]
    handlers: tuple[tuple[str | None, tuple["Stmt", ...]], ...]
    orelse: tuple["Stmt", ...]
    finalbody: tuple["Stmt", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class With:
    items: tuple[tuple[Expr, Target | None], ...]
    body: tuple["Stmt", ...]
    node: Handle = None


@dataclass(frozen=True, eq=False)
class Match:
    subject: Expr
    cases: tuple[tuple[tuple[Expr, ...] | None, tuple["Stmt", ...]], ...]  # None: matches anything
    node: Handle = None


@dataclass(frozen=True, eq=False)
class FunctionDef:
    function: "Function"
    node: Handle = None


@dataclass(frozen=True, eq=False)
class ClassDef:
    name: str
    body: tuple["Stmt", ...]
    node: Handle = None
    bases: tuple[str, ...] = ()  # import-resolved dotted names of the base classes


Stmt = Union[Assign, AugAssign, ExprStmt, Return, Exit, If, Loop, Try, With, Match, FunctionDef, ClassDef]


@dataclass(frozen=True, eq=False)
class Function:
    name: str
    params: tuple[str, ...]
    body: tuple[Stmt, ...]
    decorators: tuple[Expr, ...] = ()
    node: Handle = None
    is_method: bool = False
    defaults: tuple[tuple[str, Expr], ...] = field(default=())
    # only called directly from the code being analysed (a C `static` function whose address is never
    # taken): its parameters hold what its callers pass, so it is analysed in their contexts only
    internal: bool = False


@dataclass(frozen=True, eq=False)
class Module:
    body: tuple[Stmt, ...]
    node: Handle = None


@functools.cache
def ir_parts(kind: type) -> tuple[str, ...]:
    """The fields of an IR class that hold IR (all but its syntax-tree handle)."""
    return tuple(f.name for f in fields(kind) if f.name != "node")


def walk_ir(root: object) -> Iterator[object]:
    """Every IR node in `root` (a node or a tuple of them), not descending into nested functions or lambdas."""
    pending: list[object] = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, tuple):
            pending.extend(item)
        elif item is not None and is_dataclass(item):
            yield item
            if not isinstance(item, (Function, Lambda)):
                pending.extend(getattr(item, name) for name in ir_parts(type(item)))
