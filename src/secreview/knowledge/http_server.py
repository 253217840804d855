"""http.server (and Python 2's BaseHTTPServer): the response a `BaseHTTPRequestHandler` writes.

The request attributes of `self` in `do_GET`/`do_POST` (`self.path`, `self.headers`,
`self.rfile`) are declared with the standard library (`knowledge/stdlib.py`).
`send_header` writes the value as it is, CR and LF included: request data there
splits the response (CWE-113); `Location` redirects the browser.
"""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

_MODULES = ("http.server", "BaseHTTPServer", "SimpleHTTPServer")

KNOWLEDGE = PythonKnowledge(
    name="http_server",
    sinks=tuple(
        sink for module in _MODULES for sink in (
            Sink("xss", method="write", requires_import=module, when="response_writer",
                 description="writes the HTTP response body"),
            Sink("header", method="send_header", arg=1, keyword="value", requires_import=module,
                 description="writes an HTTP response header"),
            Sink("redirect", method="send_header", arg=1, keyword="value", requires_import=module,
                 when="location_header", description="redirects the browser"),
        )
    ),
)
