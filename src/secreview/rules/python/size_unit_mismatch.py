"""Sizes in different units (bytes, KiB, MiB, GiB) mixed without a conversion.

## What it does
Flags comparisons (`<`, `>=`, `==`...), additions and subtractions,
`min()`/`max()`, assignments and keyword arguments that combine two sizes
whose units differ, with no conversion in between. Units are read from
names (`root_gb`, `size_mb`, `max_kib`, `free_bytes`, `flavor["root_gb"]`,
`image.get("size_bytes")`) and from APIs that return bytes
(`os.path.getsize()`, `st_size`, `len(data)`, `f.tell()`). Operands that
are themselves computed (`size_gb * units.Gi`, `n << 30`, `gb_to_bytes(x)`)
carry no unit and are never reported; names that describe a ratio
(`bytes_per_gb`) are ignored.

## Why is this bad?
Comparing bytes with gigabytes is off by a factor of 2^30: a quota or
flavor-size check such as `if image_size > flavor.root_gb:` accepts images a
billion times larger than allowed (or rejects everything), so a user fills
the host's disk, bypasses a quota, or makes the service allocate a volume
of the wrong size and corrupt data when it is written past the end.

## Example
```python
import os

def check_image_fits(image_path, flavor):
    image_bytes = os.path.getsize(image_path)
    if image_bytes > flavor.root_gb:
        raise ValueError("image larger than the flavor's disk")
```

## Use instead
```python
import os

GiB = 1024 ** 3

def check_image_fits(image_path, flavor):
    image_bytes = os.path.getsize(image_path)
    if image_bytes > flavor.root_gb * GiB:
        raise ValueError("image larger than the flavor's disk")
```

## References
- https://cwe.mitre.org/data/definitions/682.html
- https://docs.openstack.org/oslo.utils/latest/reference/units.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.expressions import leaf_name
from secreview.lang.python.file import PyFile
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.knowledge.vocabulary import words

_UNIT_WORDS = {
    "bytes": "bytes", "byte": "bytes", "nbytes": "bytes", "octets": "bytes",
    "kb": "KiB", "kib": "KiB", "kilobytes": "KiB", "kbytes": "KiB",
    "mb": "MiB", "mib": "MiB", "megabytes": "MiB", "mbytes": "MiB", "megs": "MiB",
    "gb": "GiB", "gib": "GiB", "gigabytes": "GiB", "gbytes": "GiB", "gigs": "GiB",
    "tib": "TiB", "terabytes": "TiB",
}
_PREFIXES = {"k": "KiB", "kilo": "KiB", "m": "MiB", "mega": "MiB", "g": "GiB", "giga": "GiB", "t": "TiB",
             "tera": "TiB"}
_NOT_A_QUANTITY = frozenset({"per", "to", "ratio", "factor", "unit", "units", "multiplier", "divisor", "scale",
                             "rate", "ps", "bps", "speed", "throughput", "bandwidth", "percent", "pct", "count", "num",
                             "str", "string", "text", "label", "name", "fmt", "format", "suffix", "msg", "index",
                             "idx", "key", "field", "col", "column", "attr"})
_BYTE_CALLS = frozenset({"os.path.getsize", "os.path.getsize", "sys.getsizeof"})
_UNIT_HINT = re.compile(r"gb|mb|kb|gib|mib|kib|tib|giga|mega|kilo|tera")
_COMPARISONS = frozenset({"<", ">", "<=", ">=", "==", "!="})
_FACTORS = {"bytes": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}


class SizeUnitMismatch(Rule):
    id = "size-unit-mismatch"
    cwe = 682
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Size in {left_unit} mixed with a size in {right_unit}: {code}"
    description = (
        "`{code}` {verb} `{left}` (in {left_unit}) and `{right}` (in {right_unit}) without converting either, so "
        "the result is off by a factor of {factor}. A size or quota check built this way lets data {direction} "
        "than intended through (filling the disk, bypassing a quota, or allocating a volume of the wrong size "
        "that is then written past its end)."
    )
    solution = (
        "Convert one side to the other's unit in the same expression (`{right} * units.{unit_name}` / "
        "`<< {shift}` or `// ...`), and keep the unit in every variable name so the mismatch shows."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        text = file.text.lower()
        if not any(word in text for word in ("gb", "mb", "kb", "gib", "mib", "kib", "tb", "bytes", "gigabytes")):
            return
        for node in file.nodes_of_type("comparison_operator"):
            operators = [file.text_of(c) for c in node.children if not c.is_named]
            operands = node.named_children
            if len(operands) == 2 and len(operators) == 1 and operators[0] in _COMPARISONS:
                yield from self._pair(file, node, operands[0], operands[1], "compares")
        for node in file.binary_operators("+", "-"):
            yield from self._pair(file, node, node.child_by_field_name("left"), node.child_by_field_name("right"),
                                  "adds or subtracts")
        for node in file.nodes_of_type("augmented_assignment"):
            if file.text_of(node.child_by_field_name("operator")) in ("+=", "-="):
                yield from self._pair(file, node, node.child_by_field_name("left"), node.child_by_field_name("right"),
                                      "adds or subtracts")
        for node in file.nodes_of_type("assignment"):
            yield from self._pair(file, node, node.child_by_field_name("left"), node.child_by_field_name("right"),
                                  "stores", explicit_only=True)
        for node in file.nodes_of_type("keyword_argument"):
            name = node.child_by_field_name("name")
            yield from self._pair(file, node, name, node.child_by_field_name("value"), "passes", explicit_only=True)
        for call in file.calls_to("min", "max"):
            if len(call.args) == 2:
                yield from self._pair(file, call.node, call.args[0], call.args[1], f"takes the {call.name} of")

    def _pair(self, file: PyFile, node: ts.Node, left: ts.Node | None, right: ts.Node | None, verb: str,
              explicit_only: bool = False) -> Iterator[Hit]:
        if left is None or right is None:
            return
        texts = (file.text_of(left) + " " + file.text_of(right)).lower()
        if not _UNIT_HINT.search(texts):
            return  # at least one side must name a unit other than bytes
        left_unit, left_explicit = _unit(file, left)
        right_unit, right_explicit = _unit(file, right)
        if left_unit is None or right_unit is None or left_unit == right_unit:
            return
        if explicit_only and not (left_explicit and right_explicit) and not (left_explicit and right_unit == "bytes"):
            return
        big, small = (left_unit, right_unit) if _FACTORS[left_unit] > _FACTORS[right_unit] else (right_unit, left_unit)
        shift = _FACTORS[big] - _FACTORS[small]
        direction = "larger" if verb == "compares" else "of the wrong size"
        code = shorten(file.text_of(node), 80)
        confidence = None if left_explicit and right_explicit else Confidence.MEDIUM
        yield Hit(node, {"code": code, "verb": verb, "left": shorten(file.text_of(left), 40),
                         "right": shorten(file.text_of(right), 40), "left_unit": left_unit,
                         "right_unit": right_unit, "factor": f"2^{shift} ({2 ** shift:,})", "direction": direction,
                         "unit_name": {10: "Ki", 20: "Mi", 30: "Gi", 40: "Ti"}.get(shift, "Gi"), "shift": str(shift)},
                  confidence=confidence)


def _unit(file: PyFile, node: ts.Node | None) -> tuple[str | None, bool]:
    """(unit, explicit): the unit an operand's name states, or "bytes" for byte-returning APIs."""
    node = unwrap(node)
    if node is None:
        return None, False
    if node.type == "call":
        call = file.call_at(node)
        if call.name in _BYTE_CALLS or call.method == "tell" and not call.args:
            return "bytes", False
        if call.name == "len" and len(call.args) == 1:
            return "bytes", False
        if call.method == "get" and call.args:
            key = file.string_literal_text(call.args[0])
            return (_name_unit(key), True) if key else (None, False)
        return None, False
    if node.type == "attribute" and file.text_of(node.child_by_field_name("attribute")) == "st_size":
        return "bytes", False
    name = leaf_name(file, node)
    if name is None:
        return None, False
    unit = _name_unit(name)
    return (unit, True) if unit else (None, False)


def _name_unit(name: str) -> str | None:
    parts = words(name)
    if not parts or any(p in _NOT_A_QUANTITY for p in parts):
        return None
    units = set()
    for index, part in enumerate(parts):
        if part in ("bytes", "byte") and index > 0 and parts[index - 1] in _PREFIXES:  # MBytes, kiloBytes
            units.add(_PREFIXES[parts[index - 1]])
        elif part in _UNIT_WORDS and not (part in _PREFIXES):
            units.add(_UNIT_WORDS[part])
    if len(units) != 1:
        return None
    unit = units.pop()
    if unit == "bytes" and parts[0] in ("bytes", "byte") and len(parts) == 1:
        return None  # a variable called `bytes` is usually data, not a count
    return unit
