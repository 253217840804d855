"""Broken hash function (MD5, MD4, MD2, SHA-1) used.

## What it does
Flags OpenSSL (`EVP_md5`, `EVP_sha1`, `MD5`, `SHA1`, `MD5_Init`...), CommonCrypto,
Windows CryptoAPI/CNG (`CALG_MD5`, `CALG_SHA1`, `BCRYPT_MD5_ALGORITHM`...),
libgcrypt, mbed TLS and Qt (`QCryptographicHash::Md5`, `Sha1`) uses of MD5,
MD4, MD2 and SHA-1.

A use inside a protocol or format whose specification fixes the algorithm
(NTLM, HTTP digest, TCP-MD5, routing-protocol authentication, RADIUS, SNMP,
IPsec, ZIP/WinZip AES, git object ids: knowledge/protocol_crypto.py, judged
from the file path and the enclosing function's name) is low confidence and
names the protocol: the fix is a newer protocol version, not another algorithm.

## Why is this bad?
Collisions for MD5 and SHA-1 are computed cheaply (chosen-prefix collisions
forged certificates and PDF signatures), so signatures, integrity checks and
content identifiers based on them can be forged; for passwords they are far
too fast to resist brute force (CWE-328).

## Example
```c
#include <openssl/evp.h>

int digest_init(EVP_MD_CTX *ctx) {
    return EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
}
```

## Use instead
```c
#include <openssl/evp.h>

int digest_init(EVP_MD_CTX *ctx) {
    return EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
}
```

## References
- https://cwe.mitre.org/data/definitions/328.html
- https://shattered.io/
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.knowledge.protocol_crypto import mandated_note
from secreview.lang.c_family.protocols import weak_primitive_uses
from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule

# Broken algorithms by exact name: calls (OpenSSL, libgcrypt, Windows CNG/CryptoAPI, Qt) and the
# algorithm ids passed to generic APIs.
WEAK_HASH_CALLS = frozenset({
    "EVP_md5", "EVP_md4", "EVP_md2", "EVP_sha1", "MD5", "MD5_Init", "MD5_Update", "MD5_Final", "MD4", "MD4_Init",
    "SHA1", "SHA1_Init", "SHA1_Update", "SHA1_Final", "CC_MD5", "CC_SHA1",
})
WEAK_HASH_CONSTANTS = frozenset({
    "CALG_MD5", "CALG_MD4", "CALG_MD2", "CALG_SHA1", "CALG_SHA", "BCRYPT_MD5_ALGORITHM", "BCRYPT_MD4_ALGORITHM",
    "BCRYPT_SHA1_ALGORITHM", "GCRY_MD_MD5", "GCRY_MD_SHA1", "GCRY_MD_MD4", "QCryptographicHash::Md5",
    "QCryptographicHash::Md4", "QCryptographicHash::Sha1", "MBEDTLS_MD_MD5", "MBEDTLS_MD_SHA1",
})


class WeakHashAlgorithm(CRule):
    id = "weak-hash-algorithm"
    cwe = 328
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Broken hash function `{algorithm}`"
    description = (
        "`{code}` uses `{algorithm}`, for which collisions are cheap to compute. If the digest protects "
        "integrity or authenticity (signatures, certificates, download checks, tokens), an attacker can forge "
        "a different input with the same digest; for passwords it is far too fast to resist brute force."
    )
    solution = (
        "Use SHA-256 or better (`EVP_sha256()`, `BCRYPT_SHA256_ALGORITHM`, `QCryptographicHash::Sha256`); "
        "for passwords use a password hash (Argon2, scrypt, bcrypt or PBKDF2 with many iterations)."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for node, algorithm, protocol in weak_primitive_uses(file, WEAK_HASH_CALLS, WEAK_HASH_CONSTANTS):
            # the specification being implemented fixes the algorithm: explained, low confidence
            yield Hit(node, {"algorithm": algorithm}, confidence=Confidence.LOW if protocol else None,
                      note=mandated_note(protocol, algorithm) if protocol else "")
