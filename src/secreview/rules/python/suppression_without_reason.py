"""Suppression comment that does not say why the finding is acceptable.

## What it does
Flags a `# secreview: ignore[...]` comment (`// secreview: ignore[...]` in C
and C++) with no reason after it. The suppression still hides the finding it
names; this finding asks for the missing sentence. It applies to Python, C and
C++ files alike.

## Why is this bad?
A suppression is a security decision: someone judged that the flagged code
cannot be abused. Without the reason, the next reviewer cannot check that
judgement, cannot tell when a change to the code has made it false (the
"constant" command now takes a parameter), and cannot tell a considered
decision from a way to get a red build green. Suppressions without reasons
accumulate into blind spots that nobody owns.

## Example
```python
import subprocess

def archive(name):
    subprocess.run("tar czf backup.tgz " + name, shell=True)  # secreview: ignore[subprocess-shell-true]
```

## Use instead
```python
import subprocess

def archive(name):
    # secreview: ignore[subprocess-shell-true] name is one of BACKUP_SETS, checked by the caller
    subprocess.run("tar czf backup.tgz " + name, shell=True)
```

## References
- https://cwe.mitre.org/data/definitions/1059.html
- The README section "Suppressions and baselines"
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview import suppressions
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule


class SuppressionWithoutReason(Rule):
    id = "suppression-without-reason"
    cwe = 1059
    severity = Severity.LOW
    confidence = Confidence.HIGH
    language = "python"
    languages = ("python", "c", "cpp")
    message = "Suppression without a reason: `{directive}`"
    description = (
        "`{directive}` hides a security finding on this line but does not say why the flagged code is "
        "safe. A later reviewer cannot check the judgement or notice when a change makes it false, so the "
        "suppression can keep hiding a real, exploitable defect long after the code it was written for "
        "has changed. The suppression still applies; this finding asks for its reason."
    )
    solution = (
        "Write the reason after the directive, on the same comment: `{directive} <why this is safe>`, for "
        "example `# secreview: ignore[subprocess-shell-true] the command is a constant`. If the finding is "
        "no longer there, delete the comment."
    )

    def check(self, file) -> Iterator[Hit]:
        for directive in suppressions.directives(file):
            if directive.tool == suppressions.OWN and not directive.reason:
                node = file.root.descendant_for_byte_range(directive.start_byte, directive.end_byte)
                yield Hit(node or file.root, {"directive": directive.text})
