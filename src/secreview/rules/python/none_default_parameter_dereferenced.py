"""Parameter that defaults to `None` is dereferenced without a check.

## What it does
Flags a parameter declared with the default `None` (`def f(x, ctx=None)`)
whose first use in the function dereferences it (attribute access
`ctx.user`, subscript `ctx["id"]`, a call `ctx()`, iteration, `len(ctx)`,
`key in ctx`, unpacking `**ctx`) on a path where nothing has looked at it
first: no `if ctx is None`/`if ctx:` check, no `ctx = ctx or {}`, no
`assert ctx`, no conditional expression or `and` guarding that use, and no
`try` that catches `AttributeError`/`TypeError`. A parameter that is
mentioned in any other way before the dereference (checked, reassigned,
passed on to another function) is left alone. A dereference inside a branch
chosen by another optional parameter (`if path: ... else: instance.uuid`,
"one of the two must be given") has low confidence, and so do dereferences
in private helpers (`_name`, whose callers are in sight), in methods that
override a base class's method (other than `__init__`: the signature often
mirrors the base's while the framework always passes the argument). The
calls in sight decide the rest (lang/python/callers.py: in this file a
plain call of the function, `self.method(...)` within its class family,
`Class(...)` for a constructor; in the run's other production files a call
through their imports, or of a method's name, which only vouches): outside
`__init__`/`__new__` a finding is medium confidence only when such a call
omits the argument or passes None, and the finding names that call; when
every call in sight passes a value other than None there is no finding,
constructors included; with no call in sight the `None` default is often
just a signature convention (low). Functions whose
decorators supply or validate the arguments (signal receivers, fixtures,
`@validation.schema`) are skipped.

## Why is this bad?
The signature promises that callers may leave the argument out, but doing
so crashes the function with `AttributeError: 'NoneType' object has no
attribute ...` (or `TypeError`). Any caller that relies on the default, or
passes through an optional value it received, turns a normal request into
an unhandled exception: a denial of service for that operation, and often a
half-finished state change when the crash happens after earlier steps ran.

## Example
```python
class Volume:
    def __init__(self, instance=None, name=None):
        self.key = instance.get("encryption_key")
        self.name = name
```

## Use instead
```python
class Volume:
    def __init__(self, instance=None, name=None):
        if instance is None:
            raise ValueError("instance is required")
        self.key = instance.get("encryption_key")
        self.name = name
```

## References
- https://cwe.mitre.org/data/definitions/476.html
- https://docs.python.org/3/reference/compound_stmts.html#function-definitions
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.expressions import mentions
from secreview.lang.python.callers import supply
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import conditions_enclosing
from secreview.lang.python.scopes import class_bases, decorators_of, descendants, enclosing_class, parameter_defaults
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule

# Builtins that iterate or measure their argument: TypeError on None.
_CONSUMERS = frozenset({"len", "iter", "sorted", "list", "tuple", "set", "frozenset", "dict", "enumerate",
                        "any", "all", "sum", "min", "max", "reversed", "next"})
_HANDLED = ("AttributeError", "TypeError", "KeyError", "IndexError", "LookupError")
# Decorators that make a framework supply the argument (signal receivers, dependency injection, mocks).
_INJECTING = ("receiver", "inject", "provide", "pass_context", "pass_obj", "patch", "fixture", "hookimpl",
              "listens_for", "connect", "subscriber", "event", "validator", "root_validator", "field_validator",
              "model_validator", "validates", "task", "shared_task", "app.task", "handler", "callback", "schema")


class NoneDefaultParameterDereferenced(Rule):
    id = "none-default-parameter-dereferenced"
    cwe = 476
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Parameter `{param}` defaults to None but is dereferenced without a check: {code}"
    description = (
        "`{function}` declares `{param}=None`, so callers may omit it, but `{code}` {how} before anything "
        "checks it for None. Every call that relies on the default (or passes an optional value through) "
        "crashes here with {error}, aborting the operation half-way (after any earlier steps already ran); "
        "where a request decides whether the argument is passed, a client can trigger the crash at will."
    )
    solution = (
        "Check `{param}` before using it (`if {param} is None: raise ValueError(...)`, or give it a usable "
        "fallback such as `{param} = {param} or dict()`), or, if it is required, drop the `=None` default so "
        "a missing argument fails loudly at the call."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for function in file.nodes_of_type("function_definition"):
            optional = [(name, node) for name, node, value in parameter_defaults(file, function)
                        if value.type == "none" and name not in ("self", "cls")]
            if not optional or self._injected(file, function):
                continue
            body = function.child_by_field_name("body")
            if body is None:
                continue
            uses: dict[str, list[ts.Node]] = {name: [] for name, _ in optional}
            for ident in descendants(body, frozenset({"identifier"})):
                name = file.text_of(ident)
                if name in uses and _is_variable(ident):
                    uses[name].append(ident)
            optional_names = set(uses)
            fname = file.text_of(function.child_by_field_name("name"))
            for name, idents in uses.items():
                hit = self._first_unchecked(file, function, name, idents, optional_names - {name})
                if hit is None:
                    continue
                node, how, error, either_or = hit
                # Outside constructors a None default is often only a signature convention (framework
                # callbacks, partial-bound helpers); it is a crash in sight when a call in sight (this file's
                # or another reviewed file's) omits it, and nothing to report when every call passes a value.
                callers = supply(file, function, name)
                if callers.every_call_passes:
                    continue
                omitted = fname in ("__init__", "__new__") or bool(callers.omitting)
                low = either_or or not omitted or self._fixed_signature(file, function, fname)
                yield Hit(node, {"param": name, "function": fname, "how": how, "error": error},
                          confidence=Confidence.LOW if low else None, note=callers.note(name))

    @staticmethod
    def _injected(file: PyFile, function: ts.Node) -> bool:
        for decorator in decorators_of(file, function):
            head = decorator.split("(")[0]
            if any(word == head.rsplit(".", 1)[-1] or head.endswith(word) for word in _INJECTING):
                return True
        return False

    @staticmethod
    def _fixed_signature(file: PyFile, function: ts.Node, name: str) -> bool:
        """A private helper (its callers are in sight and pass the argument) or a method overriding a base
        class's method, whose signature mirrors the base even when the framework always passes the argument."""
        if name.startswith("_") and not name.startswith("__"):
            return True
        if name in ("__init__", "__new__", "__call__"):
            return False
        cls = enclosing_class(file, function)
        return cls is not None and any(b not in ("object",) for b in class_bases(file, cls))

    def _first_unchecked(self, file: PyFile, function: ts.Node, name: str, idents: list[ts.Node],
                         others: set[str]) -> tuple[ts.Node, str, str, bool] | None:
        for ident in idents:
            deref = _dereference(file, ident)
            if deref is None:
                return None  # checked, reassigned or handed on first: the author dealt with None
            node, how, error = deref
            if self._guarded(file, ident, name):
                return None
            either_or = any(any(mentions(file, condition, other) for other in others)
                            for condition, _ in conditions_enclosing(file, ident, function))
            return node, how, error, either_or
        return None

    @staticmethod
    def _guarded(file: PyFile, ident: ts.Node, name: str) -> bool:
        for condition, _ in conditions_enclosing(file, ident):
            if mentions(file, condition, name):
                return True
        return caught_by(file, ident, _HANDLED)


