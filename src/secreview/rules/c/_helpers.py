"""Shared building blocks of the C and C++ rules.

Rules declare *what* to look for (callee names, which argument matters);
these bases hold the one copy of *how* to look for it.  A `CRule` reviews C
files and the C code inside C++ files; a `CppRule` only C++ files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

import tree_sitter as ts

from secreview.lang.c_family.file import Call, CFile, Variable, strip_casts
from secreview.rules import Hit, Rule, shorten  # noqa: F401 - shorten is used by the rules through here
from secreview.rules.c._taint import report_incomplete

# Calls whose result is a translated copy of a literal: `printf(_("%d files"), n)` has a constant format.
TRANSLATION_CALLS = frozenset({"_", "gettext", "dgettext", "ngettext", "N_", "tr", "QObject::tr", "i18n",
                               "QT_TR_NOOP", "QStringLiteral", "QLatin1String", "QString::fromLatin1",
                               "QString::fromUtf8", "QLatin1StringView", "u8"})


class _CFamilyRule(Rule):
    def review(self, file: CFile) -> Iterator[Hit]:
        return report_incomplete(file, self.check(file))


DATA = "data node"
"""Key of `CallMixin.matches` values naming the expression whose data the defect depends on."""


class CRule(_CFamilyRule):
    """A rule for C code: it reviews `.c` files and C++ files alike."""

    language = "c"
    languages = ("c", "cpp")

    def check(self, file: CFile) -> Iterator[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


class CppRule(_CFamilyRule):
    """A rule about C++-only constructs (classes, new/delete, Qt, std::thread)."""

    language = "cpp"

    def check(self, file: CFile) -> Iterator[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


class CallMixin:
    """Fires on calls to `callees` (plain or std::-qualified) or `methods`, when `matches` says so.

    `matches` returns extra placeholder values for the finding, or None when the call is fine; under
    the key `DATA` it may name the expression whose data the defect depends on (`Hit.data`).
    """

    callees: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[tuple[str, ...]] = ()

    def candidates(self, file: CFile) -> list[Call]:
        found = file.calls_to(*self.callees) if self.callees else []
        if self.methods:
            found = sorted(found + file.method_calls(*self.methods), key=lambda c: c.node.start_byte)
        return found

    def check(self, file: CFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            values = self.matches(file, call)
            if values is not None:
                data = values.pop(DATA, None)
                yield Hit(call.node, {"callee": call.method or call.name or "call", **values}, data=data)

    def matches(self, file: CFile, call: Call) -> dict | None:
        return {}


class CCallRule(CallMixin, CRule):
    """A call rule for C (and C++) code."""


class CppCallRule(CallMixin, CppRule):
    """A call rule for C++-only APIs."""


def literal_text(file: CFile, node: ts.Node | None) -> str | None:
    """The text of a constant string argument: a literal, a macro or const naming one, a
    translation call around one (`_("...")`, `tr("...")`), or None when it is not constant."""
    node = strip_casts(node)
    if node is None:
        return None
    value = file.string_value(node)
    if isinstance(value, str):
        return value
    call = file.call_of(node)
    if call is not None and (call.name in TRANSLATION_CALLS or call.method == "tr") and call.args:
        return literal_text(file, call.args[0])
    if node.type == "conditional_expression":
        branches = [literal_text(file, node.child_by_field_name(f)) for f in ("consequence", "alternative")]
        if all(b is not None for b in branches):
            return branches[0]
    return None


def is_constant_text(file: CFile, node: ts.Node | None) -> bool:
    return literal_text(file, node) is not None


def variable_of(file: CFile, node: ts.Node | None) -> Variable | None:
    """The declaration of a plain identifier expression (after casts), else None."""
    node = strip_casts(node)
    if node is None or node.type != "identifier":
        return None
    return file.variable(node)


def buffer_variable(file: CFile, node: ts.Node | None) -> Variable | None:
    """The declared array behind a destination expression: `buf`, `s.buf`, `s->buf`, `this->buf`."""
    node = strip_casts(node)
    if node is None:
        return None
    if node.type == "identifier":
        return file.variable(node)
    if node.type == "field_expression":
        field = node.child_by_field_name("field")
        return file.fields.get(file.text_of(field)) if field is not None else None
    return None


def capacity_bytes(file: CFile, node: ts.Node | None) -> int | None:
    """Size in bytes of the fixed-size array `node` names, when the declaration tells it."""
    variable = buffer_variable(file, node)
    if variable is None or not variable.is_array:
        return None
    size = file.byte_size(variable)
    return size if isinstance(size, int) else None


def capacity_elements(file: CFile, node: ts.Node | None) -> int | None:
    variable = buffer_variable(file, node)
    if variable is None or not variable.is_array:
        return None
    length = file.array_length(variable)
    return length if isinstance(length, int) else None


def int_value(file: CFile, node: ts.Node | None) -> int | None:
    value = file.constant_value(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def same_expression(file: CFile, a: ts.Node | None, b: ts.Node | None) -> bool:
    """Same source text once casts, parentheses and whitespace are ignored."""
    a, b = strip_casts(a), strip_casts(b)
    return a is not None and b is not None and "".join(file.text_of(a).split()) == "".join(file.text_of(b).split())


def identifier_name(file: CFile, node: ts.Node | None) -> str | None:
    node = strip_casts(node)
    return file.text_of(node) if node is not None and node.type == "identifier" else None


def is_reference(file: CFile, variable: Variable) -> bool:
    """A C++ reference (`T &r`, `T *&r`): it names an object that lives elsewhere."""
    return "&" in file.text_of(variable.declarator).split("=")[0]


def is_unsigned_type(type_text: str) -> bool:
    return bool(re.search(r"\bunsigned\b|\bsize_t\b|\buint\w*_t\b|\bDWORD\b|\bUINT\b|\bquint\w*|\buint\b|^u\d+$|\bULONG",
                          type_text))


def is_signed_integer_type(type_text: str) -> bool:
    """int, long, short, ssize_t, intN_t, qint64 ... (char excluded: it is used for text)."""
    if is_unsigned_type(type_text):
        return False
    return bool(re.fullmatch(r"(?:signed\s+)?(?:short|int|long|long long|long int|short int|long long int|ssize_t|"
                             r"int\d+_t|intptr_t|ptrdiff_t|off_t|qint\d+|qsizetype|LONG|INT|int_fast\d+_t)",
                             type_text))


