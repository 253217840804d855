"""HTTP request made without a timeout.

## What it does
Flags `requests` calls (`requests.get/post/put/patch/delete/head/options/
request`, and the same methods on a `requests.Session()` bound in this
file, including `with requests.Session() as s:`, `self.session =
requests.Session()` and a parameter annotated `requests.Session`) and `urllib.request.urlopen()` calls that pass no
`timeout=`, or `timeout=None`. What the receiver holds in its scope decides,
not its name (lang/python/types.py): `session.get(key)` on a dict bound to
`session` in this function or class is not an HTTP call. Calls that forward `**kwargs` are not
reported (the timeout may be in there); `httpx` is not reported because it
has a default timeout.

## Why is this bad?
`requests` and `urlopen` wait forever by default. A slow or malicious server
(or one the attacker points the application at, through a URL parameter or a
webhook) can accept the connection and then send nothing, or trickle one
byte at a time: each such request pins a worker thread or process
indefinitely, and a handful of them exhaust the pool and take the service
down.

## Example
```python
import requests

def fetch_avatar(url):
    return requests.get(url).content
```

## Use instead
```python
import requests

def fetch_avatar(url):
    return requests.get(url, timeout=10).content
```

## References
- https://cwe.mitre.org/data/definitions/1088.html
- https://requests.readthedocs.io/en/latest/user/advanced/#timeouts
"""

from __future__ import annotations

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import bound_receivers
from secreview.lang.python.types import receiver_kind
from secreview.model import Confidence, Severity
from secreview.rules.python import CallRule

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_SESSIONS = ("requests.Session", "requests.session", "requests.sessions.Session")


class HttpRequestWithoutTimeout(CallRule):
    id = "http-request-without-timeout"
    cwe = 1088
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    callees = tuple(f"requests.{verb}" for verb in _VERBS) + tuple(f"requests.api.{verb}" for verb in _VERBS) + (
        "urllib.request.urlopen", "urllib2.urlopen")
    message = "HTTP request without a timeout: {code}"
    description = (
        "`{code}` has {why}, so it waits forever for a server that accepts the connection and then "
        "stalls or trickles bytes. A slow or malicious server (or one an attacker points this code at) "
        "can pin every worker that makes this call, until the pool is exhausted and the service stops "
        "responding."
    )
    solution = (
        "Pass an explicit timeout, e.g. `timeout=10` (or `timeout=(3.05, 27)` for separate connect/read "
        "limits in requests), and handle `requests.Timeout` / `socket.timeout`."
    )

    def candidates(self, file: PyFile) -> list[Call]:
        found = super().candidates(file)
        sessions = bound_receivers(file, _SESSIONS)
        for call in file.method_calls(*_VERBS):
            receiver = call.receiver
            if receiver is None:
                continue
            if receiver.type == "call":  # requests.Session().get(...)
                inner = receiver.child_by_field_name("function")
                if inner is not None and file.qualified_name(inner) in _SESSIONS:
                    found.append(call)
            else:
                kind = receiver_kind(file, receiver)  # what the name holds here, not what it is called
                if kind in _SESSIONS or kind is None and file.text_of(receiver) in sessions:
                    found.append(call)
        return sorted(found, key=lambda c: c.node.start_byte)

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        if call.has_star_args:
            return None
        timeout = call.kwargs.get("timeout")
        if call.name in ("urllib.request.urlopen", "urllib2.urlopen") and timeout is None and len(call.args) >= 3:
            timeout = call.args[2]
        if timeout is None:
            return {"why": "no timeout"}
        if timeout.type == "none":
            return {"why": "`timeout=None`"}
        return None
