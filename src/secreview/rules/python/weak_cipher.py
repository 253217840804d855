"""Broken or risky cipher (DES, 3DES, RC4, RC2, Blowfish) or ECB mode.

## What it does
Flags PyCryptodome / PyCrypto (`Crypto.Cipher`, `Cryptodome.Cipher`)
`DES`, `DES3`, `ARC2`, `ARC4`, `Blowfish`, `CAST` and `XOR` ciphers,
`cryptography`'s `TripleDES`, `ARC4`, `Blowfish`, `CAST5` and `IDEA`
algorithms, and the ECB mode in either library (`AES.MODE_ECB`,
`modes.ECB()`, and PyCrypto's `AES.new(key)`, whose default mode is ECB).
The 64-bit-block ciphers that are weak only for large volumes (Blowfish,
CAST, IDEA) get medium confidence. A use inside a protocol or format whose
specification fixes the cipher (NTLM, Kerberos RC4-HMAC, WinZip AES's ECB
block primitive: knowledge/protocol_crypto.py, judged from the file path and
the enclosing function and class names) is low confidence and names it.

## Why is this bad?
DES keys (56 bits) are brute-forced in hours; RC4's keystream is biased
enough to recover plaintext from repeated messages; 64-bit block ciphers
(3DES, Blowfish, IDEA) leak plaintext after a few dozen gigabytes under one
key (Sweet32). ECB encrypts equal plaintext blocks to equal ciphertext
blocks, so structure leaks (the famous ECB penguin) and an attacker can cut,
reorder and replay blocks, e.g. swapping the block holding `role=user`
for one holding `role=admin` taken from another message.

## Example
```python
from Crypto.Cipher import AES

def encrypt_cookie(key, data):
    return AES.new(key, AES.MODE_ECB).encrypt(data)
```

## Use instead
```python
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
import os

def encrypt_cookie(key, data):
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, data, None)
```

## References
- https://cwe.mitre.org/data/definitions/327.html
- https://sweet32.info/
- https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/#insecure-modes
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from secreview.knowledge.protocol_crypto import mandated_note, protocol_around
from secreview.lang.python.file import PyFile
from secreview.lang.python.names import enclosing_definition_names
from secreview.lang.python.references import references_to, report_node
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule

_BROKEN = {"DES": "DES", "DES3": "Triple DES", "ARC2": "RC2", "ARC4": "RC4", "XOR": "XOR",
           "TripleDES": "Triple DES"}
_VOLUME_LIMITED = {"Blowfish": "Blowfish", "CAST": "CAST", "CAST5": "CAST5", "IDEA": "IDEA"}
_CIPHERS: dict[str, str] = {}
_ECB: set[str] = set()
for _package in ("Crypto", "Cryptodome"):
    for _name in ("DES", "DES3", "ARC2", "ARC4", "XOR", "Blowfish", "CAST"):
        _CIPHERS[f"{_package}.Cipher.{_name}.new"] = _name
    for _name in ("AES", "DES", "DES3", "ARC2", "Blowfish", "CAST"):
        _ECB.add(f"{_package}.Cipher.{_name}.MODE_ECB")
for _module in ("cryptography.hazmat.primitives.ciphers.algorithms", "cryptography.hazmat.decrepit.ciphers.algorithms"):
    for _name in ("TripleDES", "ARC4", "Blowfish", "CAST5", "IDEA"):
        _CIPHERS[f"{_module}.{_name}"] = _name
_ECB.add("cryptography.hazmat.primitives.ciphers.modes.ECB")


class WeakCipher(Rule):
    id = "weak-cipher"
    cwe = 327
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Weak encryption ({algorithm}): {code}"
    description = (
        "`{code}` encrypts with {algorithm}. {weakness} Anyone who obtains the ciphertext (intercepted "
        "traffic, a stolen database or cookie) can recover or manipulate the protected data."
    )
    solution = (
        "Use an authenticated modern cipher: AES-GCM or ChaCha20-Poly1305 (`AESGCM(key).encrypt(os.urandom(12), "
        "data, aad)` from `cryptography`, or `AES.new(key, AES.MODE_GCM)` in PyCryptodome) with a 128/256-bit "
        "random key; `Fernet` if you want a high-level recipe."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        reported: set[int] = set()
        for call in file.calls_to(*_CIPHERS):
            name = _CIPHERS[call.name or ""]
            limited = name in _VOLUME_LIMITED
            label = _VOLUME_LIMITED.get(name) or _BROKEN[name]
            weakness = (f"{label} has a 64-bit block: after a few dozen gigabytes under one key, block collisions "
                        "leak plaintext (Sweet32)." if limited else
                        f"{label} is broken: its key or keystream can be recovered with practical effort.")
            reported.add(call.node.start_byte)
            yield _judged(file, Hit(call.node, {"algorithm": label, "weakness": weakness},
                                    confidence=Confidence.MEDIUM if limited else None))
        ecb = "ECB mode encrypts equal plaintext blocks to equal ciphertext blocks, so patterns leak and blocks " \
              "can be cut, reordered and replayed between messages."
        for node, _ in references_to(file, _ECB):
            where = report_node(node)
            if where.start_byte not in reported:
                reported.add(where.start_byte)
                yield _judged(file, Hit(where, {"algorithm": "ECB mode", "weakness": ecb}))
        for call in file.calls_to("Crypto.Cipher.AES.new"):
            if len(call.args) == 1 and "mode" not in call.kwargs and not call.has_star_args \
                    and call.node.start_byte not in reported:
                yield _judged(file, Hit(call.node, {"algorithm": "ECB mode, PyCrypto's default when no mode is given",
                                                    "weakness": ecb}))


def _judged(file: PyFile, hit: Hit) -> Hit:
    """The hit, explained and at low confidence when a protocol or format being implemented mandates the
    cipher (knowledge/protocol_crypto.py: NTLM's DES, Kerberos RC4-HMAC, WinZip AES's ECB block primitive)."""
    protocol = protocol_around(file.path, enclosing_definition_names(file, hit.node))
    if protocol is None:
        return hit
    return replace(hit, confidence=Confidence.LOW, note=mandated_note(protocol, hit.values["algorithm"]))
