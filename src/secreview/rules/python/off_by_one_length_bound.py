"""Index bound off by one: `len(x)` used as a valid index of `x`.

## What it does
Flags indexing `x[i]` where `i` can reach `len(x)`, one past the last
element:

- loops `for i in range(len(x) + 1)` (any start, or `range(len(x), -1, -1)`
  counting down from `len(x)`) and `while i <= len(x):` whose body reads
  `x[i]`;
- bounds checks written with the wrong operator: `if i <= len(x): ... x[i]`
  and `if i > len(x): return/raise` followed by `x[i]`;
- `x[len(x)]` (or `x[len(x) + k]`).

Slices (`x[:i]`), other offsets (`x[i - 1]`), bodies that compare the index
with the length again, code that catches `IndexError`, dictionaries and
collections that grow inside the loop are not reported. Confidence is high
when the indexed value is certainly a list, tuple or string, medium when it
could be a mapping with integer keys (1-based positions in a dict are
valid).

## Why is this bad?
The last iteration (or the boundary value the check lets through) reads one
element past the end: `IndexError` aborts the operation, and when the index
comes from the request (a page number, an item position, a field count) a
client triggers the crash at will. Where the code was meant to reject
out-of-range positions (`if i > len(items): raise`), the off-by-one means
the validation itself is wrong: position `len(items)` is accepted as valid.

## Example
```python
def get_item(items, position):
    if position > len(items):
        raise ValueError("no such item")
    return items[position]
```

## Use instead
```python
def get_item(items, position):
    if not 0 <= position < len(items):
        raise ValueError("no such item")
    return items[position]
```

## References
- https://cwe.mitre.org/data/definitions/193.html
- https://docs.python.org/3/library/stdtypes.html#common-sequence-operations
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.expressions import leaf_name, mentions
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import block_leaves
from secreview.lang.python.requests import provenance_kind
from secreview.lang.python.scopes import descendants
from secreview.lang.python.syntax import normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_DICT_FACTORIES = frozenset({"dict", "collections.defaultdict", "collections.OrderedDict", "defaultdict",
                             "OrderedDict", "collections.Counter", "Counter"})
_GROWERS = frozenset({"append", "extend", "insert", "add", "update", "setdefault"})


class OffByOneLengthBound(Rule):
    id = "off-by-one-length-bound"
    cwe = 193
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Index can reach len({sequence}), one past the end: {code}"
    description = (
        "`{code}` {how}, so `{access}` reads index `len({sequence})` — one past the last element — and raises "
        "`IndexError`{impact}. Valid indices of a sequence are `0` to `len({sequence}) - 1`."
    )
    solution = (
        "Use an exclusive bound: `range(len({sequence}))`, `while i < len({sequence})`, `if i >= len({sequence}): "
        "raise ...` (or `if not 0 <= i < len({sequence})`), and `{sequence}[-1]` for the last element."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "len(" not in file.text:
            return
        seen: set[int] = set()
        for hit in self._loops(file):
            if hit.node.id not in seen:
                seen.add(hit.node.id)
                yield hit
        for hit in self._checks(file):
            if hit.node.id not in seen:
                seen.add(hit.node.id)
                yield hit
        for subscript in file.nodes("(subscript) @s", "s"):
            sequence = subscript.child_by_field_name("value")
            index = unwrap(subscript.child_by_field_name("subscript"))
            measured = _length_plus(file, index)
            if measured is None or measured[1] < 0 or not _same(file, measured[0], sequence):
                continue
            if _dict_like(file, sequence) or caught_by(file, subscript, ("IndexError", "LookupError")):
                continue
            if subscript.id in seen or _assigned(subscript):
                continue
            seen.add(subscript.id)
            yield self._hit(file, subscript, sequence, subscript, "indexes the sequence with its own length")

    def _hit(self, file: PyFile, node: ts.Node, sequence: ts.Node, access: ts.Node, how: str) -> Hit:
        impact = ""
        index = access.child_by_field_name("subscript") if access.type == "subscript" else None
        if index is not None and provenance_kind(file, index) == "source":
            impact = "; the index comes from the request, so any client can trigger it"
        confidence = None if _known_sequence(file, sequence) else Confidence.MEDIUM
        return Hit(node, {"sequence": shorten(file.text_of(sequence), 40), "how": how,
                          "access": shorten(file.text_of(access), 40), "impact": impact},
                   confidence=confidence)

    # -- loops --------------------------------------------------------------------------------

    def _loops(self, file: PyFile) -> Iterator[Hit]:
        for loop in file.nodes_of_type("for_statement", "while_statement"):
            if loop.type == "for_statement":
                found = self._range_loop(file, loop)
            else:
                found = self._while_loop(file, loop)
            if found is None:
                continue
            sequence, index_name, how, body = found
            access = self._unguarded_access(file, body, sequence, index_name)
            if access is not None:
                header = loop.child_by_field_name("right") if loop.type == "for_statement" else \
                    loop.child_by_field_name("condition")
                yield self._hit(file, header, sequence, access, how)

    @staticmethod
    def _range_loop(file: PyFile, loop: ts.Node) -> tuple[ts.Node, str, str, ts.Node] | None:
        target = loop.child_by_field_name("left")
        iterable = unwrap(loop.child_by_field_name("right"))
        if target is None or target.type != "identifier" or iterable is None or iterable.type != "call":
            return None
        call = file.call_at(iterable)
        if call.name not in ("range", "xrange") or not call.args or call.kwargs:
            return None
        args = call.args
        if len(args) == 3:  # range(len(x), -1, -1): starts at len(x)
            step = file.constant_value(args[2])
            start = _length_plus(file, args[0])
            if isinstance(step, int) and step < 0 and start is not None and start[1] >= 0:
                return start[0], file.text_of(target), "counts down starting from `len(...)`", loop
        stop = _length_plus(file, args[0] if len(args) == 1 else args[1])
        if stop is None or stop[1] < 1:
            return None
        return stop[0], file.text_of(target), f"loops up to `{shorten(file.text_of(iterable), 40)}`", loop

    @staticmethod
    def _while_loop(file: PyFile, loop: ts.Node) -> tuple[ts.Node, str, str, ts.Node] | None:
        bound = _inclusive_bound(file, loop.child_by_field_name("condition"))
        if bound is None:
            return None
        index, sequence = bound
        return sequence, index, f"loops while `{shorten(file.text_of(loop.child_by_field_name('condition')), 40)}`", loop

    @staticmethod
    def _unguarded_access(file: PyFile, body_owner: ts.Node, sequence: ts.Node, index_name: str) -> ts.Node | None:
        body = body_owner.child_by_field_name("body")
        if body is None:
            return None
        sequence_text = normalise(file.text_of(sequence))
        for node in descendants(body, frozenset({"comparison_operator", "call", "subscript"})):
            if node.type == "comparison_operator" and mentions(file, node, index_name) \
                    and "len(" in file.text_of(node):
                return None  # the body checks the index against the length again
            if node.type == "call":
                call = file.call_at(node)
                if call.method in _GROWERS and call.receiver is not None \
                        and normalise(file.text_of(call.receiver)) == sequence_text:
                    return None  # the sequence grows inside the loop
        for subscript in descendants(body, frozenset({"subscript"})):
            index = unwrap(subscript.child_by_field_name("subscript"))
            if index is not None and index.type == "identifier" and file.text_of(index) == index_name \
                    and normalise(file.text_of(subscript.child_by_field_name("value"))) == sequence_text \
                    and not _assigned(subscript) and not _rebound_before(file, body, index_name, subscript) \
                    and not caught_by(file, subscript, ("IndexError", "LookupError")) \
                    and not _dict_like(file, sequence):
                return subscript
        return None

    # -- if-checks ----------------------------------------------------------------------------

    def _checks(self, file: PyFile) -> Iterator[Hit]:
        for statement in file.nodes_of_type("if_statement"):
            condition = statement.child_by_field_name("condition")
            consequence = statement.child_by_field_name("consequence")
            inclusive = _inclusive_bound(file, condition)
            if inclusive is not None:  # if i <= len(x): ... x[i]
                index, sequence = inclusive
                access = _access_in(file, [consequence] if consequence is not None else [], sequence, index)
                if access is not None:
                    yield self._hit(file, condition, sequence, access,
                                    f"accepts `{shorten(file.text_of(condition), 40)}`")
                continue
            rejected = _exclusive_rejection(file, condition)
            if rejected is None or not block_leaves(file, consequence):
                continue
            index, sequence = rejected
            block = statement.parent
            after = [s for s in block.named_children if s.start_byte > statement.end_byte] if block is not None else []
            access = _access_in(file, after, sequence, index)
            if access is not None:
                yield self._hit(file, condition, sequence, access,
                                f"only rejects `{shorten(file.text_of(condition), 40)}`, letting "
                                f"`{index} == len({shorten(file.text_of(sequence), 30)})` through")


def _length_plus(file: PyFile, node: ts.Node | None) -> tuple[ts.Node, int] | None:
    """`len(x)` -> (x, 0); `len(x) + 1` -> (x, 1); anything else None."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "call":
        call = file.call_at(node)
        if call.name == "len" and len(call.args) == 1:
            return unwrap(call.args[0]), 0
        return None
    if node.type == "binary_operator" and file.text_of(node.child_by_field_name("operator")) in ("+", "-"):
        left = _length_plus(file, node.child_by_field_name("left"))
        offset = file.constant_value(node.child_by_field_name("right"))
        if left is not None and isinstance(offset, int) and not isinstance(offset, bool):
            sign = 1 if file.text_of(node.child_by_field_name("operator")) == "+" else -1
            return left[0], left[1] + sign * offset
    return None


