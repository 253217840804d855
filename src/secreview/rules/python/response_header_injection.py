"""HTTP response header written with attacker-controlled data.

## What it does
Follows request data to the value of a response header that the server writes
as it is: `send_header(name, value)` of a `http.server` (or Python 2
`BaseHTTPServer`) request handler, which neither rejects nor strips CR and LF.
Frameworks that refuse line breaks in header values (Werkzeug, Django,
Tornado) are not sinks. Values that went through `int()`, `urllib.parse.quote`
or a replacement of the line breaks are accepted.

## Why is this bad?
A value carrying `\r\n` ends the header and starts new ones, or the body:
the attacker sets cookies in the victim's browser (session fixation), adds a
`Location` or `Content-Type`, or writes a whole second response that a cache
in between stores for everyone (HTTP response splitting, CWE-113). Values
decoded from the query string (`parse_qs`) contain such characters whenever the
attacker percent-encodes them.

## Example
```python
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        lang = parse_qs(urlparse(self.path).query).get("lang", ["en"])[0]
        self.send_response(200)
        self.send_header("Content-Language", lang)
        self.end_headers()
```

## Use instead
```python
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, urlparse


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        lang = parse_qs(urlparse(self.path).query).get("lang", ["en"])[0]
        self.send_response(200)
        self.send_header("Content-Language", quote(lang))
        self.end_headers()
```

## References
- https://cwe.mitre.org/data/definitions/113.html
- https://owasp.org/www-community/attacks/HTTP_Response_Splitting
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule


class ResponseHeaderInjection(TaintSinkRule):
    id = "response-header-injection"
    cwe = 113
    vulnerability = "header"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "HTTP response header contains {source}"
    description = (
        "{sink} writes `{argument}` into the response headers unchanged, and it contains {source}. A value "
        "with CR/LF (`%0d%0a` in the query string) ends the header and injects new ones or a whole response: "
        "cookies set in the victim's browser, redirects, content poisoned in shared caches."
    )
    solution = (
        "Reject or remove `\\r` and `\\n` in the value before it becomes a header (`if \"\\r\" in value or \"\\n\" "
        "in value: reject`), or encode it (`urllib.parse.quote(value)`); better, accept only values from a "
        "fixed set."
    )
