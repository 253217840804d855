"""What a function returns: whether some path of it returns None while others return a value.

A function *may return None* when at least one of its own `return` statements gives a value and another
path gives None: `return` or `return None`, `return x if c else None`, or control falling off the end of
its body (a loop that found nothing, an `except` that only logs).  A `return None` that runs only when
a parameter is None (`if value is None: return None`) passes None through and does not count.  Generators and functions that never
return a value are not asked about: their None is the only answer, not an absent one.

A None path chosen by an optional parameter (`if check_only: return` in `def client(ctx,
check_only=False)`) is the caller's choice: it carries that parameter's name as a *mode*, and only a call
that passes the mode can meet it.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.expressions import mentions
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import block_leaves, conditions_enclosing, own_returns
from secreview.lang.python.scopes import body_statements, descendants, parameter_defaults

_YIELDS = frozenset({"yield"})
_TESTS = frozenset({"comparison_operator", "not_operator"})


@dataclass(frozen=True)
class NonePath:
    """How a function may return None: a `return` that gives None, or control falling off its end."""

    line: int | None  # of the `return`/`return None` that says so; None: control falls off the end
    modes: frozenset[str]  # optional parameters tested on the way to that return: the caller chooses it

    def how(self, first_line: int = 1) -> str:
        """In words, for a function whose text starts on `first_line` of its file (1: parsed whole)."""
        if self.line is None:
            return "can end without a return"
        return f"returns None on line {self.line + first_line - 1}"


def none_path(file: PyFile, function: ts.Node) -> NonePath | None:
    """The first way `function` may return None while another path returns a value, or None.  Memoised
    per function."""
    return file.memo(("none-path", function.id), lambda: _none_path(file, function))


def maybe_none_names(file: PyFile) -> frozenset[str]:
    """Names of the file's functions that may return None on some path (once per file; only functions
    with a valued `return` are looked at closely)."""
    def compute() -> frozenset[str]:
        valued: dict[int, ts.Node] = {}
        for statement in file.nodes_of_type("return_statement"):
            owner = file.inside(statement, ("function_definition", "lambda"))
            if owner is not None and owner.type == "function_definition" and _gives_value(statement):
                valued[owner.id] = owner
        return frozenset(file.text_of(f.child_by_field_name("name")) for f in valued.values() if none_path(file, f))
    return file.memo(("maybe-none-names",), compute)


def _none_path(file: PyFile, function: ts.Node) -> NonePath | None:
    body = function.child_by_field_name("body")
    returns = list(own_returns(file, function))
    if body is None or not any(_gives_value(r) for r in returns) or _is_generator(file, body):
        return None
    for statement in returns:
        if (not _gives_value(statement) or _may_give_none(statement.named_children[0])) \
                and not _passes_none_through(file, function, statement):
            return NonePath(statement.start_point[0] + 1, _modes(file, function, statement))
    if not block_leaves(file, body) and not _ends_in_endless_loop(file, body):
        return NonePath(None, frozenset())
    return None


def _passes_none_through(file: PyFile, function: ts.Node, statement: ts.Node) -> bool:
    """The return runs only when a parameter is None or empty (`if value is None: return None`, `if not
    service: return`): None in, None out; the caller that passes a value never meets it."""
    parameters = _parameter_names(file, function)
    for condition, _ in conditions_enclosing(file, statement, function):
        for test in (condition, *descendants(condition, _TESTS)):
            subject = test.named_children[0] if test.named_children else None
            if subject is not None and subject.type == "identifier" and file.text_of(subject) in parameters \
                    and (test.type == "not_operator" or any(c.type == "none" for c in test.named_children[1:])):
                return True
    return False


def _parameter_names(file: PyFile, function: ts.Node) -> frozenset[str]:
    parameters = function.child_by_field_name("parameters")
    names = set()
    for node in parameters.named_children if parameters is not None else ():
        ident = node if node.type == "identifier" else node.child_by_field_name("name")
        if ident is not None and ident.type == "identifier":
            names.add(file.text_of(ident))
    return frozenset(names - {"self", "cls"})


def _modes(file: PyFile, function: ts.Node, statement: ts.Node) -> frozenset[str]:
    """The optional parameters that the conditions leading to `statement` test."""
    optional = [name for name, _, _ in parameter_defaults(file, function)]
    conditions = [condition for condition, _ in conditions_enclosing(file, statement, function)]
    return frozenset(name for name in optional if any(mentions(file, c, name) for c in conditions))


def _gives_value(statement: ts.Node) -> bool:
    return bool(statement.named_children) and statement.named_children[0].type != "none"


def _may_give_none(value: ts.Node) -> bool:
    """`x if c else None` (either side None)."""
    return value.type == "conditional_expression" and any(c.type == "none" for c in value.named_children[:2])


def _is_generator(file: PyFile, body: ts.Node) -> bool:
    if b"yield" not in file.data[body.start_byte:body.end_byte]:
        return False  # the common case, without a walk
    return next(descendants(body, _YIELDS), None) is not None  # nested scopes are not entered


def _ends_in_endless_loop(file: PyFile, body: ts.Node) -> bool:
    """`while True:` as the last statement: control leaves only through its returns or raises."""
    statements = [s for s in body_statements(body) if s.type != "comment"]
    if not statements or statements[-1].type != "while_statement":
        return False
    condition = statements[-1].child_by_field_name("condition")
    return condition is not None and file.text_of(condition) in ("True", "1")