def _inclusive_bound(file: PyFile, condition: ts.Node | None) -> tuple[str, ts.Node] | None:
    """`i <= len(x)` or `len(x) >= i` -> (i, x)."""
    condition = unwrap(condition)
    if condition is None or condition.type != "comparison_operator" or len(condition.named_children) != 2:
        return None
    operators = [file.text_of(c) for c in condition.children if not c.is_named]
    left, right = condition.named_children
    if operators == ["<="] and left.type == "identifier":
        measured = _length_plus(file, right)
        if measured is not None and measured[1] == 0:
            return file.text_of(left), measured[0]
    if operators == [">="] and right.type == "identifier":
        measured = _length_plus(file, left)
        if measured is not None and measured[1] == 0:
            return file.text_of(right), measured[0]
    return None


def _exclusive_rejection(file: PyFile, condition: ts.Node | None) -> tuple[str, ts.Node] | None:
    """`i > len(x)` or `len(x) < i` (alone or in an `or`) -> (i, x)."""
    condition = unwrap(condition)
    if condition is None:
        return None
    if condition.type == "boolean_operator" and file.text_of(condition.child_by_field_name("operator")) == "or":
        return _exclusive_rejection(file, condition.child_by_field_name("left")) or \
            _exclusive_rejection(file, condition.child_by_field_name("right"))
    if condition.type != "comparison_operator" or len(condition.named_children) != 2:
        return None
    operators = [file.text_of(c) for c in condition.children if not c.is_named]
    left, right = condition.named_children
    if operators == [">"] and left.type == "identifier":
        measured = _length_plus(file, right)
        if measured is not None and measured[1] == 0:
            return file.text_of(left), measured[0]
    if operators == ["<"] and right.type == "identifier":
        measured = _length_plus(file, left)
        if measured is not None and measured[1] == 0:
            return file.text_of(right), measured[0]
    return None


