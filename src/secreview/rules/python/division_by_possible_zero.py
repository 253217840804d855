"""Division or modulo by a value that can be zero, with no check.

## What it does
Flags `/`, `//` and `%` (and `/=`, `//=`, `%=`) whose divisor can be zero
on a path where nothing rules that out:

- a number taken from the request or another external source
  (`int(request.args["per_page"])`, `float(request.form["rate"])`);
- the length of a collection (`total / len(items)`, or `n = len(items)`
  then `/ n`) that may be empty;
- a counter that starts at `0` and is only increased in a loop
  (`count = 0; for ...: count += 1; avg = total / count`), a parameter
  whose default is `0`, or `mapping.get(key, 0)`.

A divisor is considered checked when an earlier or enclosing condition
(`if`, `while`, `assert`, a conditional expression, `and`/`or`) mentions
it or the collection, when the division sits inside `for x in items:` over
the same collection, when it is caught (`except ZeroDivisionError`,
`ArithmeticError`, `Exception`), or when the collection cannot be empty
(a non-empty literal, the result of `str.split()`). `%` used for string
formatting is ignored. Confidence is high for request data, medium
otherwise.

## Why is this bad?
`ZeroDivisionError` aborts the operation. When the divisor comes from the
request (`?per_page=0`, an empty list in a JSON body, an empty upload) any
client can crash the handler at will, and code that computes a quota,
rate, average or page count from an empty collection fails exactly on the
edge case (first use, empty tenant, no samples) that nobody tested,
sometimes after earlier steps already changed state.

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/items")
def items():
    per_page = int(request.args.get("per_page", 20))
    pages = (count_items() + per_page - 1) // per_page
    return {"pages": pages}
```

## Use instead
```python
from flask import Flask, abort, request

app = Flask(__name__)

@app.route("/items")
def items():
    per_page = int(request.args.get("per_page", 20))
    if not 1 <= per_page <= 100:
        abort(400)
    pages = (count_items() + per_page - 1) // per_page
    return {"pages": pages}
```

## References
- https://cwe.mitre.org/data/definitions/369.html
- https://docs.python.org/3/library/exceptions.html#ZeroDivisionError
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.expressions import leaf_name, mentions
from secreview.lang.python.file import NOT_CONSTANT, PyFile
from secreview.lang.python.flow import conditions_enclosing
from secreview.lang.python.requests import is_request_object, provenance_kind, web_module
from secreview.lang.python.scopes import NESTED_SCOPES, descendants, function_of, parameter_defaults
from secreview.lang.python.syntax import normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.lang.python.web import route_handlers

_HANDLED = ("ZeroDivisionError", "ArithmeticError")
_NON_EMPTY_CALLS = frozenset({"split", "rsplit", "splitlines_nonempty", "str", "repr", "hex", "bin", "oct"})


@dataclass(frozen=True)
class _Divisor:
    kind: str  # "request", "len", "counter", "default-zero", "get-zero"
    names: tuple[str, ...]  # expressions whose check would rule out zero
    why: str
    confidence: Confidence | None = None


class DivisionByPossibleZero(Rule):
    id = "division-by-possible-zero"
    cwe = 369
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Division by a value that can be zero: {code}"
    description = (
        "`{code}` divides by `{divisor}`, which {why}, and nothing before it rules out zero. A zero divisor "
        "raises `ZeroDivisionError` and aborts the operation{impact}."
    )
    solution = (
        "Check the divisor before dividing (`if not {divisor}: ...` / reject values below 1 with a 400 "
        "response), or use a safe default (`max({divisor}, 1)`), and decide explicitly what the result should "
        "be for an empty input."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "/" not in file.text and "%" not in file.text:
            return
        operations = file.binary_operators("/", "//", "%")
        operations += [a for a in file.nodes_of_type("augmented_assignment")
                       if file.text_of(a.child_by_field_name("operator")) in ("/=", "//=", "%=")]
        reported: set[tuple[int, str]] = set()
        for operation in sorted(operations, key=lambda n: n.start_byte):
            if operation.type == "binary_operator" and file.text_of(operation.child_by_field_name("operator")) == "%" \
                    and _formatting(file, operation.child_by_field_name("left")):
                continue
            if operation.type == "augmented_assignment" and file.text_of(operation.child_by_field_name("operator")) == "%=" \
                    and _formatting(file, operation.child_by_field_name("left")):
                continue
            divisor = unwrap(operation.child_by_field_name("right"))
            if divisor is None:
                continue
            found = _classify(file, divisor)
            if found is None or _guarded(file, operation, found):
                continue
            scope = function_of(file, operation) or file.root
            key = (scope.id, normalise(found.names[-1]))
            if key in reported:
                continue  # one finding per divisor and function
            reported.add(key)
            impact = (": any client can send this value and crash the request at will"
                      if found.kind == "request" else
                      " exactly on the empty or first-use case, often after earlier steps already changed state")
            yield Hit(operation, {"divisor": shorten(file.text_of(divisor), 50), "why": found.why,
                                  "impact": impact},
                      confidence=found.confidence)


def _formatting(file: PyFile, left: ts.Node | None) -> bool:
    """`"..." % args`: the left operand is (or is bound to) a string."""
    left = unwrap(left)
    if left is None:
        return True
    if left.type in ("string", "concatenated_string"):
        return True
    for string in descendants(left, frozenset({"string"})):  # _("... %s ...") % x, ("a %s" + b) % x
        if "%" in file.text_of(string):
            return True
    value = file.constant_value(left)
    if isinstance(value, str):
        return True
    name = (leaf_name(file, left) or "").lower()
    return any(word in name for word in ("fmt", "format", "msg", "message", "template", "text", "str", "pattern",
                                         "line", "sql", "query", "html", "url", "path", "name", "label"))


def _source(file: PyFile, node: ts.Node) -> bool:
    """Attacker data per the dataflow analysis (asked only in files that handle requests: it is costly)."""
    if not _handles_requests(file) or not _looks_external(file, node):
        return False
    return provenance_kind(file, node, "trust") == "source"


_EXTERNAL_HINT = re.compile(r"request|\breq\b|\.args\b|\.form\b|query|json|\bGET\b|\bPOST\b|headers|argv|input\(|"
                            r"\.body\b|cookie")


def _looks_external(file: PyFile, node: ts.Node) -> bool:
    """A cheap syntactic pre-check before asking the dataflow analysis."""
    if _EXTERNAL_HINT.search(file.text_of(node)):
        return True
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        function = function_of(file, node)
        if function is not None and file.text_of(node) in _parameter_names(file, function) \
                and any(function.id == handler.id for handler in route_handlers(file)):
            return True  # a URL parameter of a route
        for binding, identifier in file.reaching_bindings(node):
            value = file.bound_value(binding, identifier)
            if value is not None and _EXTERNAL_HINT.search(file.text_of(value)):
                return True
    return False


def _handles_requests(file: PyFile) -> bool:
    return file.memo(("handles-requests",), lambda: web_module(file) or "request" in file.text
                     or "argv" in file.text or "input(" in file.text)


def _classify(file: PyFile, divisor: ts.Node, _depth: int = 0) -> _Divisor | None:
    divisor = unwrap(divisor)
    if divisor is None or _depth > 2:
        return None
    text = file.text_of(divisor)
    if divisor.type == "call":
        call = file.call_at(divisor)
        if call.name == "len" and len(call.args) == 1 and not call.kwargs:
            subject = unwrap(call.args[0])
            if _non_empty(file, subject):
                return None
            if _element_of_collection(file, subject):
                return None  # `for s in groups: x % len(s)`: an element, usually non-empty by construction
            if _reads_request(file, subject):
                return _Divisor("request", (text, file.text_of(subject)),
                                f"is the length of request data `{shorten(file.text_of(subject), 40)}`, which a client "
                                "can send empty", Confidence.HIGH)
            return _Divisor("len", (text, file.text_of(subject)),
                            f"is the length of `{shorten(file.text_of(subject), 40)}`, which is zero when it is empty")
        if call.name in ("int", "float", "decimal.Decimal", "fractions.Fraction") and call.args:
            if _source(file, call.args[0]):
                return _Divisor("request", (text, file.text_of(call.args[0])),
                                "is a number the client controls (it comes from the request)",
                                Confidence.HIGH)
            return None
        if call.method == "get" and len(call.args) == 2 and file.constant_value(call.args[1]) == 0:
            return _Divisor("get-zero", (text,), "falls back to `0` when the key is missing")
        return None
    if divisor.type != "identifier":
        return None
    name = text
    function = function_of(file, divisor)
    if function is not None:
        for param, _node, value in parameter_defaults(file, function):
            if param == name and file.constant_value(value) == 0 and value.type == "integer":
                if not file.bindings_before(divisor):
                    return _Divisor("default-zero", (name,), "defaults to `0` when the caller leaves it out")
    bindings = file.reaching_bindings(divisor)
    if not bindings:
        return None
    values = [file.bound_value(b, i) for b, i in bindings]
    assigned = [v for v in values if v is not None]
    increments = [b for b, _ in bindings if b.type == "augmented_assignment"]
    if assigned and all(file.constant_value(v) == 0 and v.type == "integer" for v in assigned):
        if increments:
            return _Divisor("counter", (name,), "starts at `0` and is only increased inside a loop or branch, so it "
                                                "is still `0` when nothing was counted")
        return None  # always zero: a different bug, and usually dead code
    if len(bindings) == 1 and len(assigned) == 1:
        inner = _classify(file, assigned[0], _depth + 1)
        if inner is not None:
            return _Divisor(inner.kind, (name, *inner.names), inner.why, inner.confidence)
        if _source(file, assigned[0]) and file.constant_value(assigned[0]) is NOT_CONSTANT:
            return None
    return None


def _reads_request(file: PyFile, node: ts.Node, _depth: int = 0) -> bool:
    """The collection is read straight from the request (`request.json["items"]`, `request.files.getlist(...)`)."""
    node = unwrap(node)
    if node is None or _depth > 2:
        return False
    current = node
    while current is not None and current.type in ("subscript", "call", "attribute"):
        if current.type == "attribute" and is_request_object(file, current.child_by_field_name("object")):
            return True
        current = (current.child_by_field_name("value") if current.type == "subscript" else
                   current.child_by_field_name("function") if current.type == "call" else
                   current.child_by_field_name("object"))
    if node.type == "identifier":
        bindings = file.reaching_bindings(node)
        return len(bindings) == 1 and file.bound_value(*bindings[0]) is not None and \
            _reads_request(file, file.bound_value(*bindings[0]), _depth + 1)
    return False


def _element_of_collection(file: PyFile, subject: ts.Node | None) -> bool:
    subject = unwrap(subject)
    if subject is None or subject.type != "identifier":
        return False
    name = file.text_of(subject)
    for ancestor in file.ancestors(subject):
        if ancestor.type in ("list_comprehension", "generator_expression", "set_comprehension",
                             "dictionary_comprehension"):
            for clause in ancestor.named_children:
                if clause.type == "for_in_clause" and mentions(file, clause.child_by_field_name("left"), name):
                    return True
        if ancestor.type in NESTED_SCOPES:
            break
    return any(b.type == "for_statement" for b, _ in file.reaching_bindings(subject))


def _non_empty(file: PyFile, subject: ts.Node | None, _depth: int = 0) -> bool:
    subject = unwrap(subject)
    if subject is None or _depth > 2:
        return True
    if subject.type in ("list", "tuple", "set", "dictionary", "string", "concatenated_string"):
        return bool(subject.named_children) or file.constant_value(subject) not in ("", ())
    if file.is_constant(subject):
        return True
    if subject.type == "call":
        call = file.call_at(subject)
        return (call.method or "") in _NON_EMPTY_CALLS
    if subject.type == "identifier":
        bindings = file.reaching_bindings(subject)
        values = [file.bound_value(b, i) for b, i in bindings]
        return bool(values) and all(v is not None and _non_empty(file, v, _depth + 1) for v in values) and \
            not any(b.type == "for_statement" for b, _ in bindings)
    return False


def _guarded(file: PyFile, operation: ts.Node, divisor: _Divisor) -> bool:
    names = [n for n in divisor.names if n]
    for condition, _ in conditions_enclosing(file, operation):
        if any(mentions(file, condition, n) for n in names):
            return True
    if caught_by(file, operation, _HANDLED):
        return True
    scope = function_of(file, operation) or file.root
    # inside `for x in items:` / `while items:` over the measured collection
    for ancestor in file.ancestors(operation):
        if ancestor == scope:
            break
        if ancestor.type == "for_statement" and any(
                normalise(file.text_of(ancestor.child_by_field_name("right"))) == normalise(n) for n in names):
            return True
    # any earlier condition, assertion or `x or default` that looks at it
    for statement in file.nodes_of_type("if_statement", "while_statement", "assert_statement", "return_statement",
                                        "expression_statement", "assignment", within=scope):
        if statement.start_byte >= operation.start_byte:
            break
        if statement.type in ("if_statement", "while_statement"):
            tested = statement.child_by_field_name("condition")
        elif statement.type == "assert_statement":
            tested = statement
        else:
            tested = next((c for c in descendants(statement, frozenset({"boolean_operator", "conditional_expression",
                                                                           "comparison_operator"}))), None)
        if tested is not None and any(mentions(file, tested, n) for n in names):
            return True
    for call in file.calls_to("max", "min"):
        if scope.start_byte <= call.node.start_byte < operation.start_byte \
                and any(mentions(file, call.node, n) for n in names):
            return True
    return False


def _parameter_names(file: PyFile, function: ts.Node) -> list[str]:
    parameters = function.child_by_field_name("parameters")
    names = []
    for param in parameters.named_children if parameters is not None else ():
        ident = param if param.type == "identifier" else param.child_by_field_name("name")
        if ident is None and param.named_children:
            ident = param.named_children[0]
        if ident is not None and ident.type == "identifier":
            names.append(file.text_of(ident))
    return names
