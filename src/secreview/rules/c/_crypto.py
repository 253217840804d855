"""Names of broken algorithms in the crypto libraries C and C++ code uses.

Calls (OpenSSL, libgcrypt, Windows CNG/CryptoAPI, Qt) and constants (algorithm
ids passed to generic APIs) are both recognised; matching is on exact names.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile

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
WEAK_HASH_CALLS = frozenset({
    "EVP_md5", "EVP_md4", "EVP_md2", "EVP_sha1", "MD5", "MD5_Init", "MD5_Update", "MD5_Final", "MD4", "MD4_Init",
    "SHA1", "SHA1_Init", "SHA1_Update", "SHA1_Final", "CC_MD5", "CC_SHA1",
})
WEAK_HASH_CONSTANTS = frozenset({
    "CALG_MD5", "CALG_MD4", "CALG_MD2", "CALG_SHA1", "CALG_SHA", "BCRYPT_MD5_ALGORITHM", "BCRYPT_MD4_ALGORITHM",
    "BCRYPT_SHA1_ALGORITHM", "GCRY_MD_MD5", "GCRY_MD_SHA1", "GCRY_MD_MD4", "QCryptographicHash::Md5",
    "QCryptographicHash::Md4", "QCryptographicHash::Sha1", "MBEDTLS_MD_MD5", "MBEDTLS_MD_SHA1",
})


def algorithm_uses(file: CFile, calls: frozenset[str], constants: frozenset[str]) -> Iterator[tuple[ts.Node, str]]:
    """(node, algorithm name) for calls of `calls` and uses of the identifiers in `constants`."""
    for call in file.calls_to(*calls):
        yield call.node, call.method or ""
    plain = {c for c in constants if "::" not in c}
    qualified = constants - plain
    for name in plain:
        for node in file.identifiers(file.root).get(name, ()):
            if node.parent is not None and node.parent.type != "preproc_def":
                yield node, name
    if qualified and file.language == "cpp":
        for node in file.nodes("(qualified_identifier) @q", "q"):
            text = "".join(file.text_of(node).split())
            if text in qualified:
                yield node, text
