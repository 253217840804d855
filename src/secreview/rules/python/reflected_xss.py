"""HTML response built from attacker-controlled data without escaping.

## What it does
Follows request data to what a web handler sends back as HTML: the string a
Flask view returns, the body given to `make_response`, `Response` or Django's
`HttpResponse`, and `Markup`/`mark_safe`. It reports the flow unless the
value was escaped (`html.escape`, `markupsafe.escape`) or rendered through an
auto-escaping template on the way.

## Why is this bad?
Markup in the value (`<script>`, event-handler attributes) runs in the
victim's browser with the site's origin: it can steal session cookies and
tokens, act as the user, or rewrite the page (CWE-79). A link carrying the
payload is enough to attack anyone who follows it.

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/hello")
def hello():
    return "<p>Hello " + request.args.get("name", "") + "</p>"
```

## Use instead
```python
import html
from flask import Flask, request

app = Flask(__name__)

@app.route("/hello")
def hello():
    return "<p>Hello " + html.escape(request.args.get("name", "")) + "</p>"
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import own_returns
from secreview.lang.python.web import route_handlers
from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule

# what a view may return that is not an HTML body built by the view itself
_NOT_A_BODY = frozenset({"call", "none", "true", "false", "integer", "dictionary", "list"})


class ReflectedXss(TaintSinkRule):
    id = "reflected-xss"
    family = "html-injection"
    cwe = 79
    vulnerability = "xss"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "HTML response contains {source} without escaping"
    description = (
        "{sink} sends `{argument}` to the browser as HTML, and it contains {source} that was never "
        "HTML-escaped. An attacker who gets a victim to open a crafted link or form injects markup and "
        "script that run with this site's origin: session theft, actions in the victim's name, page "
        "defacement."
    )
    solution = (
        "Escape the value where it enters the HTML (`html.escape(value)` or `markupsafe.escape(value)`), or "
        "render it through a Jinja2 template with autoescaping (`render_template`) instead of building HTML "
        "strings by hand."
    )

    def extra_sinks(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        if not file.imports_module("flask"):
            return
        for handler in route_handlers(file):
            name = file.text_of(handler.child_by_field_name("name"))
            for returned in (r.named_children[0] for r in own_returns(file, handler) if r.named_children):
                body = returned.named_children[0] if returned.type == "tuple" and returned.named_children \
                    else returned
                if body.type not in _NOT_A_BODY:
                    yield body, f"the response of view `{name}`", body
