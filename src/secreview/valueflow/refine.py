"""Branch conditions refine values: what a test being true (or false) says about the variables in it.

`refine(test, truth, state, context)` returns the states in which `test` has
that truth value: none when the test cannot have it on this path (the branch
is dead there), several when the test is a disjunction (`!p || n == 0` true:
either p is NULL, or p is not and n is 0).
"""

from __future__ import annotations

import re
from typing import Callable

import tree_sitter as ts

from secreview.taint import ir
from secreview.valueflow.library import SIZE_METHODS
from secreview.valueflow.lattice import MAYBE_NULL, NON_NULL, NULL, Interval, Origin, Relation, State, Value, arithmetic, differs_key

_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}

ValueOf = Callable[[ir.Expr, State], Value]


def refine(test: ir.Expr | None, truth: bool, state: State, tracked: frozenset[str], value_of: ValueOf) -> list[State]:
    if test is None:
        return [state]
    if isinstance(test, ir.Not):
        return refine(test.operand, not truth, state, tracked, value_of)
    if isinstance(test, ir.BoolOp):
        return _junction(test, truth, state, tracked, value_of)
    if isinstance(test, ir.Const):
        return [state] if bool(test.value) == truth else []
    if isinstance(test, ir.Name) and test.id in tracked:
        return _compared(test.id, "!=" if truth else "==", Value(NULL, interval=Interval.exactly(0)), state, test)
    path = field_path(test, tracked)
    if path is not None:  # `if (s->buf)`
        return _compared(path, "!=" if truth else "==", Value(NULL, interval=Interval.exactly(0)), state, test)
    checked = asserted(test)
    if checked is not None:  # `if (!assert(p != NULL)) return;`: a test framework's assert says whether it held
        return refine(checked, truth, state, tracked, value_of)
    if isinstance(test, ir.Call) and call_result_name(test) in state.values:
        return _compared(call_result_name(test), "!=" if truth else "==", Value(interval=Interval.exactly(0)), state, test)
    if isinstance(test, ir.Name):  # a constant of the file (`static const int ENABLED = 0;`) decides the branch
        known = value_of(test, state).interval
        if known is not None and known.low is not None and known.low == known.high:
            return [state] if (known.low != 0) == truth else []
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and len(test.operands) == 2:
        operator, (left, right) = test.ops[0], test.operands
        if isinstance(left, ir.Const) and isinstance(right, ir.Const):
            decided = _constants_compared(operator, left.value, right.value)
            if decided is not None:  # `if (5 != 5)`: one branch is dead
                return [state] if decided == truth else []
        if _operand(left, tracked, state) is None:
            left, right, operator = right, left, _MIRRORED[operator]
        found = _operand(left, tracked, state)
        if found is not None:
            name, offset = found
            other = value_of(right, state)
            if offset and other.interval is not None:  # `i + 1 < n` is `i < n - 1`
                other = Value(interval=arithmetic("-", other.interval, Interval.exactly(offset)))
            elif offset:
                return [state]
            holds = operator if truth else _NEGATED[operator]
            states = _compared(name, holds, other, state, test)
            apart = _operand(right, tracked, state) if holds == "!=" and not offset and other.null != NULL else None
            if apart is not None and not apart[1] and apart[0] != name:  # `if (a == b) return;`: a and b differ
                states = [after.deciding(differs_key(name, apart[0]), True) for after in states]
            measured = tracked_operand(right, tracked)
            if measured is not None and measured[0] != name:
                states = [_related((name, offset), holds, measured, after) for after in states]
            sized = container_size(right)
            if sized is not None and holds in ("<", "<=", "=="):  # `i <= v.size()`: i may reach v's end
                states = [after.relating(name, Relation("size-bound", sized[0], sized[1] - offset - (holds == "<"),
                                                        after.forks)) for after in states]
            return states
    return [state]


# assert-like calls whose result is the truth of their condition (`if (!assert(p != NULL)) return;`): only
# names that are an assert (a statement `assertChdir(dir)` is the interpreter's `_ASSERTIONS`, which lets
# the path go on only where its argument holds)
_ASSERTING = re.compile(r"(?i)^(?:\w+_)?assert$")


