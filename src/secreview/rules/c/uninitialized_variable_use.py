"""Local variable read before anything was assigned to it.

## What it does
Flags the first occurrence of a local scalar or pointer variable declared
without an initialiser when that occurrence reads it: nothing earlier in the
function assigns it, passes its address (`&x`) to be filled, or measures it
with `sizeof`. Assignments made only in some branches count as assignments
(the rule stays quiet), so what it reports is read on every path.

The value-flow engine also follows such a variable along each path: a read
on a path on which nothing assigned it (`if (flag) x = 1; return x;`, a
`switch` with no `default` that assigns it in every case) is reported too,
as a definite defect when that path took at most one branch nothing decides
(otherwise in the audit profile). A first occurrence that reads the variable
is definite in the same way when the engine sees the read on such a path
(macros that may assign it, and loops that assign it in an earlier round,
leave it to the audit profile).

## Why is this bad?
An uninitialised local holds whatever an earlier call left in that stack slot.
Its value is unpredictable and sometimes attacker-influenced (they shaped the
earlier call's data): a length, an index or a pointer taken from it leads to
out-of-bounds accesses or writes to chosen addresses, and printing it leaks
old stack contents (CWE-457).

## Example
```c
#include <stdio.h>

void report(int verbose) {
    int count;
    printf("%d items\n", count);
}
```

## Use instead
```c
#include <stdio.h>

void report(int verbose) {
    int count = 0;
    printf("%d items\n", count);
}
```

## References
- https://cwe.mitre.org/data/definitions/457.html
- https://wiki.sei.cmu.edu/confluence/display/c/EXP33-C.+Do+not+read+uninitialized+memory
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.file import CFile, Variable
from secreview.lang.c_family.initialisation import declared_without_value, reads_value
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.c import ValueFlowRule
from secreview.valueflow import facts



class UninitializedVariableUse(ValueFlowRule):
    hit_evidence = frozenset({Evidence.DEFINITE})
    id = "uninitialized-variable-use"
    cwe = 457
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{name}` is read before any value was assigned to it"
    description = (
        "`{name}` is declared on line {declared_line} without an initial value, and `{code}` reads it before "
        "anything assigns it. It holds whatever an earlier call left in that stack slot: unpredictable and "
        "sometimes shaped by an attacker, so lengths, indices or pointers derived from it go astray and "
        "printing it leaks old stack data."
    )
    solution = "Initialise `{name}` where it is declared (e.g. `= 0` or `= NULL`), or assign it on every path before this use."

    def check(self, file: CFile) -> Iterator[Hit]:
        reported = set()
        # the value-flow engine's reads on a path of their own: definite, whichever part reports them
        proven = {event.node.start_byte for event in facts(file).of_kind("uninitialised-read") if event.certain}
        for function in file.nodes_of_type("function_definition"):
            if function.has_error:
                continue  # unreadable macros may hide the assignment
            for variable in file.variables_in(function).values():
                if not declared_without_value(file, variable):
                    continue
                first = self._first_occurrence(file, function, variable)
                if first is not None and reads_value(first, file.language == "cpp"):
                    reported.add(first.start_byte)
                    yield Hit(first.parent if first.parent is not None else first, {
                        "name": variable.name, "declared_line": str(variable.identifier.start_point[0] + 1)},
                        evidence=Evidence.DEFINITE if first.start_byte in proven else None)
        for event in facts(file).of_kind("uninitialised-read"):  # read on some path that assigned it nothing
            if event.node.start_byte in reported or event.origin is None:
                continue
            reported.add(event.node.start_byte)
            yield Hit(event.node.parent if event.node.parent is not None else event.node, {
                "name": event.name, "declared_line": str(event.origin.node.start_point[0] + 1)},
                evidence=Evidence.DEFINITE if event.certain else None)

    @staticmethod
    def _first_occurrence(file: CFile, function: ts.Node, variable: Variable) -> ts.Node | None:
        body = function.child_by_field_name("body")
        if body is None:
            return None
        later = [n for n in flow.occurrences(file, body, variable.name)
                 if n.start_byte > variable.identifier.end_byte and file.variable(n) == variable
                 and not _in_macro_definition(n)]
        if later and _in_loop_update(later[0]):
            return None  # `for (...; ...; e = next)`: the update runs after the body, which may assign it
        return later[0] if later else None


def _in_loop_update(node: ts.Node) -> bool:
    return any(a.parent is not None and a.parent.type == "for_statement" and
               a.parent.child_by_field_name("update") == a for a in CFile.ancestors(node))


def _in_macro_definition(node: ts.Node) -> bool:
    return any(a.type in ("preproc_function_def", "preproc_def", "preproc_params", "preproc_call")
               for a in CFile.ancestors(node))
