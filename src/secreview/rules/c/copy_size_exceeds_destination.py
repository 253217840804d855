"""Copy or read whose constant size is larger than the destination buffer.

## What it does
Flags `memcpy`, `memmove`, `memset`, `strncpy`, `strncat`, `wmemcpy`,
`wcsncpy`, `fgets`, `read`, `recv`, `snprintf` and similar calls whose size
argument is a compile-time constant larger than the destination, when the
destination's size is known from its declaration or from the allocations it
may have been assigned earlier in the same function (the smallest counts).
The value-flow engine adds `memcpy`, `memmove`, `memset`, `strncpy` and
`bzero` whose length it knows on a path of its own (a variable set to a
constant, a length tested against a bound, a negative length) and which is
larger than the bytes left in the destination from where it points (an
array, a string literal, an allocation of known size, a pointer moved into
one of them).

## Why is this bad?
The size argument is the only thing that stops these functions; when it is
larger than the buffer they write past its end (CWE-805). For reads from a
file or socket, the remote side decides whether the extra bytes arrive and
what they contain.

## Example
```c
#include <unistd.h>

void read_header(int fd) {
    char header[16];
    read(fd, header, 64);
}
```

## Use instead
```c
#include <unistd.h>

void read_header(int fd) {
    char header[16];
    read(fd, header, sizeof header);
}
```

## References
- https://cwe.mitre.org/data/definitions/805.html
- https://wiki.sei.cmu.edu/confluence/display/c/ARR38-C.+Guarantee+that+library+functions+do+not+form+invalid+pointers
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.buffers import capacity_range
from secreview.lang.c_family.expressions import int_value
from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CCallRule
from secreview.valueflow import facts
from secreview.valueflow.lattice import Interval

# function -> (destination argument, size argument, bytes per unit of the size)
_SIZED = {
    "memcpy": (0, 2, 1), "memmove": (0, 2, 1), "memset": (0, 2, 1), "strncpy": (0, 2, 1), "strncat": (0, 2, 1),
    "memccpy": (0, 3, 1), "snprintf": (0, 1, 1), "vsnprintf": (0, 1, 1), "fgets": (0, 1, 1), "read": (1, 2, 1),
    "recv": (1, 2, 1), "recvfrom": (1, 2, 1), "pread": (1, 2, 1), "bzero": (0, 1, 1), "explicit_bzero": (0, 1, 1),
    "wmemcpy": (0, 2, 4), "wmemmove": (0, 2, 4), "wmemset": (0, 2, 4), "wcsncpy": (0, 2, 4), "wcsncat": (0, 2, 4),
    "fgetws": (0, 1, 4), "swprintf": (0, 1, 4), "CopyMemory": (0, 2, 1), "RtlCopyMemory": (0, 2, 1),
}


class CopySizeExceedsDestination(CCallRule):
    id = "copy-size-exceeds-destination"
    cwe = 805
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = tuple(_SIZED)
    message = "`{callee}` may write {size} bytes into `{destination}`, which holds {room}"
    description = (
        "`{code}` is told it may write {size} bytes into `{destination}`, but `{destination}` only holds "
        "{room} bytes. Whenever the source (or the input being read) is long enough, the call writes past "
        "the end of the buffer and overwrites adjacent memory; for a read from a file or socket, the other "
        "side decides the bytes written."
    )
    solution = (
        "Pass the destination's own size, e.g. `sizeof {destination}` for an array (or the length used to "
        "allocate it), and make the buffer as large as the data it must hold."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        """The constant sizes over the destinations known locally, then the copies the value-flow engine
        proves too long on a path of their own (lengths and pointer positions from value flow)."""
        seen = set()
        for hit in super().check(file):
            seen.add(hit.node.start_byte)
            yield hit
        for event in facts(file).of_kind("copy-overflow"):
            if event.certain and event.node.start_byte not in seen and event.index is not None:
                call = file.call_of(event.node)
                yield Hit(event.node, {"callee": call.method if call is not None and call.method else "call",
                                       "destination": shorten(event.name), "size": _bytes(event.index),
                                       "room": str(event.size)})

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        destination_index, size_index, unit = _SIZED[call.method or ""]
        destination, size = call.arg(destination_index), call.arg(size_index)
        count = int_value(file, size)
        if count is None:
            return None
        room = capacity_range(file, destination, call.node)
        if room is None or count * unit <= room[0]:
            return None
        shown = str(room[0]) if room[0] == room[1] else f"as little as {room[0]}"
        return {"destination": shorten(file.text_of(destination)), "size": str(count * unit), "room": shown}


def _bytes(length: Interval) -> str:
    if length.low == length.high:
        return str(length.low)
    return f"at least {length.low}"
