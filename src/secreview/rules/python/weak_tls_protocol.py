"""Connection pinned to SSLv2, SSLv3, TLS 1.0 or TLS 1.1.

## What it does
Flags uses of obsolete protocol versions: `ssl.PROTOCOL_SSLv2`,
`PROTOCOL_SSLv3`, `PROTOCOL_TLSv1`, `PROTOCOL_TLSv1_1` (for example in
`ssl.SSLContext(...)` or `ssl_version=`), `ssl.TLSVersion.SSLv3` /
`TLSv1` / `TLSv1_1` assigned to `minimum_version` / `maximum_version`, and
pyOpenSSL's `SSLv2_METHOD`, `SSLv3_METHOD`, `TLSv1_METHOD`,
`TLSv1_1_METHOD`. Comparisons against these constants and dictionary keys
are not reported; values in a lookup table (`{"tls1": PROTOCOL_TLSv1}`,
`table[k] = TLSv1_METHOD`) or in a conditional expression get medium
confidence.

## Why is this bad?
SSLv2 and SSLv3 are broken (DROWN, POODLE) and TLS 1.0/1.1 were deprecated
by RFC 8996 because of BEAST-style attacks and their reliance on MD5/SHA-1.
A connection pinned to one of them, or allowed to fall back to one, lets a
network attacker downgrade and decrypt or tamper with traffic, and modern
servers refuse such connections anyway.

## Example
```python
import ssl

context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
```

## Use instead
```python
import ssl

context = ssl.create_default_context()
context.minimum_version = ssl.TLSVersion.TLSv1_2
```

## References
- https://cwe.mitre.org/data/definitions/327.html
- https://datatracker.ietf.org/doc/html/rfc8996
- https://docs.python.org/3/library/ssl.html#protocol-versions
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import PyFile
from secreview.lang.python.references import in_lookup_table, is_mapping_key, references_to, report_node
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_WEAK: dict[str, str] = {}
for _name, _label in (("SSLv2", "SSLv2"), ("SSLv3", "SSLv3"), ("TLSv1", "TLS 1.0"), ("TLSv1_1", "TLS 1.1")):
    _WEAK[f"ssl.PROTOCOL_{_name}"] = _label
    _WEAK[f"ssl.TLSVersion.{_name}"] = _label
    _WEAK[f"OpenSSL.SSL.{_name}_METHOD"] = _label


class WeakTlsProtocol(Rule):
    id = "weak-tls-protocol"
    cwe = 327
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "Obsolete protocol {protocol} selected: {code}"
    description = (
        "`{code}` selects {protocol} through `{constant}`. SSLv2/SSLv3 are broken (DROWN, POODLE) and "
        "TLS 1.0/1.1 are deprecated by RFC 8996; a network attacker who can force or observe such a "
        "connection can downgrade it and decrypt or tamper with the traffic, including any credentials "
        "or session cookies it carries."
    )
    solution = (
        "Use `ssl.create_default_context()` (or `ssl.PROTOCOL_TLS_CLIENT` / `PROTOCOL_TLS_SERVER`) and, if "
        "you must pin a floor, `context.minimum_version = ssl.TLSVersion.TLSv1_2`; with pyOpenSSL use "
        "`SSL.TLS_METHOD` plus `set_min_proto_version(SSL.TLS1_2_VERSION)`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for node, name in references_to(file, _WEAK):
            if is_mapping_key(node):
                continue
            in_table = in_lookup_table(node)
            yield Hit(report_node(node), {"protocol": _WEAK[name], "constant": file.text_of(node)},
                      confidence=Confidence.MEDIUM if in_table else None)
