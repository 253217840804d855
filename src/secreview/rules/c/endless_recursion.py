"""Function that calls itself again on every path before it can return.

## What it does
Flags the call that closes a cycle of functions of the file that always
call the next one: on every path from its entry, before any `return`,
branch, loop, `goto` or call that may not return, the function calls itself
(`int size() const { return size(); }` in C++) or a function that in the same way
always comes back to it. Whatever the arguments, each call makes the next
one before it returns. Recursion behind a test (`if (n > 0) f(n - 1)`) is
not flagged, nor are calls of other objects' methods, names defined more
than once in the file (overloads), or functions whose body holds
preprocessor directives.

## Why is this bad?
The recursion never ends: each call takes another stack frame until the
stack runs out and the process crashes (CWE-674). When the function is
reachable from input handling, anyone who can reach it can crash the
service. It is usually a typo: a wrapper that meant to call another
overload, a base-class method or a member of the same name.

## Example
```c
struct buffer {
    int length;
};

int buffer_length(const struct buffer *b) {
    return buffer_length(b);
}
```

## Use instead
```c
struct buffer {
    int length;
};

int buffer_length(const struct buffer *b) {
    return b->length;
}
```

## References
- https://cwe.mitre.org/data/definitions/674.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.recursion import endless_recursions
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule


class EndlessRecursion(CRule):
    id = "endless-recursion"
    cwe = 674
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "`{function}()` always calls {how} before it can return: the recursion never ends"
    description = (
        "On every path from the start of `{function}()`, before any return, branch or loop, it calls {how}. "
        "Each call makes the next one before returning, so the stack grows until the process crashes."
    )
    solution = ("Call the function that was meant (another overload, the base class's method, a member "
                "variable), or put the recursive call behind the test that ends it.")

    def check(self, file: CFile) -> Iterator[Hit]:
        for found in endless_recursions(file):
            if len(found.cycle) == 1:
                how = "itself"
            else:
                chain = " → ".join(f"`{name}()`" for name in (*found.cycle[1:], found.function))
                how = f"{chain}, which comes back to it"
            yield Hit(found.call, {"function": found.function, "how": how})
