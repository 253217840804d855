"""printf/scanf format strings: conversions and their worst-case output length."""

from __future__ import annotations

import re
from dataclasses import dataclass

# %[flags][width][.precision][length]conversion  (printf);  scanf uses %[*][width][length]conversion
_PRINTF = re.compile(r"%(?P<flags>[-+ #0']*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?"
                     r"(?P<length>hh|h|ll|l|L|q|j|z|t|I64|I32|I)?(?P<conversion>[diouxXeEfFgGaAcspnS%])")
_SCANF = re.compile(r"%(?P<suppress>\*)?(?P<width>\d+)?(?P<length>hh|h|ll|l|L|q|j|z|t|m|a)?"
                    r"(?P<conversion>\[\^?\]?[^\]]*\]|[diouxXeEfFgGaAcspnS%])")
# Longest text each numeric conversion can produce (64-bit values, sign included).
_NUMERIC_WIDTH = {"d": 20, "i": 20, "u": 20, "o": 22, "x": 16, "X": 16, "c": 1, "p": 18, "e": 24, "E": 24,
                  "g": 24, "G": 24, "a": 24, "A": 24, "f": 317, "F": 317}


@dataclass(frozen=True)
class Conversion:
    text: str
    conversion: str
    width: str | None
    precision: str | None
    argument_index: int | None  # index among the variadic arguments, None for %%

    @property
    def is_string(self) -> bool:
        return self.conversion in ("s", "S") or self.conversion.startswith("[")


def printf_conversions(fmt: str) -> list[Conversion]:
    found, index = [], 0
    for match in _PRINTF.finditer(fmt):
        conversion = match.group("conversion")
        if conversion == "%":
            found.append(Conversion(match.group(0), "%", None, None, None))
            continue
        index += (match.group("width") == "*") + (match.group("precision") == "*")
        found.append(Conversion(match.group(0), conversion, match.group("width"), match.group("precision"), index))
        index += 1
    return found


def scanf_conversions(fmt: str) -> list[Conversion]:
    found, index = [], 0
    for match in _SCANF.finditer(fmt):
        conversion = match.group("conversion")
        if conversion == "%":
            continue
        suppressed = match.group("suppress") is not None
        found.append(Conversion(match.group(0), conversion, match.group("width"), None,
                                None if suppressed else index))
        index += 0 if suppressed else 1
    return found


def literal_length(fmt: str) -> int:
    """Characters the format writes by itself (its conversions removed, `%%` counted as one)."""
    return len(_PRINTF.sub("", fmt)) + fmt.count("%%")


def numeric_width(conversion: Conversion) -> int | None:
    """Longest output of a non-string conversion (width and precision taken into account)."""
    base = _NUMERIC_WIDTH.get(conversion.conversion)
    if base is None:
        return None
    for part in (conversion.width, conversion.precision):
        if part == "*":
            return None
    width = int(conversion.width) if conversion.width else 0
    precision = int(conversion.precision) if conversion.precision else 0
    return max(base + precision, width)
