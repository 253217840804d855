"""Attacker-controlled data executed as Python code.

## What it does
Follows request data, command-line arguments and other sources to `eval`,
`exec` and `execfile`. (`eval-non-literal` reports the same calls when the
code comes from callers whose origin cannot be seen.)

## Why is this bad?
Whoever controls the text controls the process: `__import__('os').system(...)`
runs any command with the application's privileges (CWE-94).

## Example
```python
from flask import request

def calculate():
    return str(eval(request.args["expression"]))
```

## Use instead
```python
import ast
from flask import request

def calculate():
    return str(ast.literal_eval(request.args["expression"]))
```

## References
- https://cwe.mitre.org/data/definitions/94.html
- https://docs.python.org/3/library/ast.html#ast.literal_eval
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule


class CodeInjection(TaintSinkRule):
    id = "code-injection"
    family = "code-execution"
    cwe = 94
    vulnerability = "code"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    message = "{source} is executed as Python code"
    description = (
        "{sink} executes `{argument}`, which comes from {source}. An attacker sends Python instead of data, "
        "for example `__import__('os').system('...')`, and runs arbitrary commands with this process's "
        "privileges."
    )
    solution = (
        "Never execute user input. Parse literals with `ast.literal_eval()`, map names to functions through "
        "a dict of allowed operations, or use a dedicated expression evaluator with an allow-listed grammar."
    )
