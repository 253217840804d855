"""Length packed into a field too narrow to hold it, without a range check.

## What it does
Flags a length (`len(data)`, or a name bound to it) written into a binary
field narrower than 8 bytes with no range check in the function:

- `struct.pack()` / `struct.pack_into()` / `struct.Struct(fmt).pack()` with
  the length at the position of a `b`/`B` (1 byte), `h`/`H` (2 bytes) or
  `i`/`I` (and `l`/`L` with a standard-size prefix, 4 bytes) code;
- `len(data).to_bytes(1 | 2 | 4, ...)`.

A comparison mentioning the length or the data earlier in the function, a
`min()`/`max()`, a `try` that catches `struct.error`/`OverflowError`, data
sliced to a constant size that fits, or data of fixed size (a digest, a
constant) rules it out. One- and two-byte fields are reported at medium
confidence, four-byte fields (4 GiB) at low.

## Why is this bad?
A length field caps how much data the format can describe. When the data
is longer (a long name, a large upload, a message an attacker makes long on
purpose) `struct.pack` raises `struct.error` and `to_bytes` raises
`OverflowError`, crashing the writer; code that masks the length instead
(`& 0xFFFF`, a C structure) silently wraps it, so the reader takes the rest
of the payload as the next message: framing corruption and message
smuggling between the two ends of the protocol.

## Example
```python
import struct

def frame(payload):
    return struct.pack("!BH", 1, len(payload)) + payload
```

## Use instead
```python
import struct

MAX_PAYLOAD = 0xFFFF

def frame(payload):
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("payload too large for one frame")
    return struct.pack("!BH", 1, len(payload)) + payload
```

## References
- https://cwe.mitre.org/data/definitions/190.html
- https://docs.python.org/3/library/struct.html#format-characters
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.expressions import mentions
from secreview.lang.python.file import Call, NOT_CONSTANT, PyFile
from secreview.lang.python.flow import conditions_enclosing
from secreview.lang.python.scopes import function_of
from secreview.lang.python.syntax import normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_CODE = re.compile(r"(\d*)([xcbB?hHiIlLqQnNefdspP])")
_WIDTHS = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 4, "L": 4}
_SIGNED = frozenset("bhil")
_HANDLED = ("error", "struct.error", "OverflowError", "ValueError")
_FIXED_SIZE_METHODS = frozenset({"digest", "pack", "to_bytes", "urandom", "token_bytes", "sha256", "md5"})


def field_widths(fmt: str) -> list[int | None]:
    """Byte width of the field each value fills (None for wide or non-integer fields)."""
    standard = bool(fmt) and fmt[0] in "<>!="
    if fmt and fmt[0] in "@=<>!":
        fmt = fmt[1:]
    widths: list[int | None] = []
    for count, code in _CODE.findall(fmt.replace(" ", "")):
        repeat = int(count) if count else 1
        if code == "x":
            continue
        if code in "sp":
            widths.append(None)
            continue
        width = _WIDTHS.get(code)
        if code in "lL" and not standard:
            width = None  # native long: 8 bytes on LP64
        widths.extend([width] * repeat)
    return widths


class LengthPackedIntoFixedWidthField(Rule):
    id = "length-packed-into-fixed-width-field"
    cwe = 190
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Length written into a {bits}-bit field without a range check: {code}"
    description = (
        "`{code}` writes `{length}` into a {bits}-bit {kind} field, which holds at most {limit}, and nothing in "
        "the function checks that `{subject}` is shorter. Longer data (a long name, a large upload, or a "
        "message an attacker makes long on purpose) makes the call raise and abort the writer, or, where the "
        "value is masked or cast instead, wraps the length so the reader takes the rest of the payload as the "
        "next message (framing corruption, message smuggling)."
    )
    solution = (
        "Check the length against the field's limit before packing (`if len({subject}) > {limit}: raise "
        "ValueError(...)`), split the data into several frames, or use a wider field (`Q`/`I`, "
        "`to_bytes(8, ...)`) if the protocol allows it."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "pack" not in file.text and "to_bytes" not in file.text:
            return
        for call in file.calls_to("struct.pack", "struct.pack_into"):
            fmt = call.arg(0, "format")
            values = list(call.args[1:] if call.name == "struct.pack" else call.args[3:])
            yield from self._judge(file, call, fmt, values)
        for call in file.method_calls("pack", "pack_into"):
            if call.name in ("struct.pack", "struct.pack_into") or call.receiver is None:
                continue
            fmt = _struct_format(file, call.receiver)
            if fmt is not None:
                values = list(call.args if call.method == "pack" else call.args[2:])
                yield from self._judge(file, call, fmt, values)
        for call in file.method_calls("to_bytes"):
            size = file.constant_value(call.arg(0, "length"))
            if not isinstance(size, int) or size not in (1, 2, 3, 4) or call.receiver is None:
                continue
            signed = file.constant_value(call.kwargs.get("signed")) is True
            hit = self._length_hit(file, call, call.receiver, size, signed)
            if hit is not None:
                yield hit

    def _judge(self, file: PyFile, call: Call, fmt_node: ts.Node | None, values: list[ts.Node]) -> Iterator[Hit]:
        fmt = file.constant_value(fmt_node) if fmt_node is not None else None
        if isinstance(fmt, bytes):
            fmt = fmt.decode("ascii", "replace")
        if not isinstance(fmt, str) or call.has_star_args:
            return
        stripped = fmt.lstrip("@=<>!")
        signedness = [code for count, code in _CODE.findall(stripped.replace(" ", "")) if code != "x"
                      for _ in range(1 if code in "sp" else int(count or 1))]
        for value, width, code in zip(values, field_widths(fmt), signedness):
            if width is None:
                continue
            hit = self._length_hit(file, call, value, width, code in _SIGNED)
            if hit is not None:
                yield hit
                return

    def _length_hit(self, file: PyFile, call: Call, value: ts.Node, width: int, signed: bool) -> Hit | None:
        subject = _length_of(file, value)
        if subject is None:
            return None
        bits = width * 8 - (1 if signed else 0)
        limit = 2 ** bits - 1
        if _bounded(file, subject, limit) or self._checked(file, call, value, subject):
            return None
        confidence = Confidence.LOW if width >= 4 else None
        return Hit(call.node, {"bits": str(width * 8), "length": shorten(file.text_of(value), 40),
                               "subject": shorten(file.text_of(subject), 40), "limit": f"{limit:,}",
                               "kind": "signed" if signed else "unsigned"},
                   confidence=confidence)

    @staticmethod
    def _checked(file: PyFile, call: Call, value: ts.Node, subject: ts.Node) -> bool:
        names = {normalise(file.text_of(subject)), normalise(file.text_of(value))}
        if caught_by(file, call.node, _HANDLED):
            return True
        for condition, _ in conditions_enclosing(file, call.node):
            if any(mentions(file, condition, n) for n in names):
                return True
        scope = function_of(file, call.node) or file.root
        for node in file.nodes_of_type("comparison_operator", "assert_statement", within=scope):
            if node.start_byte < call.node.start_byte and any(mentions(file, node, n) for n in names):
                return True
        for other in file.calls_to("min", "max"):
            if scope.start_byte <= other.node.start_byte < call.node.start_byte \
                    and any(mentions(file, other.node, n) for n in names):
                return True
        return False


def _length_of(file: PyFile, value: ts.Node | None, _depth: int = 0) -> ts.Node | None:
    """The measured expression when `value` is `len(x)` (or `len(x) + k`, or a name bound to it)."""
    value = unwrap(value)
    if value is None or _depth > 2:
        return None
    if value.type == "call":
        call = file.call_at(value)
        if call.name == "len" and len(call.args) == 1:
            return unwrap(call.args[0])
        return None
    if value.type == "binary_operator" and file.text_of(value.child_by_field_name("operator")) == "+":
        return _length_of(file, value.child_by_field_name("left"), _depth + 1) or \
            _length_of(file, value.child_by_field_name("right"), _depth + 1)
    if value.type == "identifier":
        bindings = file.reaching_bindings(value)
        if len(bindings) == 1:
            return _length_of(file, file.bound_value(*bindings[0]), _depth + 1)
    return None


def _bounded(file: PyFile, subject: ts.Node, limit: int, _depth: int = 0) -> bool:
    """The data cannot be longer than `limit`: a constant, a fixed-size digest, or a slice that fits."""
    subject = unwrap(subject)
    if subject is None or _depth > 2:
        return True
    value = file.constant_value(subject)
    if value is not NOT_CONSTANT:
        return not hasattr(value, "__len__") or len(value) <= limit
    if subject.type == "subscript":
        index = subject.child_by_field_name("subscript")
        if index is not None and index.type == "slice":
            parts = [c for c in index.children]
            colon = next((i for i, c in enumerate(parts) if c.type == ":"), None)
            end = parts[colon + 1] if colon is not None and colon + 1 < len(parts) and parts[colon + 1].is_named else None
            start = parts[0] if parts and parts[0].is_named and colon != 0 else None
            end_value = file.constant_value(end) if end is not None else NOT_CONSTANT
            start_value = file.constant_value(start) if start is not None else 0
            if isinstance(end_value, int) and end_value >= 0 and isinstance(start_value, int) \
                    and end_value - start_value <= limit:
                return True
        return False
    if subject.type == "call":
        call = file.call_at(subject)
        if call.method in _FIXED_SIZE_METHODS:
            return True
        if call.method in ("encode", "decode") and call.receiver is not None:
            return _bounded(file, call.receiver, limit // 4, _depth + 1)
        return False
    if subject.type == "identifier":
        bindings = file.reaching_bindings(subject)
        values = [file.bound_value(b, i) for b, i in bindings]
        return bool(values) and all(v is not None and _bounded(file, v, limit, _depth + 1) for v in values)
    return False


def _struct_format(file: PyFile, receiver: ts.Node) -> ts.Node | None:
    """The format of `struct.Struct(fmt)` the receiver is (or is bound to)."""
    receiver = unwrap(receiver)
    if receiver is None:
        return None
    if receiver.type == "call":
        call = file.call_at(receiver)
        return call.arg(0, "format") if call.name == "struct.Struct" else None
    if receiver.type == "identifier":
        bindings = file.reaching_bindings(receiver)
        if len(bindings) == 1:
            bound = file.bound_value(*bindings[0])
            if bound is not None and bound.type == "call":
                return _struct_format(file, bound)
    return None
