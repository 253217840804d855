"""Shared logic of the injection / code-execution / deserialisation family.

The rules of this family ask the same few questions about an argument:

- is it a string *built* from non-constant parts (``%``-formatting,
  ``str.format()``, an f-string, ``+`` concatenation), either right in the
  call or through a local variable assigned such an expression earlier in the
  same function (`built_string`)?
- which call created the object a method is called on (`origin_call`:
  ``tar = tarfile.open(...)`` or ``with tarfile.open(...) as tar``)?
- does a call name resolve to one of a set of dotted names, with the usual
  module aliases (`name_in`)?

Everything here reads the tree only; nothing evaluates analysed code.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import tree_sitter as ts

from secreview.lang.python import NOT_CONSTANT, Call, PyFile
from secreview.rules.python._helpers import shorten

# Conversions whose result cannot carry attacker-chosen text.
NUMERIC_CONVERSIONS = frozenset({"int", "float", "bool", "len", "abs", "round", "ord", "hash", "id",
                                 "uuid.UUID", "decimal.Decimal", "math.floor", "math.ceil"})

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])")
_NUMERIC_SPECS = frozenset("diouxXeEfFgG")

KIND_PERCENT = "%-formatting"
KIND_FORMAT = "str.format()"
KIND_FSTRING = "an f-string"
KIND_CONCAT = "string concatenation"


def unwrap(node: ts.Node | None) -> ts.Node | None:
    """The expression inside any number of redundant parentheses."""
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def name_in(name: str | None, names: Iterable[str]) -> bool:
    return name is not None and name in names


def call_at(file: PyFile, node: ts.Node | None) -> Call | None:
    """The indexed `Call` for a `call` node."""
    node = unwrap(node)
    if node is None or node.type != "call":
        return None
    return _call_index(file).get((node.start_byte, node.end_byte))


_CALL_INDEX: weakref.WeakKeyDictionary[PyFile, dict[tuple[int, int], Call]] = weakref.WeakKeyDictionary()


def _call_index(file: PyFile) -> dict[tuple[int, int], Call]:
    index = _CALL_INDEX.get(file)
    if index is None:
        index = {(c.node.start_byte, c.node.end_byte): c for c in file.calls}
        _CALL_INDEX[file] = index
    return index


# -- where did a local name come from --------------------------------------------------------------

_WITH_ALIASES = "(with_item value: (as_pattern (call) @value alias: (as_pattern_target (identifier) @name)))"
_WITH_INDEX: weakref.WeakKeyDictionary[PyFile, dict[tuple[int, str], list[tuple[ts.Node, ts.Node]]]] = \
    weakref.WeakKeyDictionary()


def _with_bindings(file: PyFile) -> dict[tuple[int, str], list[tuple[ts.Node, ts.Node]]]:
    index = _WITH_INDEX.get(file)
    if index is None:
        index = {}
        found = file.captures(_WITH_ALIASES)
        values = sorted(found.get("value", []), key=lambda n: n.start_byte)
        names = sorted(found.get("name", []), key=lambda n: n.start_byte)
        for value, name in zip(values, names):
            scope = file.enclosing_scope(value)
            index.setdefault((scope.start_byte, file.text_of(name)), []).append((name, value))
        _WITH_INDEX[file] = index
    return index


def bound_values(file: PyFile, node: ts.Node) -> list[ts.Node]:
    """Right-hand sides bound to identifier `node` earlier in its scope, latest first.

    Plain assignments and ``with ... as name`` are followed (one level);
    augmented assignments are returned as the `augmented_assignment` node
    itself so callers can tell them apart.
    """
    name = file.text_of(node)
    scope = file.enclosing_scope(node)
    found: list[tuple[int, ts.Node]] = []
    for binding in file.assignments_of(name, scope):
        if binding.start_byte >= node.start_byte:
            continue
        if binding.type == "augmented_assignment":
            found.append((binding.start_byte, binding))
        else:
            right = binding.child_by_field_name("right")
            if right is not None:
                found.append((binding.start_byte, right))
    for alias, value in _with_bindings(file).get((scope.start_byte, name), []):
        if alias.start_byte < node.start_byte:
            found.append((alias.start_byte, value))
    return [value for _, value in sorted(found, key=lambda pair: pair[0], reverse=True)]


def origin_call(file: PyFile, node: ts.Node | None) -> Call | None:
    """The call that produced `node`: the node itself, or the latest local binding of a name."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "call":
        return call_at(file, node)
    if node.type == "identifier" and not file.is_parameter(file.text_of(node), file.enclosing_scope(node)):
        for value in bound_values(file, node):
            if value.type != "augmented_assignment":
                return call_at(file, value)
    return None


# -- strings built from non-constant parts ------------------------------------------------------------

