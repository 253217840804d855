"""Constant initialization vector or nonce passed to a cipher.

## What it does
Flags a fixed IV or nonce (a literal such as `b"0000000000000000"`,
`b"\\x00" * 16`, `bytes(16)`, or a local name bound only to one) given to
a block-cipher mode or AEAD: `modes.CBC/CFB/CFB8/OFB/CTR/GCM(...)` in
`cryptography`, `iv=` / `nonce=` (or the third positional argument) of
`AES.new(...)` and friends in PyCryptodome, and the nonce of
`AESGCM(key).encrypt(nonce, ...)` / `ChaCha20Poly1305` / `AESCCM`.

## Why is this bad?
The IV/nonce must be unpredictable (CBC) or never repeat under one key (CTR,
GCM, ChaCha20). With a constant one, CBC encrypts equal message prefixes to
equal ciphertext and becomes open to chosen-plaintext attacks; CTR and GCM
reuse the same keystream, so XOR-ing two ciphertexts yields the XOR of the
plaintexts, and a repeated GCM nonce also leaks the authentication key,
letting an attacker forge messages.

## Example
```python
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def encrypt(key, data):
    return Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor().update(data)
```

## Use instead
```python
import os
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def encrypt(key, data):
    iv = os.urandom(16)
    return iv + Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor().update(data)
```

## References
- https://cwe.mitre.org/data/definitions/1204.html
- https://cwe.mitre.org/data/definitions/329.html
- https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/#modes
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import binding_values, bound_receivers
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

_MODES = {f"cryptography.hazmat.primitives.ciphers.modes.{name}": (0, keyword)
          for name, keyword in (("CBC", "initialization_vector"), ("CFB", "initialization_vector"),
                                ("CFB8", "initialization_vector"), ("OFB", "initialization_vector"),
                                ("CTR", "nonce"), ("GCM", "initialization_vector"))}
_PYCRYPTO = tuple(f"{package}.Cipher.{name}.new" for package in ("Crypto", "Cryptodome")
                  for name in ("AES", "DES", "DES3", "ARC2", "Blowfish", "CAST", "ChaCha20", "Salsa20",
                               "ChaCha20_Poly1305"))
_AEADS = tuple(f"cryptography.hazmat.primitives.ciphers.aead.{name}"
               for name in ("AESGCM", "ChaCha20Poly1305", "AESCCM", "AESOCB3", "AESGCMSIV"))


class HardcodedIv(Rule):
    id = "hardcoded-iv"
    cwe = 1204
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    message = "Constant IV/nonce `{iv}` used for encryption: {code}"
    description = (
        "`{code}` encrypts with the fixed IV/nonce `{iv}`, the same for every message. In CBC equal "
        "message prefixes give equal ciphertext and chosen-plaintext attacks become possible; in CTR/GCM/"
        "ChaCha20 the keystream repeats, so XOR-ing two ciphertexts reveals the XOR of their plaintexts, "
        "and a repeated GCM nonce leaks the authentication key so an attacker can forge messages."
    )
    solution = (
        "Generate a fresh random IV/nonce for every encryption (`iv = os.urandom(16)` for CBC, "
        "`nonce = os.urandom(12)` for GCM/ChaCha20) and store or send it alongside the ciphertext; it "
        "need not be secret, only unique and unpredictable."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls_to(*_MODES):
            yield from self._fixed(file, call, call.arg(*_MODES[call.name or ""]))
        for call in file.calls_to(*_PYCRYPTO):
            iv = call.arg(2, "iv") or call.kwargs.get("nonce") or call.kwargs.get("IV")
            yield from self._fixed(file, call, iv)
        aeads = bound_receivers(file, _AEADS)
        for call in file.method_calls("encrypt"):
            receiver = call.receiver
            if receiver is None:
                continue
            inner = receiver.child_by_field_name("function") if receiver.type == "call" else None
            if (inner is not None and file.qualified_name(inner) in _AEADS) or file.text_of(receiver) in aeads:
                yield from self._fixed(file, call, call.arg(0, "nonce"))

    @staticmethod
    def _fixed(file: PyFile, call: Call, iv) -> Iterator[Hit]:
        if iv is not None and _is_fixed_bytes(file, iv):
            yield Hit(call.node, {"iv": shorten(file.text_of(iv), 40)})


def _is_fixed_bytes(file: PyFile, node: ts.Node | None) -> bool:
    """A constant string/bytes, also `b"\\0" * 16` and `bytes(16)` / `bytearray(16)`."""
    if node is None:
        return False
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return _is_fixed_bytes(file, node.named_children[0])
    if isinstance(file.constant_value(node), str):
        return True
    if node.type == "binary_operator" and file.text_of(node.child_by_field_name("operator")) == "*":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return (_is_fixed_bytes(file, left) and isinstance(file.constant_value(right), int)) or \
            (_is_fixed_bytes(file, right) and isinstance(file.constant_value(left), int))
    if node.type == "call":
        return _is_fixed_bytes_call(file, node)
    if node.type == "identifier":
        values = binding_values(file, node)
        return bool(values) and all(_is_fixed_bytes(file, value) for value in values)
    return False


def _is_fixed_bytes_call(file: PyFile, node: ts.Node) -> bool:
    """`bytes(16)`, `bytearray(16)`, `bytes.fromhex("00ff")`, `"0000".encode()`."""
    function = node.child_by_field_name("function")
    if function is not None and file.text_of(function) in ("bytes", "bytearray"):
        return _one_constant_argument(file, node)
    if function is not None and function.type == "attribute":
        method = file.text_of(function.child_by_field_name("attribute"))
        if method in ("encode", "fromhex") and _is_fixed_bytes(file, function.child_by_field_name("object")):
            return True
        if method == "fromhex" and file.text_of(function.child_by_field_name("object")) in ("bytes", "bytearray"):
            return _one_constant_argument(file, node)
    return False


def _one_constant_argument(file: PyFile, call: ts.Node) -> bool:
    arguments = call.child_by_field_name("arguments")
    args = arguments.named_children if arguments is not None else []
    return len(args) == 1 and file.is_constant(args[0])
