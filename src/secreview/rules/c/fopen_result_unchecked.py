"""`FILE *` from `fopen` used without checking it for NULL.

## What it does
Flags the first use of a stream returned by `fopen`, `fdopen`, `tmpfile` or
`popen` in a stdio call (`fprintf`, `fgets`, `fread`, `fwrite`, `fputs`,
`fclose`...) when no test of the stream runs between the open and that use.

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
from secreview.lang.c_family.lifetime import Resource, acquisitions, first_unchecked_dereference
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule

_STREAMS = Resource("stream", frozenset({"fopen", "fdopen", "tmpfile", "popen", "_wfopen", "fopen64", "freopen"}),
                    frozenset({"fclose", "pclose"}))


class FopenResultUnchecked(CRule):
    id = "fopen-result-unchecked"
    cwe = 690
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Stream `{name}` from `{callee}` on line {open_line} is used without a NULL check"
    description = (
        "`{name}` holds the result of `{callee}` on line {open_line}, which is NULL when the file cannot be "
        "opened (missing, no permission, disk full, or removed or replaced by someone else), and `{code}` "
        "uses it unchecked. The stdio call then dereferences NULL and the process crashes."
    )
    solution = "Check the stream right after opening it: `if ({name} == NULL)` then report `strerror(errno)` and stop."

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in acquisitions(file, _STREAMS):
            use = first_unchecked_dereference(file, acquisition)
            if use is not None:
                yield Hit(use.parent.parent if use.parent is not None and use.parent.parent is not None else use, {
                    "name": acquisition.name, "callee": acquisition.callee,
                    "open_line": str(acquisition.source.start_point[0] + 1)})
