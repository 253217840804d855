"""Server-side HTTP request to a URL from attacker-controlled data.

## What it does
Follows request data to the URL of outgoing HTTP requests (`requests.get`,
`urllib.request.urlopen`, `httpx.get` ...), unless the host was checked
against an allow-list on the way.

## Why is this bad?
The server makes the request with its own network position and
credentials: an attacker reaches internal services, cloud metadata endpoints
that hand out credentials (`169.254.169.254`), or uses the server to scan and
attack other hosts (CWE-918).

## Example
```python
import requests
from flask import request

def preview():
    return requests.get(request.args["url"], timeout=5).text
```

## Use instead
```python
from urllib.parse import urlparse

import requests
from flask import abort, request

ALLOWED_HOSTS = {"images.example.com"}

def preview():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        abort(400)
    return requests.get(url, timeout=5).text
```

## References
- https://cwe.mitre.org/data/definitions/918.html
- https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.lang.python.file import PyFile
from secreview.rules.python._taint import TaintSinkRule, url_host_parts


class ServerSideRequestForgery(TaintSinkRule):
    id = "server-side-request-forgery"
    cwe = 918
    vulnerability = "ssrf"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Outgoing request URL comes from {source}"
    description = (
        "{sink} fetches `{argument}`, a URL taken from {source} without a check of its host. The request "
        "leaves from this server, so an attacker can reach internal services and cloud metadata endpoints "
        "(which hand out credentials) or use the server to probe other hosts."
    )
    solution = (
        "Parse the URL with `urllib.parse.urlparse()` and refuse it unless its scheme is `https` and its "
        "hostname is in an allow-list; never let the client choose arbitrary hosts or ports."
    )

    def deciding_parts(self, file: PyFile, data):
        return url_host_parts(file, data, relative_is_fixed=False)
