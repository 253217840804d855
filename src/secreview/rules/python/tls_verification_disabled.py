"""TLS certificate or host-name verification switched off.

## What it does
Flags code that makes a TLS client accept any certificate:
`verify=False` on `requests` / `httpx` calls, clients and sessions
(`session.verify = False`), `ssl=False` / `verify_ssl=False` in `aiohttp`,
`validate_cert=False` in Tornado, `ssl._create_unverified_context()` (also
installed as `ssl._create_default_https_context`), `ssl.CERT_NONE` and
pyOpenSSL's `VERIFY_NONE`, `context.check_hostname = False`, urllib3's
`cert_reqs="CERT_NONE"` / `assert_hostname=False`, and the deprecated
client-side `ssl.wrap_socket()`: without `cert_reqs` it verifies nothing,
and even with `cert_reqs=CERT_REQUIRED` it never checks the host name
(medium confidence: the code may call `ssl.match_hostname` itself).
`urllib3.disable_warnings()` alone is not reported, and neither are
comparisons such as `if ctx.verify_mode == ssl.CERT_NONE` or
dictionary keys; a constant in a lookup table or a conditional expression
(`CERT_REQUIRED if verify else CERT_NONE`) gets medium confidence.

## Why is this bad?
Encryption without authentication protects against nobody who matters: any
machine on the path (public Wi-Fi, a compromised router, a malicious proxy,
DNS spoofing) can present its own certificate, and the client will happily
send credentials, session cookies and API tokens to it and accept forged
responses (man-in-the-middle).

## Example
```python
import requests

def fetch_invoices(token):
    return requests.get("https://billing.example.com/invoices",
                        headers={"Authorization": token}, verify=False, timeout=10)
```

## Use instead
```python
import requests

def fetch_invoices(token):
    return requests.get("https://billing.example.com/invoices",
                        headers={"Authorization": token}, verify="/etc/ssl/billing-ca.pem", timeout=10)
```

## References
- https://cwe.mitre.org/data/definitions/295.html
- https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
- https://docs.python.org/3/library/ssl.html#security-considerations
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import NOT_CONSTANT, PyFile
from secreview.lang.python.references import in_lookup_table, is_mapping_key, references_to, report_node
from secreview.lang.python.strings import constant_string
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
                 "Client", "AsyncClient", "Session", "ws_connect", "fetch", "urlopen")
_HTTP_LIBRARIES = ("requests", "httpx", "aiohttp", "tornado", "urllib3")
_SWITCHES = ("verify", "ssl", "verify_ssl", "validate_cert")  # keyword arguments that turn verification off
_UNVERIFIED = {
    "ssl._create_unverified_context": "`ssl._create_unverified_context()` builds a context that checks neither "
                                      "the certificate chain nor the host name",
    "ssl._create_stdlib_context": "`ssl._create_stdlib_context()` is the unverified context under another name",
    "ssl.CERT_NONE": "`ssl.CERT_NONE` tells the TLS layer to accept any certificate",
    "OpenSSL.SSL.VERIFY_NONE": "pyOpenSSL `VERIFY_NONE` accepts any peer certificate",
}


class TlsVerificationDisabled(Rule):
    id = "tls-verification-disabled"
    cwe = 295
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "TLS certificate verification disabled: {code}"
    description = (
        "{what}. Any machine on the network path (public Wi-Fi, a compromised router or proxy, DNS "
        "spoofing) can present its own certificate for the server; this code will accept it, send it "
        "whatever credentials, cookies or data go over the connection, and trust the forged responses."
    )
    solution = (
        "{fix} If the server uses a private CA, point the client at that CA bundle "
        "(`verify=\"/path/to/ca.pem\"`, `ssl.create_default_context(cafile=...)`) instead of switching "
        "verification off."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        # A literal switch on the call that connects (`verify=False`, `wrap_socket` without `cert_reqs`) has no
        # safe reading; `CERT_NONE` or `check_hostname = False` on a context may be overridden where the context
        # is used (requests applies its own `verify=` to a mounted adapter's context): audit profile.
        yield from self._keyword_switches(file)
        yield from self._attribute_switches(file)
        for node, name in references_to(file, _UNVERIFIED):
            if is_mapping_key(node):
                continue
            yield Hit(report_node(node), {
                "what": _UNVERIFIED[name],
                "fix": "Use `ssl.create_default_context()` (verify_mode CERT_REQUIRED, check_hostname on)."},
                confidence=Confidence.MEDIUM if in_lookup_table(node) else None)
        for call in file.calls_to("ssl.wrap_socket"):
            if call.has_star_args or len(call.args) > 4 or _is_constant_true(file, call.kwargs.get("server_side")):
                continue
            cert_reqs = call.kwargs.get("cert_reqs")
            if cert_reqs is None:
                yield Hit(call.node, {
                    "what": "`ssl.wrap_socket()` defaults to `cert_reqs=CERT_NONE` and never checks the host name "
                            "(it was removed in Python 3.12)",
                    "fix": "Use `ssl.create_default_context().wrap_socket(sock, server_hostname=host)`."},
                    evidence=Evidence.DEFINITE)
            elif file.qualified_name(cert_reqs) != "ssl.CERT_NONE":  # CERT_NONE is reported as a reference
                yield Hit(call.node, {
                    "what": "`ssl.wrap_socket()` never checks the host name, so a valid certificate issued for "
                            "any other host (one an attacker can obtain for their own domain) is accepted",
                    "fix": "Use `ssl.create_default_context().wrap_socket(sock, server_hostname=host)`."},
                    confidence=Confidence.MEDIUM)

    def _keyword_switches(self, file: PyFile) -> Iterator[Hit]:
        http_file = any(file.imports_module(lib) for lib in _HTTP_LIBRARIES)
        for call in file.calls_with_keywords(*_SWITCHES, "cert_reqs", "assert_hostname"):
            name = call.name or ""
            library = name.split(".")[0] in _HTTP_LIBRARIES
            method = call.method in _HTTP_METHODS or call.method in ("TCPConnector", "HTTPRequest")
            for keyword in _SWITCHES:
                value = call.kwargs.get(keyword)
                if value is None or file.constant_value(value) is not False:
                    continue
                if keyword == "verify" and not (library or (method and http_file)):
                    continue
                if keyword in ("ssl", "verify_ssl") and not file.imports_module("aiohttp"):
                    continue
                if keyword == "validate_cert" and not (library or method):
                    continue
                yield Hit(call.node, {"what": f"`{keyword}=False` makes `{call.name or call.method}` accept any "
                                              "certificate for any host",
                                      "fix": f"Remove `{keyword}=False` (verification is on by default)."},
                          evidence=Evidence.DEFINITE)
                break
            cert_reqs = constant_string(file, call.kwargs.get("cert_reqs"))
            if cert_reqs is not None and cert_reqs.upper() in ("CERT_NONE", "NONE"):
                yield Hit(call.node, {"what": f"`cert_reqs=\"{cert_reqs}\"` makes `{call.name or call.method}` accept "
                                              "any certificate",
                                      "fix": "Use `cert_reqs=\"CERT_REQUIRED\"` with a CA bundle "
                                             "(`ca_certs=certifi.where()`)."})
            if file.constant_value(call.kwargs.get("assert_hostname")) is False:
                yield Hit(call.node, {"what": "`assert_hostname=False` accepts a valid certificate issued for any "
                                              "other host",
                                      "fix": "Remove `assert_hostname=False`."})

    def _attribute_switches(self, file: PyFile) -> Iterator[Hit]:
        http_file = any(file.imports_module(lib) for lib in _HTTP_LIBRARIES)
        for assign in file.assignments(left="attribute", right="false"):
            left = assign.child_by_field_name("left")
            attribute = file.text_of(left.child_by_field_name("attribute"))
            if attribute == "check_hostname":
                yield Hit(assign, {"what": "`check_hostname = False` accepts a valid certificate issued for any "
                                           "other host, so any certificate a public CA signed for an attacker's "
                                           "domain is accepted",
                                   "fix": "Leave `check_hostname` on (the default of "
                                          "`ssl.create_default_context()`)."})
            elif attribute == "verify" and http_file:
                yield Hit(assign, {"what": f"`{file.text_of(left)} = False` disables certificate verification for "
                                           "every request made through this session or client",
                                   "fix": "Remove the assignment (sessions verify by default)."},
                          evidence=Evidence.DEFINITE)


def _is_constant_true(file: PyFile, node: ts.Node | None) -> bool:
    """A constant with a truthy value (`True`, `1`, `"yes"`); non-constants are not."""
    value = file.constant_value(node)
    return value is not NOT_CONSTANT and bool(value)
