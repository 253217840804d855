"""Which function a call reaches, and the calls of a function that this file shows.

Only what the file proves: a plain name bound by a `def` in an enclosing scope, `self.name(...)`
to a method of the enclosing class (or of a class of this file that defines it), and for a
function, the calls of this file that reach it by the same rules.  A parameter holding a
function (`def create(self, prepare, ...)`) is resolved through those calls: what each of
them passes for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.scopes import class_bases, enclosing_class, function_of

_SELF = frozenset({"self", "cls"})


def _definitions(file: PyFile) -> list[ts.Node]:
    return file.nodes_of_type("function_definition")


def _name_of(file: PyFile, function: ts.Node) -> str:
    name = function.child_by_field_name("name")
    return file.text_of(name) if name is not None else ""


def function_named(file: PyFile, name: str, at: ts.Node) -> ts.Node | None:
    """The `def name` visible from `at`: in an enclosing function's body, else at module level."""
    scope = function_of(file, at)
    while True:
        owner = scope if scope is not None else file.tree.root_node
        for function in _definitions(file):
            if _name_of(file, function) == name and function_of(file, function) == scope \
                    and (scope is not None or enclosing_class(file, function) is None) \
                    and owner.start_byte <= function.start_byte < owner.end_byte:
                return function
        if scope is None:
            return None
        scope = function_of(file, scope)


def methods_named(file: PyFile, name: str, cls: ts.Node) -> list[ts.Node]:
    """The methods `name` that `self.name(...)` in class `cls` may reach: those of `cls` and of the classes
    of this file it inherits from or that inherit from it (an override)."""
    family = _family(file, cls)
    return [f for f in _definitions(file) if _name_of(file, f) == name and enclosing_class(file, f) in family]


def _family(file: PyFile, cls: ts.Node) -> list[ts.Node]:
    classes = {_name_of(file, c): c for c in file.nodes_of_type("class_definition")}
    bases = {name: {b.rsplit(".", 1)[-1] for b in class_bases(file, c)} for name, c in classes.items()}
    related = {_name_of(file, cls)}
    changed = True
    while changed:
        grown = related | {n for n in classes if bases[n] & related} | {b for n in related for b in bases.get(n, ())}
        changed = grown != related
        related = grown
    return [classes[n] for n in related if n in classes]


def callee_definitions(file: PyFile, call: Call) -> list[ts.Node]:
    """The definitions `call` may reach that this file shows: a function by its plain name, or for
    `self.m(...)` every method `m` of this file's classes (a subclass may override it)."""
    function = call.node.child_by_field_name("function")
    if function is None:
        return []
    if function.type == "identifier":
        found = function_named(file, file.text_of(function), call.node)
        return [found] if found is not None else []
    caller = function_of(file, call.node)
    cls = enclosing_class(file, caller) if caller is not None else None
    if cls is not None and call.receiver is not None and call.receiver.type == "identifier" \
            and file.text_of(call.receiver) in _SELF:
        return methods_named(file, call.method or "", cls)
    return []


def visible_calls(file: PyFile, function: ts.Node) -> list[Call]:
    """The calls of this file that reach `function` by the rules of `callee_definitions`."""
    name = _name_of(file, function)
    return [call for call in file.method_calls(name) if function in callee_definitions(file, call)]


def argument_for(file: PyFile, call: Call, function: ts.Node, parameter: str) -> ts.Node | None:
    """What `call` passes to `function`'s parameter `parameter` (by keyword or position), if it says."""
    if parameter in call.kwargs:
        return call.kwargs[parameter]
    parameters = function.child_by_field_name("parameters")
    names = []
    for node in parameters.named_children if parameters is not None else ():
        if node.type in ("list_splat_pattern", "dictionary_splat_pattern", "keyword_separator"):
            break
        ident = node if node.type == "identifier" else node.child_by_field_name("name")
        if ident is None and node.named_children:
            ident = node.named_children[0]
        names.append(file.text_of(ident) if ident is not None else "")
    if enclosing_class(file, function) is not None and call.receiver is not None and names:
        names = names[1:]  # `self` is bound by the attribute call
    if parameter not in names or call.has_star_args and names.index(parameter) >= len(call.args):
        return None
    index = names.index(parameter)
    return call.args[index] if index < len(call.args) else None


@dataclass(frozen=True)
class Supply:
    """What the calls in sight pass for one parameter (or one `**kwargs` key) of a function."""

    omitting: list[Call]  # calls that pass nothing for it (and forward no `*args`/`**kwargs`)
    every_call_passes: bool  # there are calls, none forwards, and each passes a value other than None

    def note(self, name: str) -> str:
        """A sentence naming the calls that omit it, for the finding."""
        if not self.omitting:
            return ""
        lines = ", ".join(str(call.line) for call in self.omitting[:3])
        return f"The call on line{'s' if len(self.omitting) > 1 else ''} {lines} of this file passes no `{name}`."


def supply(file: PyFile, function: ts.Node, name: str) -> Supply:
    """What the visible calls of `function` pass for its parameter or `**kwargs` key `name`.  Calls that
    forward `*args`/`**kwargs` say nothing either way."""
    calls = visible_calls(file, function)
    explicit = [call for call in calls if not call.has_star_args]
    passed = [(call, argument_for(file, call, function, name)) for call in explicit]
    omitting = [call for call, value in passed if value is None]
    every = bool(calls) and len(explicit) == len(calls) and all(
        value is not None and value.type != "none" for _, value in passed)
    return Supply(omitting, every)
