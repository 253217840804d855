"""Broken hash function (MD5, SHA-1, MD4) used where security may depend on it.

## What it does
Flags MD5, SHA-1, MD4 and MD2 digests: `hashlib.md5()`, `hashlib.sha1()`,
`hashlib.new("md5")`, PyCryptodome's `MD5.new()` / `SHA1.new()` and
`cryptography`'s `hashes.MD5()` / `hashes.SHA1()`. Calls that pass
`usedforsecurity=False` are not reported, and neither is a `cryptography`
hash handed to `HMAC` or a key-derivation function (HMAC-SHA1 is still
sound). Confidence is high when the digest feeds a password, token,
signature or authentication context (judged from the names it is bound to,
the data it hashes and the enclosing function), low in clearly
non-security uses (cache keys, ETags, file checksums), medium otherwise. Digests of passwords are reported by `weak-password-hash`
instead. A digest that implements a protocol or format whose specification
fixes the algorithm (NTLM, HTTP digest, SCRAM-SHA-1, TOTP, OAuth 1.0
signatures, the WebSocket handshake, SSH, git object ids, ETags and cache
keys: knowledge/protocol_crypto.py, judged from the file path and the names
around the call) is low confidence and says which protocol mandates it: the
fix is a newer protocol version, not another hash.

## Why is this bad?
Practical collision attacks exist for MD5 and SHA-1 (chosen-prefix
collisions cost a few thousand dollars of compute for SHA-1 and seconds for
MD5). An attacker can craft two inputs with the same digest, so a signature,
an integrity check, a token or a deduplication decision based on the digest
can be forged: a document signed as harmless verifies for its malicious
twin, and a digest used as a token can be matched by other data.

## Example
```python
import hashlib

def sign_request(secret, body):
    return hashlib.md5(secret + body).hexdigest()
```

## Use instead
```python
import hashlib
import hmac

def sign_request(secret, body):
    return hmac.new(secret, body, hashlib.sha256).hexdigest()

def cache_key(body):
    return hashlib.md5(body, usedforsecurity=False).hexdigest()
```

## References
- https://cwe.mitre.org/data/definitions/328.html
- https://docs.python.org/3/library/hashlib.html#hash-algorithms
- https://shattered.io/
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.protocol_crypto import mandated_note, protocol_around
from secreview.knowledge.vocabulary import NON_SECURITY_HASH_WORDS
from secreview.lang.python.crypto import hash_update_calls, hashed_data, password_names
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.names import (
    context_words,
    enclosing_definition_names,
    flow_names,
    function_name,
    grade,
    identifier_names,
    is_security_name,
)
from secreview.lang.python.strings import constant_string
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.python import CallRule

_WEAK = {"md5": "MD5", "sha1": "SHA-1", "md4": "MD4", "md2": "MD2", "md5-sha1": "MD5-SHA1", "sha": "SHA-1"}
_CALLEES: dict[str, str] = {"hashlib.md5": "MD5", "hashlib.sha1": "SHA-1"}
for _package in ("Crypto", "Cryptodome"):
    _CALLEES.update({f"{_package}.Hash.{name}.new": label
                     for name, label in (("MD5", "MD5"), ("MD4", "MD4"), ("MD2", "MD2"),
                                         ("SHA1", "SHA-1"), ("SHA", "SHA-1"))})
_CRYPTOGRAPHY = {"cryptography.hazmat.primitives.hashes.MD5": "MD5",
                 "cryptography.hazmat.primitives.hashes.SHA1": "SHA-1"}
# A cryptography hash passed to these is used in an HMAC or a KDF, where SHA-1 is still sound.
_HMAC_OR_KDF = ("HMAC", "PBKDF2HMAC", "HKDF", "HKDFExpand", "ConcatKDFHash", "ConcatKDFHMAC", "X963KDF", "KBKDFHMAC")


class WeakHashForSecurity(CallRule):
    id = "weak-hash-for-security"
    cwe = 328
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = tuple(_CALLEES) + tuple(_CRYPTOGRAPHY) + ("hashlib.new",)
    message = "{algorithm} digest used where security may depend on it: {code}"
    description = (
        "`{code}` computes a digest with {algorithm}{context}. {algorithm} is broken: practical collision "
        "attacks let an attacker build two different inputs with the same digest, so any signature, "
        "integrity check or token derived from this digest can be forged by substituting the colliding "
        "input, and a short digest can be matched faster than intended."
    )
    solution = (
        "Use SHA-256 or stronger ({fix}), and for keyed integrity `hmac.new(key, data, hashlib.sha256)`. "
        "{waiver}"
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            algorithm = self._algorithm(file, call)
            if algorithm is None or _is_literal_false(file, call.kwargs.get("usedforsecurity")):
                continue
            if call.name in _CRYPTOGRAPHY and self._inside_hmac_or_kdf(file, call):
                continue
            if _hashes_password(file, call):
                continue  # weak-password-hash reports it with the right fix
            names = flow_names(file, call.node) + identifier_names(file, call.node.child_by_field_name("arguments"))
            function = function_name(file, call.node)
            if function:
                names.append(function)
            security = any(is_security_name(name) for name in names)
            innocent = bool(context_words(names) & NON_SECURITY_HASH_WORDS)
            context = ""
            if security:
                marked = dict.fromkeys(n for n in names if is_security_name(n))
                context = " in a security context (" + shorten(", ".join(marked), 60) + ")"
            protocol = protocol_around(file.path, [*names, *enclosing_definition_names(file, call.node)])
            if protocol is not None:
                yield Hit(call.node, {"algorithm": algorithm, "context": context, **self._fix(file, call)},
                          confidence=Confidence.LOW, note=mandated_note(protocol, algorithm))
                continue
            yield Hit(call.node, {"algorithm": algorithm, "context": context, **self._fix(file, call)},
                      confidence=grade(security, innocent))

    @staticmethod
    def _fix(file: PyFile, call: Call) -> dict[str, str]:
        name = call.name or ""
        if name.startswith("hashlib."):
            if name == "hashlib.new":
                waived = f"hashlib.new({file.text_of(call.arg(0, 'name'))}, ..., usedforsecurity=False)"
            else:
                waived = f"{name}(..., usedforsecurity=False)"
            return {"fix": "`hashlib.sha256(...)`",
                    "waiver": "If this digest is not a security control (cache key, ETag, checksum), say so "
                              f"with `{waived}`."}
        if name.startswith("cryptography."):
            return {"fix": "`hashes.SHA256()`", "waiver": ""}
        return {"fix": "`SHA256.new(...)` from `Crypto.Hash`", "waiver": ""}

    @staticmethod
    def _algorithm(file: PyFile, call: Call) -> str | None:
        if call.name == "hashlib.new":
            name = constant_string(file, call.arg(0, "name"))
            return _WEAK.get(name.lower()) if name else None
        return _CALLEES.get(call.name or "") or _CRYPTOGRAPHY.get(call.name or "")

    @staticmethod
    def _inside_hmac_or_kdf(file: PyFile, call: Call) -> bool:
        parent = call.node.parent
        if parent is not None and parent.type == "keyword_argument":
            parent = parent.parent
        if parent is None or parent.type != "argument_list" or parent.parent is None:
            return False
        outer = parent.parent.child_by_field_name("function")
        return outer is not None and file.text_of(outer).rsplit(".", 1)[-1] in _HMAC_OR_KDF


def _is_literal_false(file: PyFile, node: ts.Node | None) -> bool:
    """`False` or `0` (a constant), not None and not a non-constant."""
    value = file.constant_value(node)
    return value is False or (isinstance(value, int) and not isinstance(value, bool) and value == 0)


def _hashes_password(file: PyFile, call: Call) -> bool:
    """True when a hash constructor digests a password-named value, directly or via `.update()`."""
    if password_names(file, hashed_data(call)):
        return True
    return any(password_names(file, update.arg(0, "data")) for update in hash_update_calls(file, call))
