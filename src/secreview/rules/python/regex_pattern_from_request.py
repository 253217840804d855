"""Regular-expression pattern written by the attacker.

## What it does
Follows request data into the *pattern* argument of the `re` functions
(`re.compile`, `re.match`, `re.search`, `re.fullmatch`, `re.findall`,
`re.finditer`, `re.sub`, `re.subn`, `re.split`). Data used as the string being
searched is not reported; a pattern built from `re.escape(value)` is safe.

## Why is this bad?
Whoever writes the pattern chooses how long matching takes: a pattern with
nested quantifiers such as `(a+)+$` backtracks exponentially and holds a worker
for minutes on a short input (ReDoS, CWE-1333). It also changes what matches:
`.*` in a "username" used for a lookup or an allow-list matches every entry.

## Example
```python
import re
from flask import request

def search(names):
    pattern = re.compile(request.args["q"])
    return [name for name in names if pattern.search(name)]
```

## Use instead
```python
import re
from flask import request

def search(names):
    pattern = re.compile(re.escape(request.args["q"]))
    return [name for name in names if pattern.search(name)]
```

## References
- https://cwe.mitre.org/data/definitions/1333.html
- https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule


class RegexPatternFromRequest(TaintSinkRule):
    id = "regex-pattern-from-request"
    cwe = 1333
    vulnerability = "regex"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Regular expression pattern contains {source}"
    description = (
        "{sink} uses `{argument}` as the pattern, and that pattern contains {source}. The attacker "
        "writes the regular expression: nested quantifiers make matching take exponential time "
        "(denial of service), and metacharacters such as `.*` change what it matches."
    )
    solution = (
        "Match the value literally: `re.escape(value)` before it goes into a pattern, or compare "
        "strings (`==`, `in`, `str.startswith`) instead of building a regular expression."
    )
