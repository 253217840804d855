"""Template source built from attacker-controlled data.

## What it does
Follows request data into the *source* of a template: `render_template_string`,
`jinja2.Template(...)`, `Environment.from_string`, Django's and Mako's
`Template(...)`.

## Why is this bad?
Template languages are programming languages. When the attacker writes part
of the template, expressions such as `{{ ''.__class__.__mro__ }}` reach
Python objects and, from there, run arbitrary code on the server
(CWE-1336); escaping of the *output* does not help.

## Example
```python
from flask import render_template_string, request

def greet():
    return render_template_string("<p>Hello " + request.args["name"] + "</p>")
```

## Use instead
```python
from flask import render_template_string, request

def greet():
    return render_template_string("<p>Hello {{ name }}</p>", name=request.args["name"])
```

## References
- https://cwe.mitre.org/data/definitions/1336.html
- https://portswigger.net/web-security/server-side-template-injection
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule


class ServerSideTemplateInjection(TaintSinkRule):
    id = "server-side-template-injection"
    cwe = 1336
    vulnerability = "ssti"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    message = "Template source contains {source}"
    description = (
        "{sink} compiles `{argument}` as a template, and that source contains {source}. The attacker "
        "writes template code, not data: template expressions reach Python objects and can read "
        "configuration secrets or run commands on the server."
    )
    solution = (
        "Keep the template source constant and pass user data as a context variable, e.g. "
        "`render_template_string(\"Hello {{ name }}\", name=value)`, or use a file template."
    )
