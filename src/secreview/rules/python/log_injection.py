"""Log message built from attacker-controlled data.

## What it does
Follows request data into the message of `logging` calls.

## Why is this bad?
Line breaks and control characters in the value let an attacker forge log
entries (a fake "login succeeded" line), hide their traces or exploit the
tools that display logs (CWE-117). Shown at low confidence: many logs are
only read by people, and the `%`-style arguments of `logging` are safe when
the formatter escapes them.

## Example
```python
import logging
from flask import request

def login():
    logging.info("login attempt for " + request.form["user"])
```

## Use instead
```python
import logging
from flask import request

def login():
    user = request.form["user"].replace("\n", "\\n").replace("\r", "\\r")
    logging.info("login attempt for %s", user)
```

## References
- https://cwe.mitre.org/data/definitions/117.html
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule


class LogInjection(TaintSinkRule):
    id = "log-injection"
    cwe = 117
    vulnerability = "log"
    severity = Severity.LOW
    confidence = Confidence.LOW
    sourced_confidence = Confidence.MEDIUM  # attacker data in a log: shown by default (issue 13)
    message = "Log message contains unneutralised {source}"
    description = (
        "{sink} writes `{argument}`, which contains {source}. A value with line breaks or terminal control "
        "characters forges extra log entries or hides real ones, misleading whoever investigates an "
        "incident from these logs."
    )
    solution = (
        "Pass user data as `%s` arguments and neutralise line breaks (`value.replace(\"\\n\", \"\\\\n\")`), or "
        "use a structured (JSON) log formatter that escapes control characters."
    )