def asserted(test: ir.Expr | None) -> ir.Expr | None:
    """The condition an assert-like call of a test framework checks, when the call is used as a test
    (`assert(p != NULL)`, `TEST_ASSERT(n > 0)`; not `assertChdir(dir)`, an action that says whether it worked)."""
    if isinstance(test, ir.Call) and test.receiver is None and len(test.args) == 1 \
            and _ASSERTING.match(test.callee or "") and isinstance(test.args[0], (ir.Compare, ir.BoolOp, ir.Not)):
        return test.args[0]
    return None


def call_result_name(call: ir.Call) -> str:
    """The name under which a path holds a call's result once it took one of the call's outcomes (the
    interpreter forks on the outcomes of a call that keeps memory only when it succeeds)."""
    return f"<result {call.node.start_byte}>" if isinstance(call.node, ts.Node) else ""


def field_path(expression: ir.Expr | None, tracked: frozenset[str]) -> str | None:
    """`p->f` or `s.f` for a field reached from a tracked variable (one level), `this->m` for a data member of
    a C++ method's class (`tracked` lists those it follows, also when written `m`): the name under which a path
    holds what it learnt of the field, until the variable changes, a call may write the field, or the same
    field is written through another pointer."""
    if isinstance(expression, ir.Name):
        member = f"this->{expression.id}"
        return member if member in tracked else None
    if isinstance(expression, ir.Attr) and isinstance(expression.obj, ir.Name) \
            and isinstance(expression.node, ts.Node) and expression.node.type == "field_expression":
        if expression.obj.id == "this":
            member = f"this->{expression.attr}"
            return member if member in tracked else None
        if expression.obj.id in tracked:
            operator = expression.node.child_by_field_name("operator")
            return f"{expression.obj.id}{'->' if operator is not None and operator.type == '->' else '.'}{expression.attr}"
    return None


def _operand(operand: ir.Expr, tracked: frozenset[str], state: State) -> tuple[str, int] | None:
    """A tracked operand (`tracked_operand`), a field reached from one (`field_path`), or a call whose result
    this path knows (`call_result_name`)."""
    if isinstance(operand, ir.Call) and call_result_name(operand) in state.values:
        return call_result_name(operand), 0
    path = field_path(operand, tracked)
    if path is not None:
        return path, 0
    return tracked_operand(operand, tracked)


def tracked_operand(operand: ir.Expr, tracked: frozenset[str]) -> tuple[str, int] | None:
    """(variable, constant added to it) for `i`, `i + 2`, `i - 1`; None for other operands."""
    if isinstance(operand, ir.Name) and operand.id in tracked:
        return operand.id, 0
    if isinstance(operand, ir.Binary) and operand.op in ("+", "-") and isinstance(operand.left, ir.Name) \
            and operand.left.id in tracked and isinstance(operand.right, ir.Const) \
            and type(operand.right.value) is int:
        return operand.left.id, operand.right.value if operand.op == "+" else -operand.right.value
    return None


def container_size(operand: ir.Expr | None) -> tuple[str, int] | None:
    """(container, constant added) for `v.size()`, `v.length() - 1`, `s.count() + 2`."""
    if isinstance(operand, ir.Call) and operand.method in SIZE_METHODS and not operand.args \
            and isinstance(operand.receiver, ir.Name):
        return operand.receiver.id, 0
    if isinstance(operand, ir.Binary) and operand.op in ("+", "-") and isinstance(operand.right, ir.Const) \
            and type(operand.right.value) is int:
        inner = container_size(operand.left)
        if inner is not None:
            return inner[0], inner[1] + (operand.right.value if operand.op == "+" else -operand.right.value)
    return None


def _related(left: tuple[str, int], operator: str, right: tuple[str, int], state: State) -> State:
    """`a + x < b + y` (or <=, >, >=, ==) between two tracked variables: a bound on one in terms of the other
    (`i < n`: i is at most n - 1), for indexes into buffers sized by a variable."""
    (a, x), (b, y) = left, right
    if operator in ("<", "<=", "=="):
        state = state.relating(a, Relation("bound", b, y - x - (operator == "<"), state.forks))
    if operator in (">", ">=", "=="):
        state = state.relating(b, Relation("bound", a, x - y - (operator == ">"), state.forks))
    return state


