"""URL or host allow-list checked with `startswith`/`endswith` without a boundary.

## What it does
Flags `url.startswith("https://example.com")` where the constant prefix is
a scheme and host with nothing after the host (no `/`), and
`host.endswith("example.com")` on a host name, domain, origin, e-mail
address or URL (by the receiver's name, or `.netloc`/`.hostname` of a parsed
URL) where the constant suffix is a domain without a leading `.` (or `@`).
Tuples of such constants are checked item by item. Confidence is high when
the checked value comes from a request (by dataflow), medium otherwise.

## Why is this bad?
The check was meant to accept one site, but it compares characters, not URL
parts. `https://example.com.evil.net/`, `https://example.com@evil.net/` and
`https://example.com:443@evil.net/` all start with `https://example.com`, and
`evilexample.com` ends with `example.com`. An attacker who registers such a
name gets past the allow-list: an open redirect, a server-side request to
their host, a CORS origin or callback URL accepted as trusted, or a token sent
to them (CWE-1023, an incomplete comparison: the boundary is missing).

## Example
```python
def safe_next(url):
    if url.startswith("https://example.com"):
        return url
    return "/"
```

## Use instead
```python
from urllib.parse import urlsplit

def safe_next(url):
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname == "example.com":
        return url
    return "/"
```

## References
- https://cwe.mitre.org/data/definitions/1023.html
- https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
- https://portswigger.net/web-security/ssrf/url-validation-bypass-cheat-sheet
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.expressions import constant_strings
from secreview.lang.python.file import PyFile
from secreview.lang.python.requests import may_hold_remote_input, request_rooted
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.rules.python._taint import source_note, trace_of


class UrlPrefixCheckWithoutBoundary(Rule):
    id = "url-prefix-check-without-boundary"
    cwe = 1023
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{subject}.{method}(\"{literal}\")` has no boundary: `{bypass}` also passes"
    description = (
        "`{code}` accepts `{subject}` when its text {where} `{literal}`, but nothing requires a URL or label "
        "boundary there, so an attacker-chosen value such as `{bypass}` also passes. If this check "
        "guards a redirect, an outgoing request, a trusted origin, a callback or where credentials are sent, "
        "the attacker only needs to register a matching domain to be treated as `{literal}`."
    )
    solution = "Compare whole URL parts or labels instead of characters: {fix}."

    def check(self, file: PyFile) -> Iterator[Hit]:
        analysis = None
        for call in file.method_calls("startswith", "endswith"):
            if call.receiver is None or len(call.args) != 1:
                continue
            values = next(filter(None, (self._values(file, call.method, call.receiver, literal)
                                        for literal in constant_strings(file, call.args[0]))), None)
            if values is None:
                continue
            verdict = None
            if may_hold_remote_input(file) and request_rooted(file, call.receiver):
                analysis = analysis or taint.analysis_for(file)
                verdict = taint.provenance(analysis, call.receiver, "redirect")
            if verdict is not None and verdict.from_source:
                yield Hit(call.node, values, confidence=Confidence.HIGH, data=call.receiver,
                          trace=trace_of(verdict) + ((call.node, "compared without a boundary"),),
                          note=source_note(file, verdict, f"the check `{shorten(file.text_of(call.node), 60)}`"))
            else:
                yield Hit(call.node, values, data=call.receiver)

    @staticmethod
    def _values(file: PyFile, method: str, receiver, literal: str) -> dict[str, str] | None:
        subject = shorten(file.text_of(receiver), 50)
        if method == "startswith":
            host = _boundaryless_url_prefix(literal)
            if host is None:
                return None
            bypass = f"{literal}@evil.net/" if literal.count(":") > 1 else f"{literal}.evil.net/"
            return {"subject": subject, "method": method, "literal": literal, "where": "starts with",
                    "bypass": bypass,
                    "fix": f"parse it and check `urllib.parse.urlsplit({subject}).hostname == \"{host}\"` together "
                           f"with the scheme (and port), or at least keep the boundary in the constant: "
                           f"`{subject}.startswith(\"{literal}/\")`"}
        if not _names_a_host(file, receiver) or not _boundaryless_domain(literal):
            return None
        return {"subject": subject, "method": method, "literal": literal, "where": "ends with",
                "bypass": f"evil{literal}",
                "fix": f"accept the domain itself or its subdomains only, `{subject} == \"{literal}\" or "
                       f"{subject}.endswith(\".{literal}\")` (for an e-mail address, `.endswith(\"@{literal}\")`); "
                       f"when `{subject}` is a URL, compare its parsed `.hostname` that way"}


_URL_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^/?#@\s]+@)?(?P<host>\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d*)?$", re.I)
_DOMAIN = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z]{2,24}$", re.I)
_HOST_WORDS = re.compile(r"(?:^|_|\b)(?:host|hostname|hostnames|netloc|domain|domains|fqdn|origin|server|site|referer|"
                         r"referrer|url|uri|email|mail|e_mail|cn|san|sni|dns|endpoint|redirect|callback|location|"
                         r"issuer|audience|aud|iss)(?:$|_|\b)", re.I)


def _boundaryless_url_prefix(literal: str) -> str | None:
    """The host of a URL prefix that stops right after the host (or port): `https://example.com`."""
    match = _URL_PREFIX.match(literal)
    if match is None:
        return None
    host = match.group("host")
    return host if "." in host or host.lower() == "localhost" or host.startswith("[") else None


def _boundaryless_domain(literal: str) -> bool:
    """A domain name used as a suffix without a leading dot (`example.com`, not `.example.com`)."""
    return bool(_DOMAIN.match(literal))


def _names_a_host(file: PyFile, node: ts.Node) -> bool:
    """True when the expression's name says it holds a host name, domain, origin, URL or e-mail address."""
    node = unwrap(node) or node
    if node.type == "call":  # str(x).endswith, x.lower().endswith
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute":
            return _names_a_host(file, function.child_by_field_name("object"))
        arguments = node.child_by_field_name("arguments")
        inner = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        return inner is not None and _names_a_host(file, inner)
    if node.type == "attribute":
        attribute = node.child_by_field_name("attribute")
        return attribute is not None and bool(_HOST_WORDS.search(file.text_of(attribute)))
    if node.type == "subscript":
        index = node.child_by_field_name("subscript")
        key = file.constant_value(index) if index is not None else None
        return isinstance(key, str) and bool(_HOST_WORDS.search(key.replace("-", "_")))
    return node.type == "identifier" and bool(_HOST_WORDS.search(file.text_of(node)))
