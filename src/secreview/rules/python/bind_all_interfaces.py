"""Server bound to every network interface (0.0.0.0 / ::).

## What it does
Flags servers that listen on all interfaces: `sock.bind(("0.0.0.0", port))`
or `("", port)` / `("::", port)`, `socket.create_server(...)`,
`socketserver` / `http.server` servers and `wsgiref.simple_server.make_server`
given such an address, and `host="0.0.0.0"` (or `"::"`) passed to
`app.run(...)` (Flask, Socket.IO), `uvicorn.run`, `aiohttp.web.run_app`,
`waitress.serve`, `werkzeug.serving.run_simple`, `asyncio.start_server` and
`loop.create_server`. Loopback addresses and addresses taken from
configuration are not reported.

## Why is this bad?
Binding to 0.0.0.0 exposes the service on every network the machine is
attached to (public interfaces, VPNs, Docker bridges, the office Wi-Fi), not
just where it was meant to be reachable. Development servers, admin
consoles, debuggers and internal APIs without authentication become
reachable by anyone who can route to the host. Inside a container this may
be intended; then make it an explicit configuration value.

## Example
```python
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080)
```

## Use instead
```python
import os
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host=os.environ.get("BIND_HOST", "127.0.0.1"), port=8080)
```

## References
- https://cwe.mitre.org/data/definitions/1327.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.strings import constant_string
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule

_ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0", "*"})
# callee -> (position, keyword) of the (host, port) address tuple
_ADDRESS_TUPLES = {name: (0, "server_address") for name in (
    "socketserver.TCPServer", "socketserver.UDPServer", "socketserver.ThreadingTCPServer",
    "socketserver.ThreadingUDPServer", "socketserver.ForkingTCPServer", "socketserver.ForkingUDPServer",
    "http.server.HTTPServer", "http.server.ThreadingHTTPServer", "SocketServer.TCPServer",
    "SocketServer.ThreadingTCPServer", "BaseHTTPServer.HTTPServer", "xmlrpc.server.SimpleXMLRPCServer",
    "SimpleXMLRPCServer.SimpleXMLRPCServer",
)}
_ADDRESS_TUPLES["socket.create_server"] = (0, "address")
# callee -> (position, keyword) of a host string
_HOSTS = {"werkzeug.serving.run_simple": (0, "hostname"), "werkzeug.run_simple": (0, "hostname"),
          "wsgiref.simple_server.make_server": (0, "host"), "asyncio.start_server": (1, "host"),
          "uvicorn.run": (None, "host"), "aiohttp.web.run_app": (None, "host"), "waitress.serve": (None, "host")}
_HOST_METHODS = {"run": (None, "host"), "create_server": (1, "host"), "run_app": (None, "host"),
                 "serve": (None, "host"), "start_server": (1, "host")}


class BindAllInterfaces(Rule):
    id = "bind-all-interfaces"
    cwe = 1327
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "Server listens on all network interfaces ({address}): {code}"
    description = (
        "`{code}` listens on {address}, i.e. on every interface of the machine (public addresses, VPNs, "
        "container bridges, shared Wi-Fi), not only where the service is meant to be reachable. Anyone "
        "who can route to the host can reach this service, including development servers, debuggers, "
        "admin or internal endpoints that rely on not being exposed."
    )
    solution = (
        "Bind to the interface the service needs, usually `127.0.0.1` for local use, and make the "
        "address explicit configuration (e.g. `host=os.environ.get(\"BIND_HOST\", \"127.0.0.1\")`) when a "
        "container or proxy setup really needs 0.0.0.0."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        seen: set[int] = set()
        for call in file.calls_to(*_ADDRESS_TUPLES, *_HOSTS):
            seen.add(call.node.start_byte)
            name = call.name or ""
            if name in _ADDRESS_TUPLES:
                yield from self._tuple(file, call, call.arg(*_ADDRESS_TUPLES[name]))
            else:
                yield from self._host(file, call, call.arg(*_HOSTS[name]))
        for call in file.method_calls("bind", *_HOST_METHODS):
            if call.node.start_byte in seen:
                continue
            if call.method == "bind":
                if len(call.args) == 1:
                    yield from self._tuple(file, call, call.args[0])
            else:
                yield from self._host(file, call, call.arg(*_HOST_METHODS[call.method or ""]), empty_ok=False)

    @staticmethod
    def _tuple(file: PyFile, call: Call, node) -> Iterator[Hit]:
        value = file.constant_value(node)
        if not isinstance(value, tuple):
            if node is not None and node.type == "tuple" and node.named_children:
                value = (file.constant_value(node.named_children[0]),)
            else:
                return
        if len(value) > 1 and value[1] == 0:
            return  # port 0: the OS picks a free port, typically probed and closed again, not served
        if value and isinstance(value[0], str) and value[0] in _ALL_INTERFACES:
            yield Hit(call.node, {"address": f'host "{value[0]}"'})

    @staticmethod
    def _host(file: PyFile, call: Call, node, empty_ok: bool = True) -> Iterator[Hit]:
        host = constant_string(file, node)
        if host is None or host not in _ALL_INTERFACES or (not host and not empty_ok) or host == "*":
            return
        yield Hit(call.node, {"address": f'host "{host}"'})