def _junction(test: ir.BoolOp, truth: bool, state: State, tracked: frozenset[str], value_of: ValueOf) -> list[State]:
    """`a && b` true (or `a || b` false) needs every operand so; otherwise one operand decides."""
    states = [state]
    if (test.op == "and") == truth:
        for operand in test.values:
            states = [after for before in states for after in refine(operand, truth, before, tracked, value_of)]
        return states
    decided: list[State] = []
    for operand in test.values:
        decided += [after for before in states for after in refine(operand, truth, before, tracked, value_of)]
        states = [after for before in states for after in refine(operand, not truth, before, tracked, value_of)]
    return decided


def _compared(name: str, operator: str, other: Value, state: State, test: ir.Expr) -> list[State]:
    """The states where `name operator other` holds."""
    value = state.get(name)
    if operator == "==" and _different_objects(value, other):
        return []
    if other.null == NULL and operator in ("==", "!="):
        tested = value
        value = _null_compared(value, operator == "==", test, state.forks)
        if value is None:
            return []
        if value.null == NULL and any(state.get(apart).null == NULL for apart in state.apart(name)):
            return []  # it differs from a pointer this path holds NULL: it cannot be NULL too
        if tested.null == MAYBE_NULL and tested.null_origin is not None:
            # `in = opened; if (!in) return;`: a copy of the same result (the same call on the same path, so the
            # same round of a loop) is tested too
            for copy in [held for held, known in state.values.items() if held != name and known.null == MAYBE_NULL
                         and known.null_origin == tested.null_origin]:
                state = state.set(copy, state.get(copy).with_null(value.null, value.null_origin))
    bound = other.interval
    if bound is not None:
        interval = _interval_compared(value.interval or Interval(None, None), operator, bound)
        if interval is None or interval.is_empty():
            return []
        if operator == "==" and bound == Interval.exactly(0) \
                and (value.null_origin is None or value.null_origin.kind == "parameter"):
            value = value.with_null(NULL, Origin(test.node, "tested", forks=state.forks))  # an integer's 0 too
        known = interval if (interval.low, interval.high) != (None, None) else None
        value = value.but(interval=known)
    return [state.set(name, value)]


def _different_objects(a: Value, b: Value) -> bool:
    """Two pointers that cannot be equal: one points into memory this function allocated and is not NULL,
    the other only into something else (the memory a parameter points to, another allocation)."""
    return any(one.null == NON_NULL and one.owners and all(key >= 0 for key in one.owners)
               and two.owners and not one.owners & two.owners for one, two in ((a, b), (b, a)))


def _null_compared(value: Value, is_null: bool, test: ir.Expr, forks: int) -> Value | None:
    """The value on the path where it is (or is not) NULL; None where that path cannot be."""
    if is_null:
        if value.null == NON_NULL:
            return None
        return value.with_null(NULL, Origin(test.node, "tested", forks=forks))
    if value.null == NULL:
        return None
    return value.with_null(NON_NULL, None)


def _interval_compared(interval: Interval, operator: str, bound: Interval) -> Interval | None:
    """The values of `interval` that compare so with some value of `bound` (None: none do)."""
    if operator == "==":
        return interval.meet(bound)
    if operator == "!=":
        if bound.low is None or bound.low != bound.high:
            return interval
        return interval.without(bound.low) if not (interval.low == interval.high == bound.low) else None
    if operator in ("<", "<="):
        if bound.high is None:
            return interval
        return interval.meet(Interval(None, bound.high - 1 if operator == "<" else bound.high))
    if bound.low is None:
        return interval
    return interval.meet(Interval(bound.low + 1 if operator == ">" else bound.low, None))  # > or >=


def _constants_compared(operator: str, left: object, right: object) -> bool | None:
    """`left operator right` for two integer constants (None for anything else)."""
    if type(left) is not int or type(right) is not int:
        return None
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
            "==": left == right, "!=": left != right}.get(operator)
