"""requests, httpx and urllib3: HTTP clients (where a request goes) and URL parsing."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sink

_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

KNOWLEDGE = PythonKnowledge(
    name="requests",
    sinks=(
        *(Sink("ssrf", callee=f"requests.{name}", keyword="url", description="sends an HTTP request")
          for name in _METHODS),
        Sink("ssrf", callee="requests.request", arg=1, keyword="url", description="sends an HTTP request"),
        *(Sink("ssrf", callee=name, keyword="url", description="fetches a URL") for name in ("httpx.get", "httpx.post")),
    ),
    url_parsers=frozenset({"urllib3.util.parse_url"}),
    url_host_attributes=frozenset({"host"}),
)
