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

from collections.abc import Iterator

from secreview import taint
from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules.python._exceptional import boundaryless_domain, boundaryless_url_prefix, constant_strings, \
    may_hold_remote_input, names_a_host, request_rooted
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
            host = boundaryless_url_prefix(literal)
            if host is None:
                return None
            bypass = f"{literal}@evil.net/" if literal.count(":") > 1 else f"{literal}.evil.net/"
            return {"subject": subject, "method": method, "literal": literal, "where": "starts with",
                    "bypass": bypass,
                    "fix": f"parse it and check `urllib.parse.urlsplit({subject}).hostname == \"{host}\"` together "
                           f"with the scheme (and port), or at least keep the boundary in the constant: "
                           f"`{subject}.startswith(\"{literal}/\")`"}
        if not names_a_host(file, receiver) or not boundaryless_domain(literal):
            return None
        return {"subject": subject, "method": method, "literal": literal, "where": "ends with",
                "bypass": f"evil{literal}",
                "fix": f"accept the domain itself or its subdomains only, `{subject} == \"{literal}\" or "
                       f"{subject}.endswith(\".{literal}\")` (for an e-mail address, `.endswith(\"@{literal}\")`); "
                       f"when `{subject}` is a URL, compare its parsed `.hostname` that way"}
