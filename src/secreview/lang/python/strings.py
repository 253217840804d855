"""Strings: constant strings, and strings built from parts that are not constant.

The injection rules ask the same question about an argument: is it a string
*built* from non-constant parts (``%``-formatting, ``str.format()``, an
f-string, ``+`` concatenation, ``"".join([...])`` of a literal list), either
right in the call or through a local variable assigned such an expression
earlier in the same function (`built_string`)?  Parts that cannot carry text
(``int(x)``, ``%d``, placeholder lists) or that went through a rule's own
escaping function do not count (`is_safe_part`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import call_of, local_bindings
from secreview.lang.python.syntax import unwrap
from secreview.lang import shorten

# Conversions whose result cannot carry attacker-chosen text.
_NUMERIC_CONVERSIONS = frozenset({"int", "float", "bool", "len", "abs", "round", "ord", "hash", "id",
                                 "uuid.UUID", "decimal.Decimal", "math.floor", "math.ceil"})

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])")
_NUMERIC_SPECS = frozenset("diouxXeEfFgG")

_KIND_PERCENT = "%-formatting"
_KIND_FORMAT = "str.format()"
_KIND_FSTRING = "an f-string"
_KIND_CONCAT = "string concatenation"
_KIND_JOIN = "str.join() of a literal list"


def constant_string(file: PyFile, node: ts.Node | None) -> str | None:
    """The value of a constant string expression, else None."""
    value = file.constant_value(node)
    return value if isinstance(value, str) else None


def argument_text(file: PyFile, node: ts.Node | None, limit: int = 80) -> str:
    """An argument as written, on one line and shortened; "" when there is none."""
    return shorten(file.text_of(node), limit) if node is not None else ""


# -- strings built from non-constant parts ------------------------------------------------------------

@dataclass(frozen=True)
class BuiltString:
    """A string expression assembled from parts, at least one of them not constant."""

    kind: str  # _KIND_* above: how it is built
    node: ts.Node  # the expression that builds the string
    literal: str  # the constant text around the parts (to recognise SQL, LDAP filters, XPath)
    dynamic: tuple[ts.Node, ...]  # the non-constant parts
    variable: str | None = None  # the local name that carries it to the sink, if any

    def only_configuration(self, file: PyFile) -> bool:
        """Every non-constant part looks like configuration rather than input.

        `self.table`, `cls.attr`, `settings.TABLE_NAME`, `PREFIX`: values set by
        the program or its operator, seldom by a remote user.  Rules report
        such strings at lower confidence.
        """
        return bool(self.dynamic) and all(_configuration_like(file, part) for part in self.dynamic)

    def describe(self, file: PyFile) -> str:
        """E.g. "%-formatting of `name` (via local variable `query`, line 12)"."""
        parts = ", ".join(f"`{shorten(file.text_of(p), 40)}`" for p in self.dynamic[:3])
        text = f"{self.kind} with {parts}" if parts else self.kind
        if self.variable:
            text += f" (via local variable `{self.variable}`, line {self.node.start_point[0] + 1})"
        return text


def _configuration_like(file: PyFile, node: ts.Node) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "attribute":
        last = file.text_of(node.child_by_field_name("attribute"))
        root = node
        while root is not None and root.type == "attribute":
            root = root.child_by_field_name("object")
        if root is not None and root.type == "identifier" and file.text_of(root) in ("self", "cls"):
            return True
        return _all_caps(last)
    if node.type == "identifier":
        return _all_caps(file.text_of(node))
    return False


def _all_caps(name: str) -> bool:
    return len(name) > 1 and name.upper() == name and any(c.isalpha() for c in name)


def is_safe_part(file: PyFile, node: ts.Node | None, sanitizers: Iterable[str] = (), _depth: int = 0) -> bool:
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
        return all(is_safe_part(file, child, sanitizers, _depth) for child in node.named_children[::2])
    if node.type == "identifier" and _depth < 2:
        # marks = ", ".join(["%s"] * len(ids)); ids_sql = int(x): follow one local assignment
        if file.is_parameter(file.text_of(node), file.enclosing_scope(node)):
            return False
        bindings = local_bindings(file, node)
        return bool(bindings) and all(b.value is not None and not b.augmented
                                      and is_safe_part(file, b.value, sanitizers, _depth + 1) for b in bindings)
    if node.type != "call":
        return False
    call = call_of(file, node)
    if call is None:
        return False
    last = (call.name or call.method or "").rsplit(".", 1)[-1]
    if call.name in _NUMERIC_CONVERSIONS or (call.receiver is None and last in _NUMERIC_CONVERSIONS):
        return True
    if last in set(sanitizers):
        return True
    if call.name == "str" and len(call.args) == 1 and not call.kwargs:  # str(int(x))
        return is_safe_part(file, call.args[0], sanitizers, _depth)
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


def _direct_built_string(file: PyFile, node: ts.Node | None, sanitizers: Iterable[str] = ()) -> BuiltString | None:
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
        return BuiltString(_KIND_FSTRING, node, _string_literal_text(file, node), dynamic) if dynamic else None
    if node.type == "binary_operator":
        operator = file.text_of(node.child_by_field_name("operator"))
        if operator == "%":
            template = file.constant_value(unwrap(node.child_by_field_name("left")))
            if not isinstance(template, str) or _percent_specs_numeric(template):
                return None
            dynamic = tuple(p for p in _format_parts(node.child_by_field_name("right"))
                            if not is_safe_part(file, p, sanitizers))
            return BuiltString(_KIND_PERCENT, node, template, dynamic) if dynamic else None
        if operator == "+":
            operands = _concat_operands(file, node)
            literal, dynamic, stringish = [], [], False
            for operand in operands:
                value = file.constant_value(operand)
                if isinstance(value, str):
                    literal.append(value)
                    stringish = True
                    continue
                inner = _direct_built_string(file, operand, sanitizers)
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
                return BuiltString(_KIND_CONCAT, node, " ".join(literal), tuple(dynamic))
        return None
    if node.type == "call":
        call = call_of(file, node)
        if call is not None and call.method == "join" and call.receiver is not None:
            return _joined(file, node, call, sanitizers)
        if call is None or call.method != "format" or call.receiver is None:
            return None
        template = file.constant_value(unwrap(call.receiver))
        if not isinstance(template, str):
            return None
        dynamic = tuple(v for v in (*call.args, *call.kwargs.values()) if not is_safe_part(file, v, sanitizers))
        if call.has_star_args and not dynamic:
            dynamic = (node,)
        return BuiltString(_KIND_FORMAT, node, template, dynamic) if dynamic else None
    return None


def _joined(file: PyFile, node: ts.Node, call: Call, sanitizers: tuple[str, ...]) -> BuiltString | None:
    """``"".join(["WHERE a = '", value, "'"])``: a literal list mixing text and values."""
    separator = file.constant_value(unwrap(call.receiver))
    items = unwrap(call.args[0]) if len(call.args) == 1 else None
    if not isinstance(separator, str) or items is None or items.type not in ("list", "tuple"):
        return None
    literal = [v for v in (file.constant_value(i) for i in items.named_children) if isinstance(v, str)]
    if not literal:
        return None  # no text of its own: cannot tell it is building a statement
    dynamic = tuple(i for i in items.named_children if not is_safe_part(file, i, sanitizers))
    return BuiltString(_KIND_JOIN, node, separator.join(literal), dynamic) if dynamic else None


def built_string(file: PyFile, node: ts.Node | None, sanitizers: Iterable[str] = ()) -> BuiltString | None:
    """`node` builds a string from non-constant parts, directly or via one local assignment.

    For a local name (not a parameter), the bindings earlier in the same scope
    are checked, latest first: ``q = "... %s" % x`` or ``q += " AND a = " + x``.
    """
    node = unwrap(node)
    direct = _direct_built_string(file, node, sanitizers)
    if direct is not None or node is None or node.type != "identifier":
        return direct
    name = file.text_of(node)
    if file.is_parameter(name, file.enclosing_scope(node)):
        return None
    bindings = local_bindings(file, node)
    for position, binding in enumerate(bindings):
        if binding.value is None:
            return None  # rebound in a way we do not follow (unpacking, loop variable)
        if binding.augmented:
            if file.text_of(binding.statement.child_by_field_name("operator")) != "+=":
                continue
            found = _direct_built_string(file, binding.value, sanitizers)
            if found is None and not is_safe_part(file, binding.value, sanitizers) and any(
                    _is_stringish(file, b.value) or _direct_built_string(file, b.value, sanitizers)
                    for b in bindings[position + 1:] if not b.augmented):
                found = BuiltString(_KIND_CONCAT, binding.statement, "", (binding.value,))
        else:
            found = _direct_built_string(file, binding.value, sanitizers)
        if found is not None:
            return replace(found, variable=name)
    return None
