"""Broken or risky cipher (DES, 3DES, RC4, RC2, Blowfish) or ECB mode.

## What it does
Flags OpenSSL (`EVP_des_*`, `EVP_rc4`, `EVP_bf_*`, `EVP_aes_*_ecb`, `DES_*`,
`RC4`), Windows CryptoAPI/CNG (`CALG_DES`, `CALG_RC4`, `BCRYPT_DES_ALGORITHM`
...), libgcrypt and mbed TLS uses of ciphers that are broken or too weak, and
of ECB mode.

A use inside a protocol or format whose specification fixes the algorithm
(NTLM, HTTP digest, TCP-MD5, routing-protocol authentication, RADIUS, SNMP,
IPsec, ZIP/WinZip AES, git object ids: knowledge/protocol_crypto.py, judged
from the file path and the enclosing function's name) is low confidence and
names the protocol: the fix is a newer protocol version, not another algorithm.

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

from secreview.knowledge.protocol_crypto import mandated_note
from secreview.lang.c_family.protocols import weak_primitive_uses
from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CRule

# Broken algorithms by exact name: calls (OpenSSL, libgcrypt, Windows CNG/CryptoAPI, Qt) and the
# algorithm ids passed to generic APIs.
WEAK_CIPHER_CALLS = frozenset({
    "EVP_des_ecb", "EVP_des_cbc", "EVP_des_cfb", "EVP_des_ofb", "EVP_des_ede", "EVP_des_ede_cbc", "EVP_des_ede3",
    "EVP_des_ede3_cbc", "EVP_des_ede3_ecb", "EVP_rc4", "EVP_rc4_40", "EVP_rc2_cbc", "EVP_rc2_ecb", "EVP_rc2_40_cbc",
    "EVP_bf_cbc", "EVP_bf_ecb", "EVP_cast5_cbc", "EVP_idea_cbc", "EVP_aes_128_ecb", "EVP_aes_192_ecb",
    "EVP_aes_256_ecb", "DES_ecb_encrypt", "DES_set_key", "DES_set_key_checked", "DES_ncbc_encrypt",
    "DES_ede3_cbc_encrypt", "RC4", "RC4_set_key", "RC2_set_key", "BF_set_key", "AES_ecb_encrypt",
})
WEAK_CIPHER_CONSTANTS = frozenset({
    "CALG_DES", "CALG_3DES", "CALG_3DES_112", "CALG_RC2", "CALG_RC4", "CALG_DESX", "BCRYPT_DES_ALGORITHM",
    "BCRYPT_3DES_ALGORITHM", "BCRYPT_RC4_ALGORITHM", "BCRYPT_RC2_ALGORITHM", "GCRY_CIPHER_DES",
    "GCRY_CIPHER_3DES", "GCRY_CIPHER_ARCFOUR", "GCRY_CIPHER_BLOWFISH", "GCRY_CIPHER_MODE_ECB",
    "BCRYPT_CHAIN_MODE_ECB", "MBEDTLS_CIPHER_DES_ECB", "MBEDTLS_CIPHER_ARC4_128",
})


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
        for node, algorithm, protocol in weak_primitive_uses(file, WEAK_CIPHER_CALLS, WEAK_CIPHER_CONSTANTS):
            # the specification being implemented fixes the algorithm: explained, low confidence
            yield Hit(node, {"algorithm": algorithm}, confidence=Confidence.LOW if protocol else None,
                      note=mandated_note(protocol, algorithm) if protocol else "")
