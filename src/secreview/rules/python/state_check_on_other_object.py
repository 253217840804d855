"""Guard checks one object's state, then removes or undoes a different object.

## What it does
Flags the "replace it if it is there" idiom written against the wrong object: an `if` whose whole
condition checks the state of X — it exists (`os.path.exists(x)`, `self.exists()`,
`driver.image_exists(x)`), is attached, mounted, mapped, connected or running — and whose body
removes or undoes that state on Y (`remove_image(y)`, `os.unlink(y)`, `y.detach()`), while the code
right after the `if` creates or re-establishes Y (`import_image(src, y)`, `open(y, "w")`,
`y.attach()`). Y must provably be another object than X: a local variable built in the function
from other values, with neither expression mentioning the other. The checks and the undo and redo
verbs are data (knowledge/resources.py `STATE_CHECKS`).

## Why is this bad?
The code means "if Y is already there, remove it before creating it again", but it asks about X.
When X exists and Y does not, the removal fails (an exception on a path nobody tested); when Y is
left over from an earlier failed attempt and X does not exist, nothing removes it and the creation
fails or, worse, silently reuses the stale Y — another tenant's data, an image an attacker uploaded
under that name, a mount that points elsewhere. The control flow does not implement what it was
written for in any run where X and Y differ (CWE-670).

## Example
```python
def import_file(self, instance, local_file, remote_name):
    name = "%s_%s" % (instance.uuid, remote_name)
    if self.exists():
        self.driver.remove_image(name)
    self.driver.import_image(local_file, name)
```

## Use instead
```python
def import_file(self, instance, local_file, remote_name):
    name = "%s_%s" % (instance.uuid, remote_name)
    if self.driver.exists(name):
        self.driver.remove_image(name)
    self.driver.import_image(local_file, name)
```

## References
- https://cwe.mitre.org/data/definitions/670.html
- https://cwe.mitre.org/data/definitions/367.html
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.resources import STATE_CHECKS
from secreview.knowledge.vocabulary import words
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import statements_after
from secreview.lang.python.resources import calls_run_by
from secreview.lang.python.scopes import body_statements, function_of, last_binding
from secreview.lang.python.syntax import line_of, normalise, unwrap
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

_FOLLOWING = 3  # statements after the `if` where the re-creation is looked for


class StateCheckOnOtherObject(Rule):
    id = "state-check-on-other-object"
    cwe = 670
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    # The whole idiom (check X, undo Y, re-create Y right after, Y provably another object) has no reading
    # in which the check answers for what it guards; on the nine trees measured it fired once (the seed).
    evidence = Evidence.DEFINITE
    message = "`{check}` tests `{checked}`, but the guarded `{undo}` acts on `{other}`, a different object"
    description = (
        "The `if` on line {line} decides whether to run `{undo_call}` (line {undo_line}) by testing whether "
        "`{checked}` {state}, and `{redo_call}` (line {redo_line}) then creates `{other}` again: the code means "
        "\"if `{other}` {state} already, undo it first\". But `{other}` is built from other values "
        "(`{other_value}`), so the check answers for a different object. When `{checked}` {state} and "
        "`{other}` does not, the undo fails; when a stale `{other}` is left over (an earlier failed attempt, or "
        "one someone else created under that name) and `{checked}` does not {state_base}, nothing removes it and "
        "`{redo_call}` fails or reuses it."
    )
    solution = (
        "Test the object you act on: check the state of `{other}` (for example `{suggested}`), or drop the "
        "check and make the undo tolerate a missing `{other}` (catch its not-found error)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for statement in file.nodes_of_type("if_statement"):
            if statement.children_by_field_name("alternative") or function_of(file, statement) is None:
                continue
            checked = _state_check(file, statement.child_by_field_name("condition"))
            if checked is None:
                continue
            check, state, subject = checked
            for undo, other in _undos(file, statement, state):
                redo = _redo(file, statement, state, other)
                value = _other_value(file, other, statement)
                if redo is None or value is None or not _distinct(file, subject, other, value):
                    continue
                yield Hit(check.node, _values(file, statement, check, state, subject, undo, other, redo, value))
                break


def _state_check(file: PyFile, condition: ts.Node | None) -> tuple[Call, str, ts.Node] | None:
    """(the check, its state, what it checks) when the whole condition is one state check."""
    condition = unwrap(condition)
    if condition is None or condition.type != "call":
        return None
    call = file.call_at(condition)
    name_words = set(words(call.method or ""))
    state = next((s for s, (checks, _, _) in STATE_CHECKS.items() if name_words & checks), None)
    subject = call.args[0] if call.args else call.receiver if not call.kwargs else None
    if state is None or subject is None or subject.type not in ("identifier", "attribute", "call"):
        return None
    return call, state, subject


def _undos(file: PyFile, statement: ts.Node, state: str) -> Iterator[tuple[Call, ts.Node]]:
    """Calls of the `if` body that undo `state`, with the object they act on (their first argument, or
    their receiver when they take none)."""
    for call in _calls_named(file, body_statements(statement.child_by_field_name("consequence")),
                             STATE_CHECKS[state][1]):
        target = call.args[0] if call.args else call.receiver
        if target is not None and target.type == "identifier":
            yield call, target


def _redo(file: PyFile, statement: ts.Node, state: str, other: ts.Node) -> Call | None:
    """A call right after the `if` that establishes `state` again for `other` (takes it as an argument or
    is called on it)."""
    wanted = file.text_of(other)
    following = list(itertools.islice(statements_after(file, statement), _FOLLOWING))
    for call in _calls_named(file, following, STATE_CHECKS[state][2]):
        parts = [*call.args, *call.kwargs.values(), *([call.receiver] if call.receiver is not None else [])]
        if any(file.text_of(p) == wanted for p in parts):
            return call
    return None


def _calls_named(file: PyFile, statements: list[ts.Node], vocabulary: frozenset[str]) -> Iterator[Call]:
    """The calls run by `statements` whose name has a word of `vocabulary`, in order."""
    for statement in statements:
        for call in calls_run_by(file, statement):
            if set(words(call.method or "")) & vocabulary:
                yield call


def _other_value(file: PyFile, other: ts.Node, statement: ts.Node) -> ts.Node | None:
    """The expression the local `other` was built from, before the `if` (None for a parameter or a name
    bound more than once in the function)."""
    function = function_of(file, statement)
    if function is None or file.is_parameter(file.text_of(other), function):
        return None
    if len(file.bindings_of(file.text_of(other), function)) != 1:
        return None
    value = last_binding(file, other)
    return value if value is not None and value.end_byte <= statement.start_byte else None


def _distinct(file: PyFile, subject: ts.Node, other: ts.Node, value: ts.Node) -> bool:
    """Neither object's expression mentions the other's: `other` is made from other values than `subject`."""
    subject_root = _root_name(file, subject)
    other_name = file.text_of(other)
    if subject_root is None or subject_root == other_name:
        return False
    if _mentions(file.text_of(value), subject_root) or _mentions(file.text_of(subject), other_name):
        return False
    subject_value = last_binding(file, subject) if subject.type == "identifier" else None
    return subject_value is None or not _mentions(file.text_of(subject_value), other_name)


def _root_name(file: PyFile, node: ts.Node) -> str | None:
    """`self` for `self.disk.path`, `p` for `p`; None for anything else (a call's result)."""
    current = node
    while current.type == "attribute":
        current = current.child_by_field_name("object")
    return file.text_of(current) if current is not None and current.type == "identifier" else None


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


def _values(file: PyFile, statement: ts.Node, check: Call, state: str, subject: ts.Node, undo: Call,
            other: ts.Node, redo: Call, value: ts.Node) -> dict[str, str]:
    phrases = {"exists": ("exists", "exist")}
    state_text, state_base = phrases.get(state, (f"is {state}", f"be {state}"))
    other_text = file.text_of(other)
    check_callee = file.text_of(check.node.child_by_field_name("function"))
    suggested = f"{check_callee}({other_text})" if check.args else f"{other_text}.{check.method}()"
    if not check.args and check.receiver is not None and _root_name(file, check.receiver) == "self":
        suggested = f"{shorten(file.text_of(undo.receiver), 40)}.{check.method}({other_text})" \
            if undo.receiver is not None else f"exists({other_text})"
    return {
        "check": shorten(file.text_of(check.node), 50),
        "checked": shorten(file.text_of(subject), 40),
        "undo": shorten(file.text_of(undo.node), 50),
        "undo_call": shorten(file.text_of(undo.node.child_by_field_name("function")), 50),
        "undo_line": str(line_of(undo.node)),
        "redo_call": shorten(file.text_of(redo.node.child_by_field_name("function")), 50),
        "redo_line": str(line_of(redo.node)),
        "other": other_text,
        "other_value": shorten(normalise(file.text_of(value)) if "\n" in file.text_of(value)
                               else file.text_of(value), 60),
        "state": state_text,
        "state_base": state_base,
        "suggested": suggested,
        "line": str(line_of(statement)),
    }