@dataclass(frozen=True)
class BuiltString:
    """A string expression assembled from parts, at least one of them not constant."""

    kind: str  # KIND_* above
    node: ts.Node  # the expression that builds the string
    literal: str  # the constant text around the parts (to recognise SQL, LDAP filters, XPath)
    dynamic: tuple[ts.Node, ...]  # the non-constant parts
    variable: str | None = None  # the local name that carries it to the sink, if any

    def describe(self, file: PyFile) -> str:
        """E.g. "%-formatting of `name` (via local variable `query`, line 12)"."""
        parts = ", ".join(f"`{shorten(file.text_of(p), 40)}`" for p in self.dynamic[:3])
        text = f"{self.kind} with {parts}" if parts else self.kind
        if self.variable:
            text += f" (via local variable `{self.variable}`, line {self.node.start_point[0] + 1})"
        return text


Sanitizer = Callable[[PyFile, Call], bool]


def is_safe_part(file: PyFile, node: ts.Node | None, sanitizers: Iterable[str] = ()) -> bool:
    """True when `node` cannot carry attacker-chosen text into the built string.

    Constants, numeric conversions (``int(x)``), a constant separator joined over
    constant items (``", ".join(["%s"] * len(ids))``), and calls whose last name
    component is one of `sanitizers` (``escape_filter_chars(x)``).
    """
    node = unwrap(node)
    if node is None or file.is_constant(node):
        return True
    if node.type in ("integer", "float", "true", "false", "none"):
        return True
    if node.type == "conditional_expression":
        return all(is_safe_part(file, child, sanitizers) for child in node.named_children[::2])
    if node.type != "call":
        return False
    call = call_at(file, node)
    if call is None:
        return False
    last = (call.name or call.method or "").rsplit(".", 1)[-1]
    if name_in(call.name, NUMERIC_CONVERSIONS) or (call.receiver is None and last in NUMERIC_CONVERSIONS):
        return True
    if last in set(sanitizers):
        return True
    if call.method == "join" and call.receiver is not None and file.is_constant(call.receiver):
        return len(call.args) == 1 and _only_constant_items(file, call.args[0])
    return False


def _only_constant_items(file: PyFile, node: ts.Node) -> bool:
    """``["?"] * n``, ``("%s" for _ in ids)``, ``["%s" for _ in ids]`` or a constant list."""
    node = unwrap(node)
    if node is None:
        return False
    if file.is_constant(node):
        return True
    if node.type == "binary_operator" and file.text_of(node.child_by_field_name("operator")) == "*":
        return any(file.is_constant(unwrap(node.child_by_field_name(side))) for side in ("left", "right"))
    if node.type in ("generator_expression", "list_comprehension"):
        body = node.child_by_field_name("body")
        return body is not None and file.is_constant(body)
    return False


def _percent_specs_numeric(template: str) -> bool:
    specs = [m.group(1) for m in _PERCENT_SPEC.finditer(template) if m.group(1) != "%"]
    return bool(specs) and all(spec in _NUMERIC_SPECS for spec in specs)


def _format_parts(node: ts.Node) -> Iterator[ts.Node]:
    """The values substituted by ``template % node``."""
    node = unwrap(node)
    if node is None:
        return
    if node.type == "tuple":
        yield from node.named_children
    elif node.type == "dictionary":
        for pair in node.named_children:
            value = pair.child_by_field_name("value")
            yield value if value is not None else pair
    else:
        yield node


def _string_literal_text(file: PyFile, node: ts.Node) -> str:
    parts = node.named_children if node.type == "concatenated_string" else [node]
    return "".join(file.text_of(c) for p in parts for c in p.named_children if c.type == "string_content")


def _is_stringish(file: PyFile, node: ts.Node | None) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("string", "concatenated_string"):
        return True
    return isinstance(file.constant_value(node), str)


def _concat_operands(file: PyFile, node: ts.Node) -> list[ts.Node]:
    node = unwrap(node)
    if node is not None and node.type == "binary_operator" \
            and file.text_of(node.child_by_field_name("operator")) == "+":
        return _concat_operands(file, node.child_by_field_name("left")) + \
            _concat_operands(file, node.child_by_field_name("right"))
    return [node] if node is not None else []


