"""`FILE *` from `fopen` used without checking it for NULL.

## What it does
Flags the first use of a stream returned by `fopen`, `fdopen`, `freopen`,
`tmpfile` or `popen` in a stdio call (`fprintf`, `fgets`, `fread`, `fwrite`,
`fputs`, `feof`, `fclose`...) on a path where no test of the stream runs
between the open and that use. The value-flow engine follows the stream
through assignments, branches and loops, so a test in a condition, an early
return on NULL or a check of a copy counts, and a use on a path that skipped
the test is still found.

## Why is this bad?
`fopen` returns NULL whenever the file cannot be opened: it is missing, the
permissions changed, the disk is full, or an attacker removed it or swapped
it for a directory. Passing NULL to stdio functions is undefined behaviour,
in practice a crash: a denial of service any local user can trigger
(CWE-690).

## Example
```c
#include <stdio.h>

void save(const char *path, const char *text) {
    FILE *out = fopen(path, "w");
    fputs(text, out);
    fclose(out);
}
```

## Use instead
```c
#include <stdio.h>

void save(const char *path, const char *text) {
    FILE *out = fopen(path, "w");
    if (out == NULL)
        return;
    fputs(text, out);
    fclose(out);
}
```

## References
- https://cwe.mitre.org/data/definitions/690.html
- https://wiki.sei.cmu.edu/confluence/display/c/ERR33-C.+Detect+and+handle+standard+library+errors
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts
from secreview.valueflow.library import STREAM_OPENERS, null_result_reason


class FopenResultUnchecked(ValueFlowRule):
    id = "fopen-result-unchecked"
    cwe = 690
    # an open fails for reasons outside the program (a missing file, permissions, a full disk): no path that
    # uses the stream untested is safe
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Stream `{name}` from `{callee}` on line {open_line} is used without a NULL check"
    description = (
        "`{name}` holds the result of `{callee}` on line {open_line}, which is NULL when {reason} (missing, no "
        "permission, disk full, or removed or replaced by someone else), and `{code}` uses it unchecked on "
        "this path. The stdio call then dereferences NULL and the process crashes."
    )
    solution = "Check the stream right after opening it: `if ({name} == NULL)` then report `strerror(errno)` and stop."

    def check(self, file: CFile) -> Iterator[Hit]:
        first_use: dict[int, tuple[int, Hit]] = {}  # the open -> its first unchecked use
        for event in facts(file).of_kind("null-dereference"):
            origin = event.origin
            if origin is None or origin.kind != "library" or origin.callee not in STREAM_OPENERS:
                continue
            values = {"name": event.name, "callee": origin.callee, "open_line": str(origin.node.start_point[0] + 1),
                      "reason": null_result_reason(origin.callee) or "it fails"}
            seen = first_use.get(origin.node.start_byte)
            if seen is None or event.node.start_byte < seen[0]:
                first_use[origin.node.start_byte] = (event.node.start_byte,
                                                     Hit(event.node, values, evidence=Evidence.DEFINITE))
        for _, hit in sorted(first_use.values(), key=lambda found: found[0]):
            yield hit
