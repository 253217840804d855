"""`scanf`-family `%s` or `%[` conversion without a field width.

## What it does
Flags `scanf`, `fscanf`, `sscanf` and their wide forms when the format (a
literal) contains a `%s`, `%ls` or `%[...]` conversion with no maximum field
width.

## Why is this bad?
Without a width, `%s` stores every non-blank character of the input word into
the target buffer, however many there are. A long word overflows the buffer
(CWE-120); whoever writes the input decides the length and the bytes written.

## Example
```c
#include <stdio.h>

void read_word(void) {
    char word[32];
    scanf("%s", word);
}
```

## Use instead
```c
#include <stdio.h>

void read_word(void) {
    char word[32];
    scanf("%31s", word);
}
```

## References
- https://cwe.mitre.org/data/definitions/120.html
- https://en.cppreference.com/w/c/io/fscanf
"""

from __future__ import annotations

from secreview.lang.c_family.expressions import literal_text
from secreview.lang.c_family.file import Call, CFile
from secreview.lang.c_family.formats import scanf_conversions
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import shorten
from secreview.rules.c import CCallRule

_FORMAT_INDEX = {"scanf": 0, "wscanf": 0, "fscanf": 1, "sscanf": 1, "fwscanf": 1, "swscanf": 1, "vscanf": 0,
                 "vfscanf": 1, "vsscanf": 1, "scanf_s": 0, "fscanf_s": 1, "sscanf_s": 1}


class ScanfUnboundedString(CCallRule):
    id = "scanf-unbounded-string"
    cwe = 120
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = tuple(name for name in _FORMAT_INDEX if not name.endswith("_s"))
    message = "`{conversion}` in `{callee}` reads a word of any length into {target}"
    description = (
        "`{code}` uses `{conversion}` without a maximum field width, so it stores the whole next input word in "
        "{target} whatever its length. Input longer than the buffer overwrites the memory after it; the "
        "person typing or sending that input controls how much is overwritten and with what."
    )
    solution = (
        "Give the conversion a width one less than the buffer size (`%31s` for `char buf[32]`), or read a "
        "line with `fgets` and parse it, checking the result of the scan."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        index = _FORMAT_INDEX[call.method or ""]
        fmt = literal_text(file, call.arg(index))
        if fmt is None:
            return None
        for conversion in scanf_conversions(fmt):
            if conversion.is_string and conversion.width is None and conversion.argument_index is not None:
                target = call.arg(index + 1 + conversion.argument_index)
                shown = f"`{shorten(file.text_of(target), 40)}`" if target is not None else "its buffer"
                return {"conversion": conversion.text, "target": shown}
        return None
