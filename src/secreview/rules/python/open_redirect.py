"""Redirect to a URL taken from attacker-controlled data.

## What it does
Follows request data to `redirect(...)` and the redirect responses of Flask,
Werkzeug, Django and Starlette, and reports the flow unless the target was
checked against an allow-list of hosts (for example
`urlparse(url).netloc in ALLOWED_HOSTS`) on the way.

## Why is this bad?
An open redirect lets an attacker send links that start at the trusted site
and land on a page of their choosing: phishing pages that look legitimate,
OAuth flows that leak tokens to the attacker's host, or `javascript:` URLs
in some clients (CWE-601).

## Example
```python
from flask import redirect, request

def after_login():
    return redirect(request.args.get("next"))
```

## Use instead
```python
from urllib.parse import urlparse
from flask import redirect, request

ALLOWED_HOSTS = {"example.com"}

def after_login():
    target = request.args.get("next", "/")
    if urlparse(target).netloc not in ALLOWED_HOSTS:
        target = "/"
    return redirect(target)
```

## References
- https://cwe.mitre.org/data/definitions/601.html
- https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.lang.python.file import PyFile
from secreview.rules.python._taint import TaintSinkRule, url_host_parts


class OpenRedirect(TaintSinkRule):
    id = "open-redirect"
    cwe = 601
    vulnerability = "redirect"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Redirect target comes from {source}"
    description = (
        "{sink} sends the browser to `{argument}`, which comes from {source} without a check of its host. "
        "An attacker crafts a link on this trusted site that forwards victims to a look-alike phishing page "
        "or to a host that collects OAuth codes and tokens."
    )
    solution = (
        "Redirect only to relative paths of this site or to hosts in an allow-list: parse the target with "
        "`urllib.parse.urlparse()` and fall back to a fixed page unless `netloc` is empty (and the path starts "
        "with a single `/`) or is one of the allowed hosts."
    )

    def deciding_parts(self, file: PyFile, data):
        return url_host_parts(file, data, relative_is_fixed=True)