def _access_in(file: PyFile, statements: list[ts.Node], sequence: ts.Node, index_name: str) -> ts.Node | None:
    """The first `sequence[index]` read in `statements` before `index` or `sequence` is rebound."""
    sequence_text = normalise(file.text_of(sequence))
    for statement in statements:
        if statement is None:
            continue
        candidates = [statement] if statement.type == "subscript" else []
        for node in candidates + list(descendants(statement, frozenset({"subscript", "assignment",
                                                                             "augmented_assignment",
                                                                             "comparison_operator"}))):
            if node.type in ("assignment", "augmented_assignment"):
                target = normalise(file.text_of(node.child_by_field_name("left")))
                if target in (index_name, sequence_text):
                    return None
                continue
            if node.type == "comparison_operator":
                if mentions(file, node, index_name) and "len(" in file.text_of(node):
                    return None
                continue
            index = unwrap(node.child_by_field_name("subscript"))
            if index is not None and index.type == "identifier" and file.text_of(index) == index_name \
                    and normalise(file.text_of(node.child_by_field_name("value"))) == sequence_text \
                    and not _assigned(node) and not _dict_like(file, sequence) \
                    and not caught_by(file, node, ("IndexError", "LookupError")):
                return node
    return None


def _same(file: PyFile, a: ts.Node | None, b: ts.Node | None) -> bool:
    return a is not None and b is not None and normalise(file.text_of(a)) == normalise(file.text_of(b))


