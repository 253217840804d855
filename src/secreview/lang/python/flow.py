"""Control flow and exits: where a block leaves, under which conditions a node runs, what a check decides.

Vocabulary:

- a block *leaves* when control never falls off its end: it ends with return/raise/continue/break, with
  a call in ABORT_CALLS, or with an if/elif/else, try or with whose every way through leaves;
- a *region* is a list of statements that run under a known outcome of a check (the `if` body, the
  `else` body, or the statements after an `if` whose body always leaves);
- a *gate* is the if/elif/while/return/assert whose decision the truth of an expression takes part in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.knowledge.locks import ACQUIRE_METHODS, LOCK_DECORATORS, RELEASE_METHODS
from secreview.lang.python.scopes import NESTED_SCOPES, body_statements, function_of

EXITS = frozenset({"return_statement", "raise_statement", "continue_statement", "break_statement"})

# Calls that end the current request, test or process when used as a statement, by the last part of the
# callee's name (`flask.abort`, `self.fail`, `sys.exit`), and why they do.
ABORT_CALLS: dict[str, str] = {
    "abort": "flask/werkzeug/bottle abort() raises an HTTP exception",
    "exit": "sys.exit()/exit() raise SystemExit",
    "_exit": "os._exit() ends the process",
    "fail": "pytest.fail()/TestCase.fail() raise",
    "error": "argparse's parser.error() exits, as a project's error() helper usually does (not a logger's)",
    "deny": "permission helpers named deny() raise to refuse",
    "forbid": "permission helpers named forbid() raise to refuse",
    "reject": "validation helpers named reject() raise to refuse",
    "send_error": "an HTTP handler's send_error() answers the request (nothing else may be sent)",
    "HttpResponseForbidden": "a Django refusal ends the handler's normal path (returning it is another question)",
    "HttpResponseBadRequest": "a Django refusal ends the handler's normal path (returning it is another question)",
    "HTTPForbidden": "a Pyramid/aiohttp refusal ends the handler's normal path (returning it is another question)",
    "HTTPBadRequest": "a Pyramid/aiohttp refusal ends the handler's normal path (returning it is another question)",
}
# `log.error(...)` reports and goes on: the receivers that make an `error()` call a logger's
_LOGGER = re.compile(r"(?:^|[._])log(?:ger)?$|^logging$", re.I)


# -- leaving -----------------------------------------------------------------------

def _is_abort_call(file: PyFile, statement: ts.Node) -> bool:
    """True for an expression statement that calls one of ABORT_CALLS."""
    if statement.type != "expression_statement" or not statement.named_children \
            or statement.named_children[0].type != "call":
        return False
    function = statement.named_children[0].child_by_field_name("function")
    if function is None or function.type not in ("identifier", "attribute"):
        return False
    receiver, _, name = file.text_of(function).rpartition(".")
    return name in ABORT_CALLS and not (name == "error" and _LOGGER.search(receiver))


def leaves(file: PyFile, statements: list[ts.Node]) -> bool:
    """True when control never falls off the end of `statements` (see the module's vocabulary)."""
    statements = [s for s in statements if s.type != "comment"]
    if not statements:
        return False
    last = statements[-1]
    if last.type in EXITS or _is_abort_call(file, last):
        return True
    if last.type in ("if_statement", "elif_clause"):
        return _every_branch_leaves(file, last)
    if last.type == "try_statement":
        handlers = [c.child_by_field_name("body") or c.named_children[-1]
                    for c in last.named_children if c.type == "except_clause" and c.named_children]
        otherwise = [c.child_by_field_name("body") for c in last.named_children if c.type == "else_clause"]
        return (block_leaves(file, last.child_by_field_name("body")) or any(block_leaves(file, b) for b in otherwise)) \
            and all(block_leaves(file, h) for h in handlers)
    if last.type == "with_statement":
        return block_leaves(file, last.child_by_field_name("body"))
    return False


def block_leaves(file: PyFile, block: ts.Node | None) -> bool:
    """`leaves` for the statements of a block."""
    return leaves(file, body_statements(block))


def _every_branch_leaves(file: PyFile, branch: ts.Node) -> bool:
    """An if/elif/else chain with an `else` whose every branch leaves, from `branch` (an `if`, or an
    `elif` for the rest of its chain) on."""
    if branch.type == "elif_clause":
        chain = branch.parent.children_by_field_name("alternative") if branch.parent is not None else []
        alternatives = [a for a in chain if a.start_byte > branch.start_byte]
    else:
        alternatives = branch.children_by_field_name("alternative")
    if not any(a.type == "else_clause" for a in alternatives):
        return False
    branches = [branch.child_by_field_name("consequence")] + [
        a.child_by_field_name("body") if a.type == "else_clause" else a.child_by_field_name("consequence")
        for a in alternatives]
    return all(block_leaves(file, b) for b in branches)


def own_returns(file: PyFile, function: ts.Node, within: ts.Node | None = None) -> Iterator[ts.Node]:
    """The return statements of `function` itself (not of nested functions), optionally inside `within`."""
    for statement in file.nodes_of_type("return_statement", within=within or function):
        owner = file.inside(statement, ("function_definition", "lambda"))
        if owner is not None and owner.id == function.id:
            yield statement


# -- conditions around a node ------------------------------------------------------

def branch_conditions(file: PyFile) -> Iterator[tuple[ts.Node, ts.Node]]:
    """(statement, condition) for every `if`, `elif`, `while` and `assert` of the file: where code decides."""
    for statement in file.nodes_of_type("if_statement", "while_statement", "assert_statement"):
        if statement.type == "assert_statement":
            if statement.named_children:
                yield statement, statement.named_children[0]
            continue
        yield statement, statement.child_by_field_name("condition")
        for alternative in statement.children_by_field_name("alternative"):
            if alternative.type == "elif_clause":
                yield alternative, alternative.child_by_field_name("condition")



def conditions_enclosing(file: PyFile, node: ts.Node, scope: ts.Node | None = None) -> Iterator[tuple[ts.Node, bool]]:
    """Conditions under which `node` runs, innermost first: (condition, holds).

    `holds` is False for the `else` side. Covers if/elif/else, while, ternaries
    and the right operand of `and`/`or`.
    """
    child = node
    for ancestor in file.ancestors(node):
        if ancestor == scope or ancestor.type in NESTED_SCOPES:
            return
        kind = ancestor.type
        if kind in ("if_statement", "elif_clause", "while_statement"):
            condition = ancestor.child_by_field_name("condition")
            if child == ancestor.child_by_field_name("consequence") or child == ancestor.child_by_field_name("body"):
                yield condition, True
            elif child.type in ("else_clause", "elif_clause"):
                yield condition, False
        elif kind == "conditional_expression" and ancestor.named_child_count >= 3:
            body, condition, alternative = ancestor.named_children[:3]
            if child == body:
                yield condition, True
            elif child == alternative:
                yield condition, False
        elif kind == "boolean_operator" and child == ancestor.child_by_field_name("right"):
            operator = file.text_of(ancestor.child_by_field_name("operator"))
            yield ancestor.child_by_field_name("left"), operator == "and"
        child = ancestor


def tested_earlier(file: PyFile, node: ts.Node, texts: list[str]) -> bool:
    """One of `texts` (normalised source text) appears in the condition of an if/elif/while/assert of the
    same function that starts before `node`: `if P.match(x): ... P.match(x).group()`, `if not m: return`,
    `if "key" in params:`."""
    wanted = ["".join(t.split()) for t in texts if t]
    if _guarded_in_expression(file, node, wanted):
        return True
    scope = file.enclosing_scope(node)
    for candidate in file.nodes_of_type("if_statement", "while_statement", "assert_statement", within=scope):
        if candidate.start_byte >= node.start_byte:
            break
        conditions = [candidate.child_by_field_name("condition")] if candidate.type != "assert_statement" \
            else candidate.named_children[:1]
        conditions += [c.child_by_field_name("condition") for c in candidate.named_children if c.type == "elif_clause"]
        for condition in conditions:
            if condition is None or condition.start_byte <= node.start_byte < condition.end_byte:
                continue
            if _contains_any("".join(file.text_of(condition).split()), wanted):
                return True
    return False


def _guarded_in_expression(file: PyFile, node: ts.Node, wanted: list[str]) -> bool:
    """`node` runs only after a test of one of `wanted` in the same expression: the body of
    `x.y if x else None`, the right side of `x and x.y`."""
    current = node
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES or ancestor.type in ("block", "module"):
            return False
        if ancestor.type == "conditional_expression":
            named = ancestor.named_children
            if len(named) == 3 and named[0] == current and _text_contains_any(file, named[1], wanted):
                return True
        if ancestor.type == "boolean_operator":
            left = ancestor.child_by_field_name("left")
            if left is not None and left != current and _text_contains_any(file, left, wanted):
                return True
        current = ancestor
    return False


def _text_contains_any(file: PyFile, node: ts.Node, wanted: list[str]) -> bool:
    return _contains_any("".join(file.text_of(node).split()), wanted)


def _contains_any(text: str, wanted: list[str]) -> bool:
    """Substring test; a plain name must appear as a whole name (`m` is not in `items`)."""
    for w in wanted:
        if w.isidentifier():
            if re.search(rf"(?<![\w.]){re.escape(w)}(?!\w)", text):
                return True
        elif w in text:
            return True
    return False


# -- regions governed by a check ------------------------------------------------------

@dataclass(frozen=True)
class Guarded:
    """A check inside an if/elif condition and where its outcome is known."""

    condition_owner: ts.Node  # if_statement or elif_clause
    negated: bool  # the check appears under an odd number of `not`
    when_true: list[ts.Node]  # statements run when the condition holds
    when_false: list[ts.Node]  # statements run when it does not


_CONDITION_PATH = frozenset({
    "not_operator", "boolean_operator", "parenthesized_expression", "comparison_operator",
    "attribute", "argument_list", "call", "subscript",
})


def guarded(file: PyFile, check: ts.Node) -> Guarded | None:
    """If `check` sits in the condition of an `if`/`elif`, the regions governed by it."""
    negated = False
    node = check
    while node.parent is not None and node.parent.type in _CONDITION_PATH:
        if node.parent.type == "not_operator":
            negated = not negated
        node = node.parent
    owner = node.parent
    if owner is None or owner.type not in ("if_statement", "elif_clause"):
        return None
    if owner.child_by_field_name("condition") != node:
        return None
    when_true = body_statements(owner.child_by_field_name("consequence"))
    when_false: list[ts.Node] = []
    if owner.type == "if_statement":
        alternatives = owner.children_by_field_name("alternative")
        else_clause = next((a for a in alternatives if a.type == "else_clause"), None)
        if else_clause is not None and not any(a.type == "elif_clause" for a in alternatives):
            when_false = body_statements(else_clause.child_by_field_name("body"))
        elif not alternatives and leaves(file, when_true):
            when_false = _following_statements(owner)
    return Guarded(owner, negated, when_true, when_false)


def _following_statements(statement: ts.Node) -> list[ts.Node]:
    out = []
    sibling = statement.next_named_sibling
    while sibling is not None:
        if sibling.type != "comment":
            out.append(sibling)
        sibling = sibling.next_named_sibling
    return out


# -- gates ------------------------------------------------------------------------------

_CONDITION_WRAPPERS = frozenset({"not_operator", "parenthesized_expression", "boolean_operator"})


@dataclass(frozen=True)
class Gate:
    """A boolean check whose outcome decides what the code does."""

    kind: str  # "if" (an if/elif/while condition), "return" (a validator's result), "assert"
    statement: ts.Node  # the if/elif/while/return/assert node
    negated: bool  # the check appears under an odd number of `not` (or `is None`)


def _is_none_test(file: PyFile, node: ts.Node) -> bool | None:
    """For `x is None` / `x is not None` / `x == None`: True if it tests "is None", False for "is not"."""
    if node.type != "comparison_operator" or node.named_child_count != 2:
        return None
    if not any(c.type == "none" for c in node.named_children):
        return None
    operator = " ".join(file.text_of(c) for c in node.children if not c.is_named)
    if operator in ("is", "=="):
        return True
    if operator in ("is not", "!="):
        return False
    return None


def gate_of(file: PyFile, node: ts.Node) -> Gate | None:
    """The if/elif/while/return/assert whose decision the truth of `node` takes part in."""
    negated = False
    current = node
    while True:
        parent = current.parent
        if parent is None:
            return None
        if parent.type in _CONDITION_WRAPPERS:
            if parent.type == "not_operator":
                negated = not negated
            current = parent
            continue
        if parent.type == "comparison_operator":
            none_test = _is_none_test(file, parent)
            if none_test is None:
                return None
            negated ^= none_test
            current = parent
            continue
        if parent.type == "argument_list" and parent.parent is not None and parent.parent.type == "call" \
                and file.text_of(parent.parent.child_by_field_name("function")) == "bool" \
                and parent.named_child_count == 1:
            current = parent.parent
            continue
        break
    if parent.type in ("if_statement", "elif_clause", "while_statement", "conditional_expression") \
            and parent.child_by_field_name("condition") == current:
        return Gate("if", parent, negated)
    if parent.type == "conditional_expression":
        # `a if cond else b`: the condition is the middle child
        named = parent.named_children
        if len(named) == 3 and named[1] == current:
            return Gate("if", parent, negated)
        return None
    if parent.type == "return_statement":
        return Gate("return", parent, negated)
    if parent.type == "assert_statement" and parent.named_children and parent.named_children[0] == current:
        return Gate("assert", parent, negated)
    return None


def _branch_bodies(statement: ts.Node) -> tuple[list[ts.Node], list[ts.Node]]:
    """(statements when the condition holds, statements when it does not) of an if/elif."""
    when_true = body_statements(statement.child_by_field_name("consequence") or statement.child_by_field_name("body"))
    when_false: list[ts.Node] = []
    for alternative in statement.children_by_field_name("alternative"):
        if alternative.type == "else_clause":
            when_false = body_statements(alternative.child_by_field_name("body"))
        elif alternative.type == "elif_clause":
            when_false = [alternative]
            break
    return when_true, when_false


_VALIDATOR_NAME = re.compile(r"(?:^|_)(?:is|has|valid|validate|validates|check|checks|verify|allowed|permitted|safe|"
                             r"matches|acceptable|legal|ok|trusted)(?:_|$)|^(?:is|valid)[A-Z]|^_?valid", re.I)


def rejects(file: PyFile, gate: Gate) -> bool:
    """True when the check decides whether to go on: a failing value leaves (raise/return/continue/
    abort) or the check is the verdict a validator function returns (`def is_valid(x): return ...`)."""
    if gate.kind == "return":
        function = file.inside(gate.statement, ("function_definition", "lambda"))
        name = function.child_by_field_name("name") if function is not None else None
        return name is not None and bool(_VALIDATOR_NAME.search(file.text_of(name)))
    if gate.kind != "if" or gate.statement.type not in ("if_statement", "elif_clause"):
        return False
    when_true, when_false = _branch_bodies(gate.statement)
    if gate.negated:
        return leaves(file, when_true)
    if leaves(file, when_false):
        return True
    return len(when_true) == 1 and when_true[0].type == "return_statement" \
        and file.text_of(when_true[0]).split() == ["return", "True"]


# -- locks ----------------------------------------------------------------------------------

_LOCKISH = re.compile(r"(?:^|[^a-zA-Z])(?:r?lock|mutex|semaphore)|Lock|Mutex|Semaphore|synchroni[sz]ed")


def lock_around(file: PyFile, node: ts.Node) -> str | None:
    """Text of a lock held around `node`: a `with <lock>:` or a function with a lock decorator
    (`@lockutils.synchronized(...)`, `@fasteners.interprocess_locked(...)`: knowledge/locks.py)."""
    for ancestor in file.ancestors(node):
        if ancestor.type == "with_statement":
            for item in ancestor.named_children[0].named_children if ancestor.named_children else ():
                value = item.child_by_field_name("value")
                if value is not None and value.type == "as_pattern":
                    value = value.named_children[0]
                if value is not None and _LOCKISH.search(file.text_of(value)):
                    return file.text_of(value)
        elif ancestor.type == "function_definition" and ancestor.parent is not None \
                and ancestor.parent.type == "decorated_definition":
            for decorator in ancestor.parent.named_children:
                if decorator.type == "decorator" and _is_lock_decorator(file, decorator):
                    return file.text_of(decorator).lstrip("@")
    return None


def _is_lock_decorator(file: PyFile, decorator: ts.Node) -> bool:
    expression = decorator.named_children[0] if decorator.named_children else None
    if expression is not None and expression.type == "call":
        expression = expression.child_by_field_name("function")
    text = file.text_of(expression) if expression is not None else ""
    return text.rsplit(".", 1)[-1] in LOCK_DECORATORS or bool(_LOCKISH.search(text))


def lock_held(file: PyFile, first: ts.Node, last: ts.Node) -> str | None:
    """Text of a lock held from `first` to `last` (a later node of the same function): both inside one
    `with <lock>:` block or lock-decorated function, or after `x.acquire()` and before `x.release()`."""
    held = lock_around(file, first)
    if held is not None and lock_around(file, last) == held:
        return held
    function = function_of(file, first)
    if function is None:
        return None
    calls = [c for c in file.method_calls(*ACQUIRE_METHODS, *RELEASE_METHODS)
             if c.receiver is not None and function.start_byte <= c.node.start_byte < function.end_byte
             and function_of(file, c.node) == function]
    for acquire in calls:
        if acquire.method not in ACQUIRE_METHODS or acquire.node.end_byte > first.start_byte:
            continue
        lock = file.text_of(acquire.receiver)
        releases = [c.node.start_byte for c in calls
                    if c.method in RELEASE_METHODS and file.text_of(c.receiver) == lock
                    and c.node.start_byte > acquire.node.end_byte]
        if releases and min(releases) > last.end_byte:
            return lock
    return None


# -- what may run next --------------------------------------------------------------------

_BLOCK_OWNERS_TO_STATEMENT = frozenset({"else_clause", "elif_clause", "except_clause", "except_group_clause",
                                        "finally_clause", "case_clause", "block"})


def statements_after(file: PyFile, statement: ts.Node) -> Iterator[ts.Node]:
    """The statements of the same function that may run after `statement` on its way out, in order: the
    rest of its block, then the rest of each enclosing block, stopping where control has left (a block
    that `leaves`, a return or raise). A loop's next iteration is not followed."""
    current = statement
    while current.parent is not None and current.parent.type in ("block", "module"):
        block = current.parent
        sibling = current.next_named_sibling
        while sibling is not None:
            if sibling.type != "comment":
                yield sibling
                if sibling.type in EXITS or _is_abort_call(file, sibling) or \
                        sibling.type in ("if_statement", "try_statement", "with_statement") and leaves(file, [sibling]):
                    return
            sibling = sibling.next_named_sibling
        owner = block.parent
        while owner is not None and owner.type in _BLOCK_OWNERS_TO_STATEMENT:
            owner = owner.parent
        if owner is None or owner.type in NESTED_SCOPES or owner.type == "module":
            return
        current = owner
