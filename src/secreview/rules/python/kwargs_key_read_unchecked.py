"""Required argument read from `**kwargs` without checking that it was passed.

## What it does
Flags `kwargs["name"]` reads of a function's own `**kwargs` when nothing in
the function makes sure the key is there: no `"name" in kwargs` test, no
`kwargs.get("name")` / `setdefault`, no earlier `kwargs["name"] = ...`, no
`try` that handles `KeyError`.

## Why is this bad?
`**kwargs` hides the argument from the signature, so nothing forces callers to
pass it. A caller that omits it (a new code path, another driver calling the
same interface) gets a `KeyError` in the middle of the operation: the request
fails with a 500 or, worse, a multi-step operation stops half done and leaves
resources behind (CWE-754).

The callers in sight (this file's, and calls from the run's other
production files: lang/python/callers.py) decide how sure the finding is: a
call that passes no such key or None for it (and forwards no `**mapping`)
is evidence, named in the finding (medium confidence); when every call in sight passes the key there is
nothing to report; with no caller in sight, or only calls forwarding
`**kwargs`, the read is shown on request (low confidence).

## Example
```python
def create_image(self, builder, size, **kwargs):
    image_meta = IMAGE_API.get(kwargs["context"], kwargs["image_id"])
    return image_meta
```

## Use instead
```python
def create_image(self, builder, size, **kwargs):
    if "context" not in kwargs or "image_id" not in kwargs:
        raise ValueError("create_image needs context= and image_id=")
    image_meta = IMAGE_API.get(kwargs["context"], kwargs["image_id"])
    return image_meta
```

## References
- https://cwe.mitre.org/data/definitions/754.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.callers import supply
from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule

_HANDLED = frozenset({"KeyError", "LookupError", "Exception", "BaseException"})


class KwargsKeyReadUnchecked(Rule):
    id = "kwargs-key-read-unchecked"
    cwe = 754
    severity = Severity.LOW
    # Frameworks often guarantee keys (`body` in API controllers); an unchecked read is a clear slip
    # when a call in sight omits the key (medium), otherwise shown on request (low).
    confidence = Confidence.LOW
    message = "`{code}` fails with KeyError when a caller omits `{key}`"
    description = (
        "`{function}` reads `{code}` from its `**{kwargs}` without checking that the key was passed. "
        "Nothing in the signature makes callers supply `{key}`, so a caller that leaves it out crashes this "
        "call with a KeyError part-way through, failing the request or leaving earlier steps of the "
        "operation undone.{sibling}"
    )
    solution = (
        "Make the argument explicit in the signature (`def {function}(..., {key}, **{kwargs})`), or check it "
        "first (`if \"{key}\" not in {kwargs}: raise ValueError(...)`) and fail with a clear error before "
        "any side effect; use `{kwargs}.get(\"{key}\")` where it is really optional."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for function in file.nodes_of_type("function_definition"):
            kwargs = _kwargs_name(file, function)
            if kwargs is None:
                continue
            guarded = _guarded_keys(file, function, kwargs)
            name = file.text_of(function.child_by_field_name("name"))
            for read, key in _reads(file, function, kwargs):
                if key in guarded or _inside_key_error_handler(file, read, function):
                    continue
                # the calls in sight decide: one that omits the key is evidence (named), every one passing
                # it means nothing is missing, none in sight (or only `**` forwarding) is shown on request
                callers = supply(file, function, key)
                if callers.every_call_passes:
                    continue
                values = {"key": key, "kwargs": kwargs, "function": name,
                          "sibling": " " + callers.note(key) if callers.omitting else ""}
                yield Hit(read, values, confidence=Confidence.MEDIUM if callers.omitting else None)


def _kwargs_name(file: PyFile, function: ts.Node) -> str | None:
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type == "dictionary_splat_pattern" and parameter.named_children:
            return file.text_of(parameter.named_children[0])
    return None


def _own(file: PyFile, node: ts.Node, function: ts.Node) -> bool:
    owner = file.inside(node, ("function_definition", "lambda"))
    return owner is not None and owner.id == function.id


def _key_of(file: PyFile, subscript: ts.Node, kwargs: str) -> str | None:
    container = subscript.child_by_field_name("value")
    if container is None or container.type != "identifier" or file.text_of(container) != kwargs:
        return None
    keys = subscript.children_by_field_name("subscript")
    key = file.string_literal_text(keys[0]) if len(keys) == 1 else None
    return key


def _reads(file: PyFile, function: ts.Node, kwargs: str) -> Iterator[tuple[ts.Node, str]]:
    for subscript in file.nodes("(subscript) @s", "s", function):
        key = _key_of(file, subscript, kwargs)
        parent = subscript.parent
        is_target = parent is not None and parent.type in ("assignment", "augmented_assignment") \
            and parent.child_by_field_name("left") == subscript
        if key is not None and not is_target and _own(file, subscript, function) and \
                (parent is None or parent.type != "delete_statement"):
            yield subscript, key


def _guarded_keys(file: PyFile, function: ts.Node, kwargs: str) -> set[str]:
    """Keys the function tests, reads safely or sets itself."""
    keys: set[str] = set()
    for comparison in file.nodes_of_type("comparison_operator", within=function):
        operands = [c for c in comparison.named_children]
        if len(operands) == 2 and file.text_of(operands[1]) == kwargs:
            key = file.string_literal_text(operands[0])
            if key is not None:
                keys.add(key)
    for call in file.method_calls("get", "setdefault", "pop"):
        if call.receiver is not None and file.text_of(call.receiver) == kwargs and call.args and \
                function.start_byte <= call.node.start_byte < function.end_byte:
            key = file.string_literal_text(call.args[0])
            if key is not None:
                keys.add(key)
    for assignment in file.assignments(left="subscript"):
        if function.start_byte <= assignment.start_byte < function.end_byte:
            key = _key_of(file, assignment.child_by_field_name("left"), kwargs)
            if key is not None:
                keys.add(key)
    return keys


def _inside_key_error_handler(file: PyFile, node: ts.Node, function: ts.Node) -> bool:
    current = node.parent
    while current is not None and current.id != function.id:
        if current.type == "block" and current.parent is not None and current.parent.type == "try_statement" \
                and current.parent.child_by_field_name("body") == current:
            for clause in current.parent.named_children:
                if clause.type == "except_clause":
                    caught = clause.named_children[0] if clause.named_children else None
                    if caught is None or caught.type == "block" or \
                            any(name in _HANDLED for name in file.text_of(caught).replace("(", " ").replace(
                                ")", " ").replace(",", " ").split()):
                        return True
        current = current.parent
    return False
