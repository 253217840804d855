"""Iterator or pointer into a vector or string used after a change that may move its elements.

## What it does
Flags a use (`*it`, `it->field`, `p[i]`, or reading or assigning a reference) of an iterator, pointer or
local reference taken from a `std::vector` or `std::string` (or Qt's `QVector`, `QList`, `QString`,
`QByteArray`, `QVarLengthArray`) (`v.begin()`, `v.end()`, `v.data()`,
`s.c_str()`, `&v[i]`, `std::begin(v)`, `int &first = v[0]`, `auto &last = v.back()`) after a
call on that container that may reallocate its buffer or remove every element (`push_back`,
`emplace_back`, `insert`, `resize`, `reserve`, `clear`, `assign`, `append`, `prepend`,
`shrink_to_fit`, `+=`, or assigning the container; removing some elements invalidates only the
iterators at or after them, so `erase` is left out), with no new value given to the iterator in between, and a range-`for`
over the container that changes it before the next item (`for (int x : v) v.push_back(x);`), as the value-flow
engine follows the function's paths. Seen on a path of its own, the use is a definite defect;
after paths were merged (a loop's back edge, a branch that may not change the container), it is
shown in the audit profile.

## Why is this bad?
A vector or string keeps its elements in one heap buffer. When it grows past its capacity it
allocates a larger buffer, moves the elements and frees the old one; `clear` and `assign` destroy
the elements in place. Every iterator, pointer and reference into the old buffer then
points into freed memory (CWE-416): reading it returns stale or foreign data, writing it corrupts
whatever the allocator placed there, and whether it happens depends on the capacity at run time,
so tests pass while input of another size crashes the program or hands an attacker a use after free.

## Example
```cpp
#include <vector>

int first_after_adding(std::vector<int> &items, int extra) {
    auto first = items.begin();
    items.push_back(extra);
    return *first;
}
```

## Use instead
```cpp
#include <vector>

int first_after_adding(std::vector<int> &items, int extra) {
    items.push_back(extra);
    auto first = items.begin();
    return *first;
}
```

## References
- https://cwe.mitre.org/data/definitions/416.html
- https://en.cppreference.com/w/cpp/container/vector#Iterator_invalidation
- https://wiki.sei.cmu.edu/confluence/display/cplusplus/CTR51-CPP.+Use+valid+references%2C+pointers%2C+and+iterators+to+reference+elements+of+a+container
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.c import EngineEventRule
from secreview.valueflow import Event


class IteratorUsedAfterInvalidation(EngineEventRule):
    id = "iterator-used-after-invalidation"
    cwe = 416
    language = "cpp"
    languages = ("cpp",)
    event_kind = "use-after-invalidation"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "`{name}` points into `{container}`, which `{change}` on line {line_changed} may have moved"
    description = (
        "`{name}` was taken from `{container}`'s buffer, and `{change}` on line {line_changed} may reallocate or "
        "remove that container's elements. `{code}` then uses `{name}` without taking it again: if the buffer "
        "moved, it reads or writes freed memory."
    )
    solution = (
        "Take the iterator or pointer again after changing `{container}` (`auto it = {container}.begin();` after "
        "the `push_back`), keep an index instead of an iterator, or use the iterator the change returns "
        "(`it = {container}.insert(it, value);`, `it = {container}.erase(it);`)."
    )

    def placeholders(self, event: Event) -> dict[str, str]:
        origin = event.origin
        change = origin.callee if origin is not None else "a change"
        return {"name": event.name, "container": change.split(".")[0].split(" ")[0], "change": change,
                "line_changed": str(origin.node.start_point[0] + 1) if origin is not None else "?"}
