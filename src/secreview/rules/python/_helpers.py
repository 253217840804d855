"""Shared building blocks for Python rule families.

Rules declare *what* to look for (callee names, which argument matters);
these bases hold the one copy of *how* to look for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import tree_sitter as ts

from secreview.lang.python.file import NOT_CONSTANT, Call, PyFile
from secreview.rules import Hit, Rule, shorten  # noqa: F401 - shorten is used by the rules through here


class CallRule(Rule):
    """Fires on calls to `callees` (import-resolved dotted names) that `matches`.

    Subclasses override `matches` to add conditions; it returns the extra
    placeholder values for the finding, or None when the call is fine.
    """

    callees: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[tuple[str, ...]] = ()  # x.method(...) on any receiver

    def candidates(self, file: PyFile) -> list[Call]:
        found = file.calls_to(*self.callees) if self.callees else []
        if self.methods:
            seen = {id(c.node) for c in found}
            found += [c for c in file.method_calls(*self.methods) if id(c.node) not in seen]
        return found

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            values = self.matches(file, call)
            if values is not None:
                yield Hit(call.node, {"callee": call.name or call.method or "call", **values},
                          data=self.data_argument(file, call))

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        return {}

    def data_argument(self, file: PyFile, call: Call) -> ts.Node | None:
        """The argument whose origin decides the defect, when one argument does (see _taint.TaintAware)."""
        return None


class NonConstantArgumentRule(CallRule):
    """Fires when the argument that reaches the dangerous API is not a constant.

    `argument` is (position, keyword) of that argument.  A constant (a
    literal, or a local name only ever bound to literals) cannot carry
    attacker data, so it stays quiet.
    """

    argument: ClassVar[tuple[int | None, str | None]] = (0, None)

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        node = call.arg(*self.argument)
        if node is None or file.is_constant(node):
            return None
        return {"argument": shorten(file.text_of(node))}


def keyword_is_true(file: PyFile, call: Call, keyword: str) -> bool:
    """True when `keyword=` is given a value that is (or may be) truthy."""
    node = call.kwargs.get(keyword)
    if node is None:
        return False
    value = file.constant_value(node)
    return True if value is NOT_CONSTANT else bool(value)
