"""Memory released with the wrong function (`delete` vs `delete[]` vs `free`).

## What it does
Flags a local pointer allocated with one family and released with another in
the same function: `new[]` released by `delete` (or `free`), `new` released by
`delete[]` (or `free`), and `malloc`/`calloc`/`realloc`/`strdup` memory
released by `delete` or `delete[]`.

## Why is this bad?
Each allocator keeps its own bookkeeping: `delete[]` reads an element count
that `new` never stored, `free` knows nothing about destructors or the array
cookie, `delete` on `malloc` memory runs a destructor over raw bytes. The
result is heap corruption, destructors that never run (leaks of what the
objects own), or crashes (CWE-762), and heap corruption is exploitable.

## Example
```cpp
void process(std::size_t count) {
    int *values = new int[count];
    values[0] = 1;
    delete values;
}
```

## Use instead
```cpp
#include <vector>

void process(std::size_t count) {
    std::vector<int> values(count);
    values[0] = 1;
}
```

## References
- https://cwe.mitre.org/data/definitions/762.html
- https://wiki.sei.cmu.edu/confluence/display/cplusplus/MEM51-CPP.+Properly+deallocate+dynamically+allocated+resources
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP, Resource, acquisitions, releases
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CppRule

_RELEASE_ALL = Resource("memory", HEAP.acquire, frozenset({"free", "g_free"}), new_expression=True)
_MATCHING = {"new": "delete", "new[]": "delete[]"}


class MismatchedDeallocation(CppRule):
    id = "mismatched-deallocation"
    cwe = 762
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "`{name}` allocated with `{acquired}` is released with `{released}`"
    description = (
        "`{name}` was allocated with `{acquired}` on line {acquired_line} but `{code}` releases it with "
        "`{released}`. The two use different bookkeeping (array cookie, destructors, allocator metadata), so "
        "the release corrupts the heap, skips destructors or crashes; heap corruption is a well-known route "
        "to code execution."
    )
    solution = "Release with the matching form: `{expected}`; better, let a container or smart pointer (`std::vector`, `std::unique_ptr<T[]>`) own the memory."

    def check(self, file: CFile) -> Iterator[Hit]:
        for acquisition in acquisitions(file, _RELEASE_ALL):
            acquired = acquisition.callee
            expected = _MATCHING.get(acquired, "free")
            for release in releases(file, acquisition.body, acquisition.name, _RELEASE_ALL):
                if release.start_byte < acquisition.source.end_byte or \
                        flow.written_between(file, acquisition.body, acquisition.name, acquisition.source, release):
                    continue
                released = self._form(file, release)
                if released != expected and released != "realloc":
                    yield Hit(release, {"name": acquisition.name, "acquired": acquired, "released": released,
                                        "expected": f"{expected}({acquisition.name})" if expected == "free"
                                        else f"{expected} {acquisition.name}",
                                        "acquired_line": str(acquisition.source.start_point[0] + 1)})

    @staticmethod
    def _form(file: CFile, release: ts.Node) -> str:
        if release.type == "delete_expression":
            # `delete [] p`: the brackets come before the operand
            operand = release.named_children[-1] if release.named_children else release
            head = file.data[release.start_byte:operand.start_byte].decode("utf-8", "replace")
            return "delete[]" if "[" in head else "delete"
        call = file.call_of(release)
        return call.method if call is not None and call.method else "free"
