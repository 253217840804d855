"""Obsolete security-relevant API whose old behaviour is unsafe.

## What it does
Flags calls to deprecated or removed Python APIs whose behaviour is weaker
than their replacement's in a way that matters for security:
`cgi.escape()` without `quote=True`, `ssl.match_hostname()`,
`ssl.RAND_pseudo_bytes()`, `hmac.new()` without a digest (MD5 by default),
the Python 2 `md5` and `sha` modules, `Cookie.SmartCookie` /
`Cookie.SerialCookie`, `rexec` / `Bastion`, `urllib`'s `URLopener` /
`FancyURLopener` and Python 2's `socket.ssl()`. Each finding names the
modern replacement. (`os.tempnam`/`tempfile.mktemp` and `ssl.wrap_socket`
have their own rules.)

## Why is this bad?
These APIs were deprecated because their defaults are unsafe:
`cgi.escape` leaves quotes alone, so a value placed in an HTML attribute
breaks out of it (cross-site scripting); `ssl.match_hostname` is a manual
step that is easy to forget or call on the wrong certificate, and old
versions accepted over-broad wildcards; `RAND_pseudo_bytes` may return
predictable bytes; `hmac.new(key)` silently uses MD5; `SmartCookie` and
`SerialCookie` unpickle cookie values sent by the client (remote code
execution); `rexec`/`Bastion` sandboxes are known to be escapable;
`URLopener` opens `file:` and `local_file:` URLs (CVE-2019-9948);
`socket.ssl()` verifies no certificate. They are also removed from current
Python versions, so the code crashes after an upgrade.

## Example
```python
import cgi

def render_link(url, title):
    return '<a href="%s">%s</a>' % (cgi.escape(url), cgi.escape(title))
```

## Use instead
```python
import html

def render_link(url, title):
    return '<a href="%s">%s</a>' % (html.escape(url, quote=True), html.escape(title))
```

## References
- https://cwe.mitre.org/data/definitions/477.html
- https://docs.python.org/3/whatsnew/3.8.html#api-and-feature-removals
- https://docs.python.org/3/whatsnew/3.12.html#ssl
- https://docs.python.org/3/library/hmac.html#hmac.new
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten


@dataclass(frozen=True)
class _Obsolete:
    problem: str
    replacement: str
    severity: Severity = Severity.MEDIUM


_XSS = _Obsolete(
    "escapes only `&`, `<` and `>` unless `quote=True` is given, so the result placed inside a quoted HTML "
    "attribute lets a value containing `\"` close the attribute and add event handlers (cross-site "
    "scripting); it was removed in Python 3.8",
    "`html.escape({argument}, quote=True)` (it escapes both quote characters by default)")
_MD5_MODULE = _Obsolete(
    "is the Python 2 `md5` module: MD5 has practical collisions, so digests used for integrity or "
    "signatures can be forged, and the module no longer exists in Python 3",
    "`hashlib.sha256(...)` (or `hmac.new(key, msg, hashlib.sha256)` for keyed integrity)")
_SHA_MODULE = _Obsolete(
    "is the Python 2 `sha` module (SHA-1, with practical chosen-prefix collisions); the module no longer "
    "exists in Python 3",
    "`hashlib.sha256(...)` (or `hmac.new(key, msg, hashlib.sha256)` for keyed integrity)")
_PICKLE_COOKIE = _Obsolete(
    "unpickles cookie values: any client can send a cookie holding a crafted pickle that runs arbitrary code "
    "on the server when it is parsed; the `Cookie` module was removed in Python 3",
    "`http.cookies.SimpleCookie` (string values only), with signed cookies for anything structured",
    Severity.CRITICAL)
_SANDBOX = _Obsolete(
    "is the old restricted-execution sandbox, which was withdrawn because untrusted code can escape it and "
    "run with the full privileges of the process",
    "never run untrusted code in-process; use a separate, OS-sandboxed process (container, seccomp, a "
    "dedicated user) or a purpose-built language", Severity.HIGH)
_URLOPENER = _Obsolete(
    "is the legacy URL opener (deprecated since Python 3.3): it opens `file:` and `local_file:` URLs, so a "
    "URL from outside can read local files (CVE-2019-9948), and it has none of the newer checks",
    "`urllib.request.urlopen()` (or `requests`) after checking the URL's scheme against an allow-list of "
    "`http`/`https`")
_OBSOLETE = {
    "cgi.escape": _XSS,
    "ssl.match_hostname": _Obsolete(
        "is the manual host-name check that was deprecated in 3.7 and removed in 3.12: it has to be called by "
        "hand after every handshake on the right certificate (forgetting it lets any valid certificate for "
        "another host through, i.e. a man in the middle), and old versions accepted over-broad wildcards",
        "`ctx = ssl.create_default_context()` and `ctx.wrap_socket(sock, server_hostname=host)`, which "
        "checks the host name during the handshake (`check_hostname=True`)"),
    "ssl.RAND_pseudo_bytes": _Obsolete(
        "may return bytes that are not cryptographically strong (it only says so in its second return "
        "value); it was removed in Python 3.12",
        "`secrets.token_bytes(n)` or `os.urandom(n)`"),
    "hmac.new": _Obsolete(
        "is called without `digestmod`, which on Python < 3.8 silently means HMAC-MD5 (and is a TypeError on "
        "3.8+)",
        "`hmac.new({argument}, msg, hashlib.sha256)` with an explicit strong digest"),
    "md5.new": _MD5_MODULE, "md5.md5": _MD5_MODULE,
    "sha.new": _SHA_MODULE, "sha.sha": _SHA_MODULE,
    "Cookie.SmartCookie": _PICKLE_COOKIE, "Cookie.SerialCookie": _PICKLE_COOKIE,
    "rexec.RExec": _SANDBOX, "Bastion.Bastion": _SANDBOX,
    "urllib.URLopener": _URLOPENER, "urllib.FancyURLopener": _URLOPENER,
    "urllib.request.URLopener": _URLOPENER, "urllib.request.FancyURLopener": _URLOPENER,
    "socket.ssl": _Obsolete(
        "is Python 2's `socket.ssl()`, which encrypts without verifying the server's certificate or host "
        "name, so anyone on the path can impersonate the server (man in the middle)",
        "`ssl.create_default_context().wrap_socket(sock, server_hostname=host)`", Severity.HIGH),
}


class ObsoleteSecurityApi(Rule):
    id = "obsolete-security-api"
    cwe = 477
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Obsolete security-relevant API `{callee}`: {code}"
    description = (
        "`{code}` uses `{callee}`, which {problem}. Code written against the obsolete API keeps its weaker "
        "behaviour wherever it still runs, and breaks where it was removed."
    )
    solution = "Replace it with {replacement}."

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls_to(*_OBSOLETE):
            module = call.name.split(".", 1)[0]
            if not file.imports_module(module):
                continue
            if not self._applies(file, call):
                continue
            entry = _OBSOLETE[call.name]
            argument = shorten(file.text_of(call.args[0]), 40) if call.args else "..."
            values = {"callee": call.name, "problem": entry.problem,
                      "replacement": entry.replacement.replace("{argument}", argument)}
            yield Hit(call.node, values, severity=entry.severity)

    @staticmethod
    def _applies(file: PyFile, call: Call) -> bool:
        if call.name == "cgi.escape":
            quote = call.arg(1, "quote")
            return quote is None or file.constant_value(quote) in (False, None, 0)
        if call.name == "hmac.new":
            return len(call.args) < 3 and "digestmod" not in call.kwargs and not call.has_star_args
        return True
