"""Broken or risky cipher (DES, 3DES, RC4, RC2, Blowfish) or ECB mode.

## What it does
Flags OpenSSL (`EVP_des_*`, `EVP_rc4`, `EVP_bf_*`, `EVP_aes_*_ecb`, `DES_*`,
`RC4`), Windows CryptoAPI/CNG (`CALG_DES`, `CALG_RC4`, `BCRYPT_DES_ALGORITHM`
...), libgcrypt and mbed TLS uses of ciphers that are broken or too weak, and
of ECB mode.

## Why is this bad?
DES's 56-bit key is brute-forced in hours; 3DES and Blowfish have 64-bit
blocks open to birthday attacks after a few gigabytes (Sweet32); RC4's
keystream is biased enough to recover plaintext (RFC 7465 bans it). ECB
encrypts equal blocks to equal ciphertext, revealing the data's structure.
Data protected with them can be read or altered (CWE-327).

## Example
```c
#include <openssl/evp.h>

int start(EVP_CIPHER_CTX *ctx, const unsigned char *key, const unsigned char *iv) {
    return EVP_EncryptInit_ex(ctx, EVP_des_ede3_cbc(), NULL, key, iv);
}
```

## Use instead
```c
#include <openssl/evp.h>

int start(EVP_CIPHER_CTX *ctx, const unsigned char *key, const unsigned char *iv) {
    return EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv);
}
```

## References
- https://cwe.mitre.org/data/definitions/327.html
- https://www.rfc-editor.org/rfc/rfc7465
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c._crypto import WEAK_CIPHER_CALLS, WEAK_CIPHER_CONSTANTS, algorithm_uses
from secreview.rules.c._helpers import CRule


class WeakCipherAlgorithm(CRule):
    id = "weak-cipher-algorithm"
    cwe = 327
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "Broken or risky cipher `{algorithm}`"
    description = (
        "`{code}` selects `{algorithm}`. DES keys are brute-forced in hours, 3DES and Blowfish have 64-bit "
        "blocks open to birthday attacks (Sweet32), RC4 leaks plaintext through keystream biases, and ECB "
        "mode shows which blocks of the plaintext are equal. Data protected this way can be read or forged."
    )
    solution = (
        "Use an authenticated modern cipher: AES-GCM or ChaCha20-Poly1305 (`EVP_aes_256_gcm()`, "
        "`EVP_chacha20_poly1305()`, `BCRYPT_AES_ALGORITHM` with GCM chaining), with a fresh random nonce "
        "per message."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for node, algorithm in algorithm_uses(file, WEAK_CIPHER_CALLS, WEAK_CIPHER_CONSTANTS):
            yield Hit(node, {"algorithm": algorithm})