def _is_variable(ident: ts.Node) -> bool:
    """An identifier that reads or binds a variable (not `obj.name` or the name of `f(name=...)`)."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type == "attribute" and parent.child_by_field_name("attribute") == ident:
        return False
    if parent.type == "keyword_argument" and parent.child_by_field_name("name") == ident:
        return False
    return True


def _dereference(file: PyFile, ident: ts.Node) -> tuple[ts.Node, str, str] | None:
    """(node to report, what it does, the error) if this use of the name dereferences it."""
    parent = ident.parent
    kind = parent.type if parent is not None else ""
    if kind == "attribute" and parent.child_by_field_name("object") == ident:
        grand = parent.parent
        attribute = file.text_of(parent.child_by_field_name("attribute"))
        if grand is not None and grand.type == "call" and grand.child_by_field_name("function") == parent:
            return grand, f"calls its method `{attribute}()`", f"`AttributeError: 'NoneType' object has no attribute '{attribute}'`"
        return parent, f"reads its attribute `{attribute}`", f"`AttributeError: 'NoneType' object has no attribute '{attribute}'`"
    if kind == "subscript" and parent.child_by_field_name("value") == ident:
        return parent, "indexes it", "`TypeError: 'NoneType' object is not subscriptable`"
    if kind == "call" and parent.child_by_field_name("function") == ident:
        return parent, "calls it", "`TypeError: 'NoneType' object is not callable`"
    if kind == "for_statement" and parent.child_by_field_name("right") == ident:
        return ident, "iterates over it", "`TypeError: 'NoneType' object is not iterable`"
    if kind in ("list_splat", "dictionary_splat"):
        return parent, "unpacks it", "`TypeError` (None is not iterable / not a mapping)"
    if kind == "argument_list" and parent.parent is not None and parent.parent.type == "call":
        call = file.call_at(parent.parent)
        if call.name in _CONSUMERS and len(call.args) == 1 and not call.kwargs:
            return parent.parent, f"passes it to `{call.name}()`", f"`TypeError` from `{call.name}(None)`"
        return None
    if kind == "comparison_operator":
        operators = [file.text_of(c) for c in parent.children if not c.is_named]
        children = parent.named_children
        if len(children) == 2 and children[1] == ident and operators in (["in"], ["not in"], ["not", "in"]):
            return parent, "tests membership in it", "`TypeError: argument of type 'NoneType' is not iterable`"
    return None
