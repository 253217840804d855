"""Result of a function that may return NULL dereferenced without a check.

## What it does
Flags the dereference (`*p`, `p->f`, `p[i]`, or passing `p` to `strcpy`,
`memcpy`...) of a value returned by a function of the same file that returns
NULL on some of its paths (an explicit `return NULL;`, or an allocation it
returns unchecked), when no test of the value runs on the path between the
call and the use. The value-flow engine's summary of the callee says it may
return NULL; whether the caller's arguments can lead there is not known, so
the finding is for the audit profile.

It also flags C library calls that return NULL by design: `getenv` (the
variable is not set), `opendir`, `getcwd`, `realpath` (refused by the
environment: reported by default, since no path using the result untested
is safe) and searches that may find nothing (`strchr`, `strstr`, `strtok`,
`readdir`, `getpwnam`...: for the audit profile at low confidence, as the
program often knows what its data holds, `strstr` after a suffix test). Streams from `fopen` and the like are
`fopen-result-unchecked`'s.

## Why is this bad?
The callee's own code says NULL is one of its answers (not found, out of
memory, bad input). A caller that dereferences the result without looking
crashes whenever that answer comes, a denial of service that input can often
trigger (CWE-690).

## Example
```c
#include <stddef.h>

struct entry { int id; int size; };

static struct entry table[8];

static struct entry *find(int id) {
    for (int i = 0; i < 8; i++)
        if (table[i].id == id)
            return &table[i];
    return NULL;
}

int size_of(int id) {
    struct entry *found = find(id);
    return found->size;
}
```

## Use instead
```c
#include <stddef.h>

struct entry { int id; int size; };

static struct entry table[8];

static struct entry *find(int id) {
    for (int i = 0; i < 8; i++)
        if (table[i].id == id)
            return &table[i];
    return NULL;
}

int size_of(int id) {
    struct entry *found = find(id);
    return found != NULL ? found->size : -1;
}
```

## References
- https://cwe.mitre.org/data/definitions/690.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP34-C.+Do+not+dereference+null+pointers
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.lifetime import HEAP
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts
from secreview.valueflow.interpreter import out_of_memory_origin
from secreview.valueflow.library import NULL_WHEN_REFUSED, STREAM_OPENERS, null_result_reason


class MaybeNullResultDereference(ValueFlowRule):
    id = "maybe-null-result-dereference"
    cwe = 690
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "The result of `{callee}()` on line {line}{held}, which may be NULL, is dereferenced unchecked"
    description = (
        "`{code}` dereferences the result of `{callee}()` on line {line}{held}, which returns NULL on some of "
        "its paths, with no test in between. Whenever `{callee}()` answers NULL the process crashes."
    )
    solution = "Test the result of `{callee}()` against NULL before using it, and handle that answer."

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("null-dereference"):
            origin = event.origin
            if origin is None or event.certain:
                continue
            held = "" if event.name == file.text_of(origin.node) else f" (held in `{event.name}`)"
            values = {"held": held, "callee": origin.callee, "line": str(origin.node.start_point[0] + 1)}
            if origin.kind == "library" and origin.callee not in STREAM_OPENERS:  # streams: fopen-result-unchecked
                refused = origin.callee in NULL_WHEN_REFUSED
                # refused by the environment (an unset variable, a directory that cannot be opened): no path
                # that uses the result untested is safe; a search that found nothing depends on the data,
                # which the program may have checked in a way the engine cannot follow
                yield Hit(event.node, values, evidence=Evidence.DEFINITE if refused else None,
                          confidence=Confidence.HIGH if refused else Confidence.LOW,
                          note=f"`{origin.callee}()` returns NULL when {null_result_reason(origin.callee)}.")
            elif origin.kind == "function":
                yield Hit(event.node, values)
            elif out_of_memory_origin(origin) and origin.callee not in HEAP.acquire:
                # an allocating function of the run that returns NULL only when memory runs out: a crash on
                # exhaustion, as an unchecked `malloc()` is (not the answer of a lookup that found nothing)
                yield Hit(event.node, values, confidence=Confidence.LOW,
                          note=f"`{origin.callee}()` returns NULL only when an allocation inside it fails.")
