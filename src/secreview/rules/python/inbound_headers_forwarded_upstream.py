"""Incoming request headers forwarded wholesale to another server.

## What it does
Flags outgoing HTTP requests (`requests`, `httpx`, `aiohttp`, `urllib3`,
`urllib.request.Request`, a `Session`/`Client`'s `request()`/`get()`/
`post()`...) whose `headers=` is the incoming request's headers as a whole:
`request.headers`, `dict(request.headers)`, `{**request.headers}`,
`request.headers.copy()` or `.items()`, `request.META`, or a name bound to
one of them that is never filtered (no `del h[...]`, `h.pop(...)` and no
comprehension that skips names), in modules that use a web framework (in
an HTTP client library, `request` is the outgoing request). Typical in
hand-written proxies and API gateways.

## Why is this bad?
Hop-by-hop and framing headers belong to one connection: forwarding the
client's `Content-Length`, `Transfer-Encoding`, `Connection`, `Upgrade` or
`TE` next to a body the HTTP library re-frames makes the proxy and the
upstream server disagree on where the request ends, so a client can smuggle
a second request past the proxy's checks (HTTP request smuggling), and a
forwarded `Host` routes it to another virtual host. Every other header
travels too: the client's cookies and `Authorization` reach a third-party
server, and headers the upstream trusts (`X-Forwarded-For`, `X-User`,
`X-Internal-...`) are set by the attacker.

## Example
```python
import requests
from flask import Flask, request

app = Flask(__name__)

@app.route("/api/<path:path>", methods=["GET", "POST"])
def proxy(path):
    upstream = requests.request(request.method, "http://backend:8080/" + path,
                                headers=dict(request.headers), data=request.get_data())
    return upstream.content, upstream.status_code
```

## Use instead
```python
import requests
from flask import Flask, request

app = Flask(__name__)
FORWARDED = ("Accept", "Accept-Language", "Content-Type")

@app.route("/api/<path:path>", methods=["GET", "POST"])
def proxy(path):
    headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
    upstream = requests.request(request.method, "http://backend:8080/" + path,
                                headers=headers, data=request.get_data())
    return upstream.content, upstream.status_code
```

## References
- https://cwe.mitre.org/data/definitions/444.html
- https://www.rfc-editor.org/rfc/rfc9110#name-connection
- https://portswigger.net/web-security/request-smuggling
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.expressions import leaf_name
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.requests import is_request_object
from secreview.lang.python.scopes import function_of
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.knowledge.vocabulary import words

_CLIENT_MODULES = ("requests", "httpx", "aiohttp", "urllib3", "urllib.request", "tornado.httpclient", "pycurl")
_CLIENT_METHODS = frozenset({"request", "get", "post", "put", "patch", "delete", "head", "options", "stream",
                             "fetch", "urlopen", "send"})
_CLIENT_RECEIVER_WORDS = frozenset({"session", "client", "http", "requests", "httpx", "pool", "conn", "connection",
                                    "upstream", "backend", "api"})
_HEADER_ATTRIBUTES = frozenset({"headers", "META"})
_MAPPING_COPIES = frozenset({"dict", "collections.OrderedDict", "CaseInsensitiveDict",
                             "requests.structures.CaseInsensitiveDict"})
_SERVER_FRAMEWORKS = ("flask", "django", "starlette", "fastapi", "werkzeug", "bottle", "tornado.web", "falcon",
                      "pyramid", "quart", "sanic", "aiohttp.web", "rest_framework", "webob", "litestar")


class InboundHeadersForwardedUpstream(Rule):
    id = "inbound-headers-forwarded-upstream"
    cwe = 444
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Incoming request headers forwarded wholesale: {code}"
    description = (
        "`{code}` sends `{headers}` — every header the client put on its request — to another server. The "
        "client's `Content-Length`/`Transfer-Encoding`/`Connection` headers disagree with how the HTTP library "
        "frames the forwarded body, so a client can smuggle a second request past this proxy (HTTP request "
        "smuggling); its `Host` picks the upstream virtual host, its cookies and `Authorization` reach the "
        "upstream, and headers the upstream trusts (`X-Forwarded-For`, `X-User`...) are chosen by the attacker."
    )
    solution = (
        "Forward an allow-list of end-to-end headers only (`dict((k, v) for k, v in {headers}.items() if k in "
        "FORWARDED)` instead of `{headers}`), drop hop-by-hop headers (`Connection`, `Keep-Alive`, "
        "`Transfer-Encoding`, `TE`, "
        "`Upgrade`, `Proxy-*`), `Host` and `Content-Length`, and set `X-Forwarded-*` yourself."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "headers" not in file.text and "META" not in file.text:
            return
        if not any(file.imports_module(module) for module in _SERVER_FRAMEWORKS):
            return  # in an HTTP client library `request` is the outgoing request
        for argument in file.nodes_of_type("keyword_argument"):
            if file.text_of(argument.child_by_field_name("name")) != "headers":
                continue
            call_node = argument.parent.parent if argument.parent is not None else None
            if call_node is None or call_node.type != "call":
                continue
            call = file.call_at(call_node)
            if not _outgoing(file, call):
                continue
            value = argument.child_by_field_name("value")
            if _inbound_headers(file, value):
                yield Hit(call_node, {"code": shorten(file.text_of(call_node), 80),
                                      "headers": shorten(file.text_of(value), 50)})


def _outgoing(file: PyFile, call: Call) -> bool:
    name = call.name or ""
    if any(name == module or name.startswith(module + ".") for module in _CLIENT_MODULES):
        return True
    if call.method in _CLIENT_METHODS and call.receiver is not None:
        receiver = (leaf_name(file, call.receiver) or file.text_of(call.receiver)).lower()
        return any(word in _CLIENT_RECEIVER_WORDS for word in words(receiver)) or receiver in _CLIENT_RECEIVER_WORDS
    return False


def _inbound_headers(file: PyFile, value: ts.Node | None, _depth: int = 0) -> bool:
    value = unwrap(value)
    if value is None or _depth > 2:
        return False
    if value.type == "attribute":
        return file.text_of(value.child_by_field_name("attribute")) in _HEADER_ATTRIBUTES and \
            is_request_object(file, value.child_by_field_name("object"))
    if value.type == "call":
        call = file.call_at(value)
        if call.name in _MAPPING_COPIES and len(call.args) == 1 and not call.kwargs:
            return _inbound_headers(file, call.args[0], _depth + 1)
        if call.method in ("copy", "items", "to_wsgi_list") and call.receiver is not None:
            return _inbound_headers(file, call.receiver, _depth + 1)
        return False
    if value.type == "dictionary":
        entries = value.named_children
        return len(entries) == 1 and entries[0].type == "dictionary_splat" and \
            _inbound_headers(file, entries[0].named_children[0] if entries[0].named_children else None, _depth + 1)
    if value.type == "identifier":
        bindings = file.reaching_bindings(value)
        if len(bindings) != 1:
            return False
        bound = file.bound_value(*bindings[0])
        if bound is None or not _inbound_headers(file, bound, _depth + 1):
            return False
        return not _filtered(file, value, bindings[0][0])
    return False


def _filtered(file: PyFile, name_node: ts.Node, binding: ts.Node) -> bool:
    """The bound copy is edited between its binding and the call (`del h["Host"]`, `h.pop(...)`, `h[k] = v`)."""
    name = file.text_of(name_node)
    scope = function_of(file, name_node) or file.root
    start, end = binding.end_byte, name_node.start_byte
    for call in file.method_calls("pop", "popitem", "clear", "update", "setdefault", "__delitem__", "remove"):
        if start <= call.node.start_byte < end and call.receiver is not None and file.text_of(call.receiver) == name \
                and scope.start_byte <= call.node.start_byte < scope.end_byte:
            return True
    text = file.data[start:end].decode("utf-8", "replace")
    return f"del {name}[" in text or f"{name}[" in text
