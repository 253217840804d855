"""C integer types for the value-flow engine: width, signedness, promotions and what wrapping does.

`integer_type("unsigned short")` is the type a declaration names (LP64
sizes; None for what is not a known integer type: floating point, structs,
typedefs of this project).  `promoted` and `common` are C's integer
promotions and usual arithmetic conversions; `fits` and `wrapped` say what
a value range becomes once stored in a type: the same range when it fits,
the single wrapped value for a constant that does not, nothing known
otherwise.  Interval arithmetic for the operators whose result is bounded
whatever their operands (`%`, `&`, shifts, division) is in `bounded`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, unwrap
from secreview.valueflow.lattice import Interval


@dataclass(frozen=True)
class IntType:
    bits: int
    signed: bool

    @property
    def low(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def high(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def range(self) -> Interval:
        return Interval(self.low, self.high)

    def fits(self, interval: Interval) -> bool:
        return interval.low is not None and interval.high is not None \
            and self.low <= interval.low and interval.high <= self.high

    def wrap(self, value: int) -> int:
        """`value` stored in this type (two's complement, as every target of interest does)."""
        value &= (1 << self.bits) - 1
        return value - (1 << self.bits) if self.signed and value > self.high else value


INT = IntType(32, True)
_QUALIFIERS = re.compile(r"\b(?:const|volatile|static|register|extern|inline|restrict|__restrict|_Atomic)\b")
# Spellings of the standard types after qualifiers are removed and `int` dropped from `long int`.
_NAMED = {
    "char": IntType(8, True), "signed char": IntType(8, True), "unsigned char": IntType(8, False),
    "short": IntType(16, True), "signed short": IntType(16, True), "unsigned short": IntType(16, False),
    "int": INT, "signed": INT, "unsigned": IntType(32, False),
    "long": IntType(64, True), "signed long": IntType(64, True), "unsigned long": IntType(64, False),
    "long long": IntType(64, True), "signed long long": IntType(64, True),
    "unsigned long long": IntType(64, False),
    "size_t": IntType(64, False), "ssize_t": IntType(64, True), "ptrdiff_t": IntType(64, True),
    "intptr_t": IntType(64, True), "uintptr_t": IntType(64, False), "off_t": IntType(64, True),
    "intmax_t": IntType(64, True), "uintmax_t": IntType(64, False),
}
_FIXED_WIDTH = re.compile(r"(u?)int(8|16|32|64)_t")


@functools.lru_cache(maxsize=1024)
def integer_type(type_text: str) -> IntType | None:
    """The integer type a declaration's base type names, None when it is not one this knows."""
    words = _QUALIFIERS.sub(" ", type_text).split()
    if len(words) > 1 and "int" in words:
        words.remove("int")  # `long int`, `unsigned int`, `short int`
    if len(words) > 1 and words[0] in ("long", "short") and words[1] in ("unsigned", "signed"):
        words[0], words[1] = words[1], words[0]  # `long unsigned` is `unsigned long`
    text = " ".join(words)
    if text in _NAMED:
        return _NAMED[text]
    fixed = _FIXED_WIDTH.fullmatch(text)
    return IntType(int(fixed.group(2)), not fixed.group(1)) if fixed else None


def promoted(kind: IntType) -> IntType:
    """Integer promotion: what is narrower than int computes as int."""
    return INT if kind.bits < INT.bits else kind


def common(left: IntType, right: IntType) -> IntType:
    """The usual arithmetic conversions for two integer operands."""
    left, right = promoted(left), promoted(right)
    if left == right:
        return left
    if left.signed == right.signed:
        return left if left.bits > right.bits else right
    unsigned, signed = (left, right) if not left.signed else (right, left)
    if unsigned.bits >= signed.bits:
        return unsigned
    return signed  # a wider signed type holds every value of the narrower unsigned one


def stored(interval: Interval, kind: IntType) -> Interval | None:
    """The values `interval` takes once converted to `kind`: itself when it fits, the wrapped value of
    a constant, else None (any value of the type)."""
    if kind.fits(interval):
        return interval
    if interval.low is not None and interval.low == interval.high:
        return Interval.exactly(kind.wrap(interval.low))
    return None


def bounded(operator: str, left: Interval | None, right: Interval | None, kind: IntType | None) -> Interval | None:
    """`left operator right` for `%`, `//`, `&`, `>>`, `<<` (and `|`, `^` of constants); an unknown operand
    is None. The result
    holds for every value the operands may take (None: not computed)."""
    if operator in (">>", "<<") and left is not None and left.low == left.high == 0:
        return left  # zero shifted stays zero, whatever the amount
    if left is not None and right is not None and left.low is not None and left.low == left.high \
            and right.low is not None and right.low == right.high:
        return _exactly(operator, left.low, right.low)
    if right is None or right.low is None or right.high is None:
        return None
    if operator == "%":
        return _remainder(left, right, kind)
    if operator == "&" and right.low >= 0:
        high = right.high if left is None or left.high is None or left.low is None or left.low < 0 \
            else min(left.high, right.high)
        return Interval(0, high)
    if left is None or left.low is None or left.high is None:
        return None
    if operator == "//" and (right.low > 0 or right.high < 0):
        quotients = [_truncated(a, b) for a in (left.low, left.high) for b in (right.low, right.high)]
        return Interval(min(quotients), max(quotients))
    if operator in (">>", "<<") and left.low >= 0 and right.low >= 0 and right.high < 64:
        if operator == ">>":
            return Interval(left.low >> right.high, left.high >> right.low)
        return Interval(left.low << right.low, left.high << right.high)
    return None


def _exactly(operator: str, left: int, right: int) -> Interval | None:
    """Two constants: the operation's exact result (None where C leaves it undefined)."""
    if operator in ("&", "|", "^"):
        return Interval.exactly(left & right if operator == "&" else left | right if operator == "|" else left ^ right)
    if operator in (">>", "<<") and left >= 0 and 0 <= right < 64:
        return Interval.exactly(left >> right if operator == ">>" else left << right)
    if operator in ("%", "//") and right != 0:
        quotient = _truncated(left, right)
        return Interval.exactly(quotient if operator == "//" else left - quotient * right)
    return None


def _remainder(left: Interval | None, right: Interval, kind: IntType | None) -> Interval | None:
    """C's `%` truncates: the result has the sign of the left operand and is smaller than the divisor."""
    largest = max(abs(right.low), abs(right.high)) - 1  # type: ignore[arg-type]
    if largest < 0 or right.low == right.high == 0:
        return None
    if left is not None and left.low is not None and left.high is not None and left.low >= 0:
        return Interval(0, min(left.high, largest))
    if (left is not None and left.low is not None and left.low >= 0) or (kind is not None and not kind.signed):
        return Interval(0, largest)  # an unsigned computation has no negative operand
    if left is not None and left.high is not None and left.high <= 0:
        return Interval(-largest, 0)
    return Interval(-largest, largest)


def _truncated(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


_LITERAL_SUFFIX = re.compile(r"[uUlL]+$")


def literal_type(text: str, value: int) -> IntType:
    """The type of an integer literal: its suffix (`10u`, `1UL`), else the first of int and long its
    value fits in (a hexadecimal one may also be unsigned)."""
    suffix = _LITERAL_SUFFIX.search(text)
    letters = suffix.group(0).lower() if suffix else ""
    unsigned = "u" in letters
    if "l" in letters or not IntType(32, not unsigned).fits(Interval.exactly(value)):
        if not unsigned and value > IntType(64, True).high:
            return IntType(64, False)
        return IntType(64, not unsigned)
    if not unsigned and value > INT.high and text.lower().startswith("0x"):
        return IntType(32, False)
    return IntType(32, not unsigned)


def cast_types(file: CFile) -> dict[tuple[int, int], IntType | None]:
    """For every C cast in the file, by the span of the expression it converts (parentheses and inner
    casts removed, as the lowering removes them): the integer type the outermost cast converts to, None
    for any other type (pointers, floating point)."""
    def read() -> dict[tuple[int, int], IntType | None]:
        found: dict[tuple[int, int], IntType | None] = {}
        for cast in file.nodes_of_type("cast_expression"):
            if _inside_cast(cast):
                continue
            described, value = cast.child_by_field_name("type"), unwrap(cast.child_by_field_name("value"))
            while value is not None and value.type == "cast_expression":
                value = unwrap(value.child_by_field_name("value"))
            if described is None or value is None:
                continue
            pointer = described.child_by_field_name("declarator") is not None
            base = described.child_by_field_name("type")
            kind = None if pointer or base is None else integer_type(file.text_of(base))
            found[(value.start_byte, value.end_byte)] = kind
        return found
    return file.memo(("cast types",), read)


def _inside_cast(cast: ts.Node) -> bool:
    parent = cast.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    return parent is not None and parent.type == "cast_expression"
