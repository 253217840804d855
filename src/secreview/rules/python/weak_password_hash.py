"""Password hashed with a single fast hash instead of a password-hashing function.

## What it does
Flags `hashlib` (and PyCryptodome / `cryptography`) digests such as
`hashlib.sha256(password)` or `h.update(password)` whose input is named like
a password (`password`, `passwd`, `pwd`, `passphrase`, `user.password`,
`get_password()`...), also inside a helper whose callers in the file pass
it a password (`_make_hash(self.password)`). Key-derivation functions (`hashlib.pbkdf2_hmac`,
`hashlib.scrypt`, bcrypt, argon2) are never reported. A Django
`PASSWORD_HASHERS` setting made only of fast-digest hashers (`MD5PasswordHasher`,
`SHA1PasswordHasher`, the unsalted ones) is reported too, by default outside
development settings files.

When the digest itself is kept (compared, assigned or returned) and no
password-hashing function is called beside it (a pre-hash for bcrypt), the
fast digest is the stored password hash: shown by default.

## Why is this bad?
General-purpose hashes are built to be fast: a single GPU computes billions
of SHA-256 or MD5 digests per second. When the stored digests leak (a
database dump, a backup, an SQL injection), an attacker recovers most real
passwords by brute force or dictionary attack in hours, and without a
per-user random salt one precomputed table cracks every account at once.

## Example
```python
import hashlib

def store(user, password):
    user.password_hash = hashlib.sha256(password.encode()).hexdigest()
```

## Use instead
```python
import hashlib
import os

def store(user, password):
    salt = os.urandom(16)
    user.salt = salt
    user.password_hash = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
```

## References
- https://cwe.mitre.org/data/definitions/916.html
- https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
- https://docs.python.org/3/library/hashlib.html#key-derivation
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.crypto import (digest_is_kept, hash_update_calls, hashed_data, password_names,
                                          passwords_passed_in)
from secreview.knowledge.weak_password_storage import WEAK_DJANGO_PASSWORD_HASHERS
from secreview.lang.python.file import PyFile
from secreview.lang.python.settings import is_dev_config_path, setting_assignments
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.python import CallRule

_FAST_HASHES = tuple(f"hashlib.{name}" for name in (
    "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384",
    "sha3_512", "blake2b", "blake2s", "shake_128", "shake_256", "new",
)) + tuple(f"{package}.Hash.{name}.new" for package in ("Crypto", "Cryptodome") for name in (
    "MD5", "MD4", "MD2", "SHA", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3_256",
    "SHA3_512", "BLAKE2b", "BLAKE2s", "RIPEMD160", "keccak",
)) + ("cryptography.hazmat.primitives.hashes.Hash",)


class WeakPasswordHash(CallRule):
    id = "weak-password-hash"
    cwe = 916
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = _FAST_HASHES
    message = "Password hashed with a fast general-purpose hash: {code}"
    description = (
        "`{code}` hashes `{password}` with a single fast digest. If the stored hashes leak (database dump, "
        "backup, SQL injection), an attacker tries billions of candidate passwords per second on a GPU "
        "and recovers most real passwords; without a random per-user salt one precomputed table cracks "
        "every account at once."
    )
    solution = (
        "Hash passwords with a slow, salted password-hashing function: `hashlib.scrypt(password, "
        "salt=os.urandom(16), n=2**14, r=8, p=1)`, `hashlib.pbkdf2_hmac(\"sha256\", password, salt, "
        "600_000)`, or a library such as argon2-cffi / bcrypt / passlib; verify with a constant-time "
        "comparison."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        yield from self._weak_hasher_settings(file)
        for call in self.candidates(file):
            data = hashed_data(call)
            passed = [] if password_names(file, data) else passwords_passed_in(file, data)
            if password_names(file, data) or passed:
                shown = file.text_of(data) + (f" (the callers pass {', '.join(passed)})" if passed else "")
                # the fast digest of a password is itself stored or compared: it is the password hash
                yield Hit(call.node, {"password": shorten(shown, 80)},
                          evidence=Evidence.DEFINITE if digest_is_kept(file, call) else None)
            for update in hash_update_calls(file, call):
                data = update.arg(0, "data")
                if password_names(file, data):
                    yield Hit(update.node, {"password": shorten(file.text_of(data), 60)})

    @staticmethod
    def _weak_hasher_settings(file: PyFile) -> Iterator[Hit]:
        """Django `PASSWORD_HASHERS` listing only fast-digest hashers: every password is stored that way."""
        for setting in setting_assignments(file, ("PASSWORD_HASHERS",)):
            hashers = file.constant_value(setting.value)
            if not isinstance(hashers, (list, tuple)) or not hashers \
                    or not all(hasher in WEAK_DJANGO_PASSWORD_HASHERS for hasher in hashers):
                continue
            development = is_dev_config_path(file.path)  # test settings pick MD5 for speed on purpose
            yield Hit(setting.node, {"password": f"every password (`PASSWORD_HASHERS` = {', '.join(hashers)})"},
                      confidence=Confidence.LOW if development else None,
                      evidence=None if development else Evidence.DEFINITE)
