"""printf-style format string that is not a literal.

## What it does
Flags `printf`, `fprintf`, `sprintf`, `snprintf`, `syslog`, `err`/`warn`, their
`v` and wide forms, and Qt's `qDebug`/`qWarning`/`qCritical`/`qFatal` and
`QString::asprintf` when the format argument is not a string literal (or a
macro, constant or translation of one). Wrappers that forward their own
format parameter together with `...` or a `va_list` are left alone: their
callers are where the format is chosen.

## Why is this bad?
The format string is a small program: `%x` and `%s` read from the stack or
from arbitrary addresses, `%n` writes to memory. When its text comes from
input, an attacker can disclose memory (keys, pointers that defeat ASLR) and,
with `%n`, write chosen values to chosen addresses (CWE-134).

## Example
```c
#include <stdio.h>

void show(const char *message) {
    printf(message);
}
```

## Use instead
```c
#include <stdio.h>

void show(const char *message) {
    printf("%s", message);
}
```

## References
- https://cwe.mitre.org/data/definitions/134.html
- https://wiki.sei.cmu.edu/confluence/display/c/FIO30-C.+Exclude+user+input+from+format+strings
"""

from __future__ import annotations

from secreview.lang.c_family.expressions import is_constant_string
from secreview.lang.c_family.file import Call, CFile, strip_casts
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import DATA, CCallRule
from secreview.rules.c._taint import TaintJudged

FORMAT_INDEX = {
    "printf": 0, "vprintf": 0, "wprintf": 0, "vwprintf": 0, "fprintf": 1, "vfprintf": 1, "fwprintf": 1,
    "vfwprintf": 1, "dprintf": 1, "vdprintf": 1, "sprintf": 1, "vsprintf": 1, "snprintf": 2, "vsnprintf": 2,
    "_snprintf": 2, "_vsnprintf": 2, "swprintf": 2, "vswprintf": 2, "_snwprintf": 2, "asprintf": 1,
    "vasprintf": 1, "syslog": 1, "vsyslog": 1, "err": 1, "errx": 1, "verr": 1, "warn": 0, "warnx": 0,
    "vwarn": 0, "qDebug": 0, "qWarning": 0, "qCritical": 0, "qFatal": 0, "qInfo": 0,
    "QString::asprintf": 0, "QString::vasprintf": 0, "g_printf": 0, "g_strdup_printf": 0,
}


class FormatStringNotLiteral(TaintJudged, CCallRule):
    id = "format-string-not-literal"
    cwe = 134
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    vulnerability = "format"
    callees = tuple(FORMAT_INDEX)
    message = "Format string of `{callee}` is not a literal: {argument}"
    description = (
        "`{code}` uses `{argument}` as its format string. If that text can contain input, conversion "
        "specifiers in it are executed: `%x`/`%s` read stack contents and arbitrary memory (leaking secrets "
        "and addresses), and `%n` writes to memory, which attackers use to take over the process."
    )
    solution = (
        "Use a literal format and pass the text as an argument: `{callee}(..., \"%s\", {argument})` (or "
        "`fputs`/`puts` to print it unformatted)."
    )

    def matches(self, file: CFile, call: Call) -> dict | None:
        index = FORMAT_INDEX.get(call.name or "", FORMAT_INDEX.get(call.method or ""))
        fmt = call.arg(index) if index is not None else None
        if fmt is None or is_constant_string(file, fmt, call.node) or self._forwarded_by_wrapper(file, call, fmt):
            return None
        return {"argument": shorten(file.text_of(fmt)), DATA: fmt}

    def _forwarded_by_wrapper(self, file: CFile, call: Call, fmt) -> bool:
        """The format is a parameter of a variadic (or va_list-taking) function: a printf wrapper."""
        fmt = strip_casts(fmt)
        function = file.enclosing_function(call.node)
        if fmt is None or fmt.type != "identifier" or function is None:
            return False
        variable = file.variables_in(function).get(file.text_of(fmt))
        if variable is None or not variable.is_parameter:
            return False
        parameters = variable.declaration.parent
        text = file.text_of(parameters) if parameters is not None else ""
        return "..." in text or "va_list" in text
