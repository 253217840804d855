"""HTML response built from attacker-controlled data without escaping.

## What it does
Follows request data to what a web handler sends back as HTML: the string a
Flask view returns, the body given to `make_response`, `Response` or Django's
`HttpResponse`, Starlette's `HTMLResponse`, aiohttp's `web.Response` with an
HTML content type, Tornado's `self.write`/`finish`, http.server's
`self.wfile.write`, and `Markup`/`mark_safe`. It reports the flow unless the
value was escaped (`html.escape`, `markupsafe.escape`) or rendered through an
auto-escaping template on the way, or the response declares a type browsers do
not render as HTML (`mimetype="text/plain"`, `resp.headers["Content-Type"] =
"application/json"`, a returned headers dict, a request handler's
`self.send_header("Content-Type", "application/json")`).

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

from secreview.knowledge import registry
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import own_returns
from secreview.lang.python.web import route_handlers
from secreview.model import Confidence, Severity
from secreview.rules import Hit
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

    def check(self, file: PyFile) -> Iterator[Hit]:
        for hit in super().check(file):
            if not _declared_not_html(file, hit.node):
                yield hit

    def extra_sinks(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        if not file.imports_module("flask"):
            return
        for handler in route_handlers(file):
            name = file.text_of(handler.child_by_field_name("name"))
            for returned in (r.named_children[0] for r in own_returns(file, handler) if r.named_children):
                body = returned.named_children[0] if returned.type in ("tuple", "expression_list") \
                    and returned.named_children else returned
                if body.type not in _NOT_A_BODY and not _holds_a_response(file, body):
                    yield body, f"the response of view `{name}`", body


_TYPE_KEYWORDS = ("mimetype", "content_type")


def _holds_a_response(file: PyFile, body: ts.Node) -> bool:
    """A returned name bound only to response objects (`resp = make_response(...)`): the builder call is
    the sink, judged on its own; the returned name is not a second HTML string the view wrote."""
    if body.type != "identifier":
        return False
    builders = registry.python().response_builders
    values = [file.bound_value(binding, identifier) for binding, identifier in file.reaching_bindings(body)]
    return bool(values) and all(value is not None and value.type == "call"
                                and file.call_at(value).name in builders for value in values)


def _declared_not_html(file: PyFile, body: ts.Node) -> bool:
    """The response carrying `body` says it is not HTML: a dict or list body (sent as JSON), a constant
    content type without `html` given to the call that builds it, in the headers of a returned tuple, or set later on the variable that
    holds it (`resp.mimetype = ...`, `resp.content_type = ...`, `resp.headers["Content-Type"] = ...`)."""
    if _handler_declares_not_html(file, body):
        return True
    response = body if body.type == "call" else body.parent
    if response is None:
        return False
    if response.type == "call":
        call = file.call_at(response)
        if any(_not_html(file, call.kwargs.get(keyword)) for keyword in _TYPE_KEYWORDS):
            return True
        first = call.arg(0, "response")
        if first is not None and first.type in ("dictionary", "list"):
            return True  # Flask serialises a dict or list body as JSON
    elif response.type in ("tuple", "expression_list"):
        if any(_not_html(file, _content_type_of(file, item)) for item in response.named_children[1:]):
            return True
    holder = response.parent
    if holder is None or holder.type != "assignment" or holder.child_by_field_name("left").type != "identifier":
        return False
    name = file.text_of(holder.child_by_field_name("left"))
    function = file.inside(holder, ("function_definition",))
    for assign in file.nodes_of_type("assignment", within=function or file.root):
        target = file.text_of(assign.child_by_field_name("left")).replace(" ", "")
        if target in (f"{name}.mimetype", f"{name}.content_type") or \
                target.lower() in (f'{name}.headers["content-type"]', f"{name}.headers['content-type']"):
            if _not_html(file, assign.child_by_field_name("right")):
                return True
    return False


# header setters of a request handler's own response: http.server's `send_header`, Tornado's `set_header`
_HEADER_SETTERS = ("send_header", "set_header")


def _handler_declares_not_html(file: PyFile, body: ts.Node) -> bool:
    """The request handler writing `body` sets a constant Content-Type that is not HTML on its own response
    (`self.send_header("Content-Type", "application/json")`)."""
    function = file.inside(body, ("function_definition",))
    if function is None:
        return False
    for method in _HEADER_SETTERS:
        for call in file.method_calls(method):
            if call.receiver is not None and file.text_of(call.receiver) == "self" and \
                    str(file.constant_value(call.arg(0))).lower() == "content-type" and \
                    file.inside(call.node, ("function_definition",)) == function and _not_html(file, call.arg(1)):
                return True
    return False


def _content_type_of(file: PyFile, headers: ts.Node) -> ts.Node | None:
    if headers.type != "dictionary":
        return None
    for pair in headers.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None and str(file.constant_value(key)).lower() == "content-type":
            return pair.child_by_field_name("value")
    return None


def _not_html(file: PyFile, node: ts.Node | None) -> bool:
    value = file.constant_value(node) if node is not None else None
    return isinstance(value, str) and "html" not in value.lower() and "xml" not in value.lower()
