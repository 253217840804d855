"""Recursion that never ends: functions of a file that, on every path, call themselves again (directly or
through other functions of the file) before they can return.

A function *always calls* g when a call to g is evaluated on every path from its entry before any way
out: the calls of the statements at the top of its body, in order, up to the first statement that may
leave (`return` after its value, a branch, a loop, a `goto`, a `throw`, a call that may not return) and
outside the operands that are evaluated only sometimes (`a && f()`, `c ? f() : 0`, lambdas). A cycle of
"always calls" is a recursion with no way out: whatever the arguments, each call makes the next one
before it returns, until the stack runs out. Only calls without a receiver (or through `this`) of a
name defined once in the file, not shadowed by a function-like macro, count, with as many arguments as it
has parameters; in C++ (overloads) only a name declared nowhere else in the file, called with its own
parameters passed on unchanged; functions whose body holds
preprocessor directives (a call may exist in one configuration only) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.taint import ir
from secreview.taint.c_lower import EXIT_CALLS

__all__ = ["EndlessRecursion", "endless_recursions"]

# calls that may not come back (so a call after them may never run): process exits, long jumps, and names
# that say they end the process or throw
_MAY_NOT_RETURN = re.compile(r"(?:^|_)(?:die|fatal|panic|abort|exit|quit|terminate|bug|fail|assert|unreachable|"
                             r"throw|raise|croak|error|usage)|jmp", re.I)
_LEAVING = (ir.Return, ir.If, ir.Loop, ir.Match, ir.Try, ir.Exit, ir.With)


@dataclass(frozen=True)
class EndlessRecursion:
    call: ts.Node  # the call in `function` that starts the cycle again
    function: str
    cycle: tuple[str, ...]  # the functions of the cycle, starting with `function`


def endless_recursions(file: CFile) -> list[EndlessRecursion]:
    return file.memo(("endless-recursions",), lambda: _find(file))


def _find(file: CFile) -> list[EndlessRecursion]:
    from secreview.taint.c_lower import lower

    functions = [s.function for s in lower(file).body if isinstance(s, ir.FunctionDef)]
    counts: dict[str, int] = {}
    for function in functions:
        counts[function.name] = counts.get(function.name, 0) + 1
    macros = file.function_macros
    overloaded = _declared_more_than_once(file) if file.language == "cpp" else set()
    defined = {f.name: f for f in functions if counts[f.name] == 1 and f.name not in macros and f.name not in overloaded}
    # first without asking which callees may end the process (that walks whole bodies), then again, asking,
    # for the few functions on a cycle
    always = {name: _always_called(file, function, defined, set()) for name, function in defined.items()}
    on_cycles = {name for start in always if (cycle := _cycle_from(start, always)) is not None for name in cycle}
    if not on_cycles:
        return []
    exiting = {name for name, function in defined.items() if _calls_before_cycle(function, on_cycles, defined)
               and _may_end_process(function)}
    always = {name: _always_called(file, defined[name], defined, exiting) if name in on_cycles else {}
              for name in always}
    found = []
    reported: set[frozenset[str]] = set()
    for name in sorted(always, key=lambda n: defined[n].node.start_byte):  # type: ignore[union-attr]
        cycle = _cycle_from(name, always)
        if cycle is not None and frozenset(cycle) not in reported:  # one finding per cycle, in its first function
            reported.add(frozenset(cycle))
            found.append(EndlessRecursion(always[name][cycle[1] if len(cycle) > 1 else name], name, cycle))
    return found


def _declared_more_than_once(file: CFile) -> set[str]:
    """C++ names declared as functions more than once in the file (overloads, or a declaration beside the
    definition): a call may mean another overload than the definition in sight."""
    seen: dict[str, int] = {}
    for declarator in file.nodes_of_type("function_declarator"):
        name = declarator.child_by_field_name("declarator")
        while name is not None and name.type in ("qualified_identifier", "template_function"):
            name = name.child_by_field_name("name")
        if name is not None and name.type in ("identifier", "field_identifier", "operator_name", "destructor_name"):
            text = file.text_of(name)
            seen[text] = seen.get(text, 0) + 1
    return {name for name, count in seen.items() if count > 1}


def _cycle_from(start: str, always: dict[str, dict[str, ts.Node]]) -> tuple[str, ...] | None:
    """The shortest cycle of "always calls" from `start` back to it, as the functions on it."""
    paths: list[tuple[str, ...]] = [(start,)]
    seen = {start}
    while paths:
        extended = []
        for path in paths:
            for callee in sorted(always.get(path[-1], {})):
                if callee == start:
                    return path
                if callee not in seen:
                    seen.add(callee)
                    extended.append(path + (callee,))
        paths = extended
    return None


def _calls_before_cycle(function: ir.Function, on_cycles: set[str], defined: dict[str, ir.Function]) -> bool:
    """Whether a function of the file may be called at the top of one on a cycle (only those need looking into)."""
    return function.name in defined and any(function.name in _top_level_callees(defined[name]) for name in on_cycles)


def _top_level_callees(function: ir.Function) -> set[str]:
    return {call.callee or call.method or "" for statement in function.body
            for call in _evaluated_calls(_expressions_of(statement))}


def _may_end_process(function: ir.Function) -> bool:
    """A function of the file that calls something that may not return (`usage()` calling `exit(2)`)."""
    return any(isinstance(item, ir.Call) and ((item.callee or "") in EXIT_CALLS or _MAY_NOT_RETURN.search(item.callee or ""))
               for item in ir.walk_ir(function.body))


def _always_called(file: CFile, function: ir.Function, defined: dict[str, ir.Function],
                   exiting: set[str]) -> dict[str, ts.Node]:
    """The functions of the file `function` calls on every path before it can return: name -> first call."""
    node = function.node
    body = node.child_by_field_name("body") if isinstance(node, ts.Node) else None
    if body is None or node.has_error or any(_is_directive(n) for n in _descendants(body)):
        return {}
    called: dict[str, ts.Node] = {}
    for statement in function.body:
        if isinstance(statement, ir.FunctionDef):
            continue
        calls = list(_evaluated_calls(_expressions_of(statement)))
        for call in calls:
            name = call.callee or (call.method or "" if _plain_call(call) else "")
            if name in defined and isinstance(call.node, ts.Node) and _plain_call(call) \
                    and _same_overload(file, call, defined[name]):
                called.setdefault(name, call.node)
            if name in EXIT_CALLS or name in exiting or _MAY_NOT_RETURN.search(name) \
                    or name not in defined and _is_macro_like(name):
                return called  # what follows may never run (a macro may hide a `return`)
        if isinstance(statement, _LEAVING) or _leaves(statement):
            return called
    return called


def _expressions_of(statement: ir.Stmt) -> list[ir.Expr]:
    """The expressions a statement evaluates every time it runs (a branch's or loop's test only)."""
    if isinstance(statement, ir.Assign):
        return [statement.value, *[t for t in statement.targets if not isinstance(t, ir.Name)]]
    if isinstance(statement, ir.AugAssign):
        return [statement.value, statement.target]
    if isinstance(statement, (ir.ExprStmt,)):
        return [statement.expr]
    if isinstance(statement, ir.Return):
        return [statement.value] if statement.value is not None else []
    if isinstance(statement, ir.If):
        return [statement.test]
    return []


def _evaluated_calls(expressions: list[ir.Expr | None]) -> Iterator[ir.Call]:
    """The calls evaluated whenever the expressions are, in evaluation order (arguments first)."""
    for expression in expressions:
        if expression is None or isinstance(expression, (ir.Lambda, ir.Name, ir.Const)):
            continue
        if isinstance(expression, ir.BoolOp):
            yield from _evaluated_calls([expression.values[0]])  # the others run only sometimes
            continue
        if isinstance(expression, ir.Conditional):
            yield from _evaluated_calls([expression.test])
            continue
        if isinstance(expression, ir.Call):
            yield from _evaluated_calls([expression.receiver, *expression.args, *[v for _, v in expression.kwargs]])
            yield expression
            continue
        parts: list[ir.Expr | None] = []
        for field in fields(expression):
            value = getattr(expression, field.name)
            if isinstance(value, tuple):
                parts.extend(item for item in value if is_dataclass(item))
            elif is_dataclass(value) and field.name != "node":
                parts.append(value)
        yield from _evaluated_calls(parts)


def _plain_call(call: ir.Call) -> bool:
    """A call of a function by its name (`f(x)`, `this->f(x)`), not a method of another object."""
    if call.receiver is None:
        return True
    return isinstance(call.receiver, ir.Name) and call.receiver.id == "this"


def _same_overload(file: CFile, call: ir.Call, function: ir.Function) -> bool:
    """The call can only mean that definition: as many arguments as it has parameters and, in C++ (where
    `qHash(key.root)` inside `qHash(const Key &key)` calls another overload), each argument the parameter
    of the same position, passed on as it came."""
    if len(call.args) != len(function.params):
        return False
    return file.language != "cpp" or all(isinstance(argument, ir.Name) and argument.id == parameter
                                         for argument, parameter in zip(call.args, function.params))


def _leaves(statement: ir.Stmt) -> bool:
    node = getattr(statement, "node", None)
    return isinstance(node, ts.Node) and node.type in ("goto_statement", "labeled_statement", "throw_statement",
                                                       "co_return_statement", "break_statement",
                                                       "continue_statement")


def _is_macro_like(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", name))


def _is_directive(node: ts.Node) -> bool:
    return node.type.startswith("preproc_")


def _descendants(node: ts.Node) -> Iterator[ts.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)
