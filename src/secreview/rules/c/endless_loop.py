"""Loop that can never end.

## What it does
Flags a `while`, `do` or `for` loop with no way out (no `break`, `return`,
`goto`, `throw`, or call that ends the process or jumps away) whose test can
never become false:

- it reads only local scalar variables (and constants) that nothing in the
  loop assigns: once true it stays true. The classic causes are a typo in
  which variable is stepped (`for (j = 0; j < n; i++)`), a forgotten
  increment, or stepping a copy;
- or the value-flow engine finds that no value the variables can hold at the
  loop's head makes it false: `i = (i + 1) % 256` with `i >= 0`, an unsigned
  counter tested with `i >= 0`, an `unsigned char` tested with `c < 256`.

Loops written to run until something else stops them are left alone: a
constant test (`while (1)`, `for (;;)`), a test that calls a function, reads
memory through a pointer, a field or an array, or reads a global (another
thread or a signal handler may change it), and variables whose address is
taken, that are `volatile` or static, that a lambda of the function may
capture, or that are handed to a macro (or, in C++, to any call, which may
take them by reference).

## Why is this bad?
A loop that cannot end hangs the thread that runs it, burning CPU while
holding whatever it holds: any input that reaches it is a denial of service
(CWE-835).

## Example
```c
int pairs(int n) {
    int count = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; i++)
            count++;
    return count;
}
```

## Use instead
```c
int pairs(int n) {
    int count = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            count++;
    return count;
}
```

## References
- https://cwe.mitre.org/data/definitions/835.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.loops import stuck_loops
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts


class EndlessLoop(ValueFlowRule):
    id = "endless-loop"
    cwe = 835
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "The loop test `{test}` can never become false ({why}): once entered, the loop never ends"
    description = (
        "`{test}` decides whether the loop goes on, and {why}. The loop has no `break`, `return`, `goto` "
        "or other way out, so once it starts it never ends: the thread hangs."
    )
    solution = "Make the test reachable as false (step the variable it reads, check for a typo such as `i++` " \
               "for `j++`, use a signed or wider counter), or leave the loop with `break` when its work is done."

    def check(self, file: CFile) -> Iterator[Hit]:
        reported = set()
        for loop in stuck_loops(file):
            names = ", ".join(f"`{name}`" for name in loop.names)
            reported.add(loop.test.start_byte)
            yield Hit(loop.test, {"test": shorten(file.text_of(loop.test).strip("()")),
                                  "why": f"it reads only {names}, which the loop never changes"})
        for event in facts(file).of_kind("endless-loop"):
            if event.node.start_byte in reported or event.symbolic is None:
                continue
            names, by_type = event.symbolic
            why = f"no value {names} can hold makes it false, whatever it starts from: its type bounds it" if by_type \
                else f"no value {names} can hold there makes it false"
            yield Hit(event.node, {"test": shorten(event.name), "why": why})
