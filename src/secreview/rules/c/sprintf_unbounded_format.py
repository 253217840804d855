"""Formatted output written with `sprintf()` that may not fit the buffer.

## What it does
Flags `sprintf`, `vsprintf`, `wsprintf` and `swprintf`-without-size calls
when the output length is not bounded by the destination: the format has a `%s`
without precision whose argument is not a literal or an array known to fit, it
is not a literal itself, or its worst-case length exceeds the destination's
declared size.

## Why is this bad?
`sprintf` writes the whole formatted result, however long, into a buffer whose
size it is never told. An unbounded `%s` copies a string of any length; a
number wider than expected adds a few more bytes. The excess overwrites memory
next to the buffer (CWE-120) and input that reaches the arguments controls it.

## Example
```c
#include <stdio.h>

void greet(const char *user) {
    char line[32];
    sprintf(line, "hello %s!", user);
}
```

## Use instead
```c
#include <stdio.h>

void greet(const char *user) {
    char line[32];
    snprintf(line, sizeof line, "hello %s!", user);
}
```

## References
- https://cwe.mitre.org/data/definitions/120.html
- https://wiki.sei.cmu.edu/confluence/display/c/FIO47-C.+Use+valid+format+strings
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.buffers import capacity_range, string_bound
from secreview.lang.c_family.expressions import literal_text
from secreview.lang.c_family.file import Call, CFile
from secreview.lang.c_family.formats import literal_length, numeric_width, printf_conversions
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CCallRule

_VARIADIC_LIST = ("vsprintf", "vswprintf_unbounded")


class SprintfUnboundedFormat(CCallRule):
    id = "sprintf-unbounded-format"
    cwe = 120
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = ("sprintf", "vsprintf", "wsprintf", "wsprintfA", "wsprintfW", "_stprintf")
    message = "`{callee}` output may not fit `{destination}`: {reason}"
    description = (
        "`{code}` writes its formatted output into `{destination}` ({room}) without being told its size, and "
        "{reason}. Output longer than the buffer overwrites the memory after it; when an argument comes from "
        "input, an attacker decides how much is written and with what bytes."
    )
    solution = (
        "Use `snprintf({destination}, sizeof {destination}, ...)` (or `vsnprintf`) and check the returned "
        "length against the size; give `%s` a precision (`%.*s`) when a string must be cut to fit."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            if len(call.args) < 2:
                continue
            judged = self._judge(file, call)
            if judged is not None:
                confidence, reason = judged
                room = capacity_range(file, call.args[0], call.node)
                yield Hit(call.node, {"callee": call.method or "sprintf", "reason": reason,
                                      "destination": shorten(file.text_of(call.args[0])),
                                      "room": "size unknown here" if room is None else f"{room[0]} bytes"},
                          confidence=confidence)

    def _judge(self, file: CFile, call: Call) -> tuple[Confidence | None, str] | None:
        fmt = literal_text(file, call.args[1])
        if fmt is None:
            return None, f"its format `{shorten(file.text_of(call.args[1]), 40)}` is not a literal"
        arguments = call.args[2:]
        total = literal_length(fmt) + 1
        for conversion in printf_conversions(fmt):
            if conversion.argument_index is None:
                continue
            if conversion.is_string:
                width = self._string_width(file, conversion, arguments, call)
                if width is None:
                    return None, f"`{conversion.text}` copies a string of any length"
            else:
                width = numeric_width(conversion)
                if width is None:
                    return None
            total += width
        room = capacity_range(file, call.args[0], call.node)
        if room is not None and total > room[0]:
            return (Confidence.HIGH if total > room[1] else None), f"the output can be {total} bytes long"
        return None

    def _string_width(self, file: CFile, conversion, arguments: tuple[ts.Node, ...], call: Call) -> int | None:
        if conversion.precision is not None and conversion.precision != "*":
            return int(conversion.precision)
        if call.method in _VARIADIC_LIST or conversion.argument_index >= len(arguments):
            return None
        bound = string_bound(file, arguments[conversion.argument_index], call.node)
        return bound - 1 if bound is not None else None