def direct_built_string(file: PyFile, node: ts.Node | None, sanitizers: Iterable[str] = ()) -> BuiltString | None:
    """`node` itself builds a string from non-constant (and not sanitised) parts."""
    node = unwrap(node)
    if node is None:
        return None
    sanitizers = tuple(sanitizers)
    if node.type in ("string", "concatenated_string"):
        pieces = node.named_children if node.type == "concatenated_string" else [node]
        interpolations = [c for p in pieces for c in p.named_children if c.type == "interpolation"]
        if not interpolations:
            return None
        dynamic = tuple(e for e in (i.child_by_field_name("expression") for i in interpolations)
                        if e is not None and not is_safe_part(file, e, sanitizers))
        return BuiltString(KIND_FSTRING, node, _string_literal_text(file, node), dynamic) if dynamic else None
    if node.type == "binary_operator":
        operator = file.text_of(node.child_by_field_name("operator"))
        if operator == "%":
            template = file.constant_value(unwrap(node.child_by_field_name("left")))
            if not isinstance(template, str) or _percent_specs_numeric(template):
                return None
            dynamic = tuple(p for p in _format_parts(node.child_by_field_name("right"))
                            if not is_safe_part(file, p, sanitizers))
            return BuiltString(KIND_PERCENT, node, template, dynamic) if dynamic else None
        if operator == "+":
            operands = _concat_operands(file, node)
            literal, dynamic, stringish = [], [], False
            for operand in operands:
                value = file.constant_value(operand)
                if isinstance(value, str):
                    literal.append(value)
                    stringish = True
                    continue
                inner = direct_built_string(file, operand, sanitizers)
                if inner is not None:
                    literal.append(inner.literal)
                    dynamic.extend(inner.dynamic)
                    stringish = True
                elif _is_stringish(file, operand):
                    stringish = True
                    if operand.type in ("string", "concatenated_string"):
                        literal.append(_string_literal_text(file, operand))
                elif not is_safe_part(file, operand, sanitizers):
                    dynamic.append(operand)
            if stringish and dynamic:
                return BuiltString(KIND_CONCAT, node, " ".join(literal), tuple(dynamic))
        return None
    if node.type == "call":
        call = call_at(file, node)
        if call is None or call.method != "format" or call.receiver is None:
            return None
        template = file.constant_value(unwrap(call.receiver))
        if not isinstance(template, str):
            return None
        dynamic = tuple(v for v in (*call.args, *call.kwargs.values()) if not is_safe_part(file, v, sanitizers))
        if call.has_star_args and not dynamic:
            dynamic = (node,)
        return BuiltString(KIND_FORMAT, node, template, dynamic) if dynamic else None
    return None


def built_string(file: PyFile, node: ts.Node | None, sanitizers: Iterable[str] = ()) -> BuiltString | None:
    """`node` builds a string from non-constant parts, directly or via one local assignment.

    For a local name (not a parameter), the bindings earlier in the same scope
    are checked, latest first: ``q = "... %s" % x`` or ``q += " AND a = " + x``.
    """
    node = unwrap(node)
    direct = direct_built_string(file, node, sanitizers)
    if direct is not None or node is None or node.type != "identifier":
        return direct
    name = file.text_of(node)
    if file.is_parameter(name, file.enclosing_scope(node)):
        return None
    values = bound_values(file, node)
    for position, value in enumerate(values):
        if value.type == "augmented_assignment":
            if file.text_of(value.child_by_field_name("operator")) != "+=":
                continue
            right = value.child_by_field_name("right")
            found = direct_built_string(file, right, sanitizers)
            if found is None and not is_safe_part(file, right, sanitizers) and any(
                    _is_stringish(file, v) or direct_built_string(file, v, sanitizers)
                    for v in values[position + 1:] if v.type != "augmented_assignment"):
                found = BuiltString(KIND_CONCAT, value, "", (right,))
            if found is not None:
                return replace(found, variable=name)
            continue
        found = direct_built_string(file, value, sanitizers)
        if found is not None:
            return replace(found, variable=name)
    return None


# -- small shared predicates -----------------------------------------------------------------------------

def is_constant_file_read(file: PyFile, node: ts.Node | None) -> bool:
    """``open("version.py").read()`` (or via ``with open("x") as f: f.read()``): a file of our own."""
    node = unwrap(node)
    call = call_at(file, node)
    if call is None or call.method != "read" or call.receiver is None:
        return False
    opener = origin_call(file, call.receiver)
    return (opener is not None and opener.name in ("open", "io.open", "codecs.open")
            and file.is_constant(opener.arg(0, "file") or opener.arg(0, "filename")))


def defines_name(file: PyFile, name: str) -> bool:
    """The file itself defines a function or class called `name` (shadowing a builtin)."""
    query = "[(function_definition name: (identifier) @name) (class_definition name: (identifier) @name)]"
    return any(file.text_of(n) == name for n in file.nodes(query, "name"))


def constant_truthy(file: PyFile, node: ts.Node | None) -> bool | None:
    """True/False for a constant, None when unknown."""
    if node is None:
        return None
    value = file.constant_value(node)
    return None if value is NOT_CONSTANT else bool(value)


def argument_text(file: PyFile, node: ts.Node | None, limit: int = 80) -> str:
    return shorten(file.text_of(node), limit) if node is not None else ""
