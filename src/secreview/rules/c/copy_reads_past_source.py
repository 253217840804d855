"""Copy whose length is larger than what its source buffer holds.

## What it does
Flags `memcpy`, `memmove`, `wmemcpy` and `bcopy` whose length the
value-flow engine knows (constants, tests, `sizeof`) and which is larger
than the bytes left in the source buffer from where the source points: a
declared array, a string literal, an allocation of known size, a pointer
moved into one of them. Definite when the length and the source's position
were known on a path of their own; otherwise shown in the audit profile.

## Why is this bad?
The copy reads past the end of the source: whatever lies next to it in
memory (other variables, heap metadata, secrets) is copied to the
destination, and from there often to a file, a socket or a log (CWE-126,
the pattern behind Heartbleed).

## Example
```c
void save(char *out) {
    char header[16];
    build_header(header);
    memcpy(out, header, 32);
}
```

## Use instead
```c
void save(char *out) {
    char header[16];
    build_header(header);
    memcpy(out, header, sizeof header);
}
```

## References
- https://cwe.mitre.org/data/definitions/126.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR38-C.+Guarantee+that+library+functions+do+not+form+invalid+pointers
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import EngineEventRule


class CopyReadsPastSource(EngineEventRule):
    id = "copy-reads-past-source"
    cwe = 126
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    event_kind = "copy-overread"
    message = "The copy reads {values} bytes from `{name}`, which holds {size} from where it points"
    description = (
        "`{code}` copies {values} bytes out of `{name}`, but only {size} bytes of that buffer are left from "
        "where `{name}` points. The copy reads past its end and takes whatever memory follows."
    )
    solution = "Copy at most the source's size (`sizeof` of the array, or the length used to allocate it)."