def _assigned(subscript: ts.Node) -> bool:
    """`x[i] = v` / `x[i] += v` / `del x[i]`: a store, not a read (list stores fail too, but dict stores do not)."""
    parent = subscript.parent
    return parent is not None and (
        (parent.type in ("assignment", "augmented_assignment") and parent.child_by_field_name("left") == subscript)
        or parent.type == "delete_statement" or parent.type == "pattern_list")


def _rebound_before(file: PyFile, body: ts.Node, name: str, node: ts.Node) -> bool:
    for assignment in descendants(body, frozenset({"assignment", "augmented_assignment"})):
        if assignment.start_byte < node.start_byte and file.text_of(assignment.child_by_field_name("left")) == name:
            return True
    return False


_SEQUENCE_FACTORIES = frozenset({"list", "tuple", "sorted", "str", "bytes", "bytearray", "range", "reversed"})
_SEQUENCE_METHODS = frozenset({"split", "rsplit", "splitlines", "readlines", "encode", "decode", "strip", "lower",
                               "upper", "copy", "read", "group"})


def _known_sequence(file: PyFile, sequence: ts.Node, _depth: int = 0) -> bool:
    """The indexed value is certainly a list, tuple or string (so `len()` is one past its last index)."""
    sequence = unwrap(sequence)
    if sequence is None or _depth > 2:
        return False
    if sequence.type in ("list", "tuple", "string", "list_comprehension", "concatenated_string"):
        return True
    if sequence.type == "call":
        call = file.call_at(sequence)
        return (call.name or "") in _SEQUENCE_FACTORIES or (call.method or "") in _SEQUENCE_METHODS
    if sequence.type == "identifier":
        bindings = file.reaching_bindings(sequence)
        values = [file.bound_value(b, i) for b, i in bindings]
        return bool(values) and all(v is not None and _known_sequence(file, v, _depth + 1) for v in values)
    return False


def _dict_like(file: PyFile, sequence: ts.Node) -> bool:
    sequence = unwrap(sequence)
    if sequence is None:
        return False
    name = (leaf_name(file, sequence) or "").lower()
    if any(word in name for word in ("dict", "map", "cache", "table", "index", "lookup", "registry", "counts")):
        return True
    if sequence.type == "identifier":
        for binding, identifier in file.reaching_bindings(sequence):
            value = unwrap(file.bound_value(binding, identifier))
            if value is None:
                continue
            if value.type in ("dictionary", "dictionary_comprehension"):
                return True
            if value.type == "call" and (file.call_at(value).name or "") in _DICT_FACTORIES:
                return True
    return False
