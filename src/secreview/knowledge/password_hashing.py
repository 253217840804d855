"""Password hashing: bcrypt, passlib, argon2-cffi, werkzeug.security and Django's hashers.

Their result is no longer the password as typed: it clears `plaintext`.  A
passlib `CryptContext` or an argon2 `PasswordHasher` is reached through an
instance, so their `hash` / `encrypt` methods are named on any receiver.
"""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer

_PLAINTEXT = frozenset({"plaintext"})

KNOWLEDGE = PythonKnowledge(
    name="password_hashing",
    sanitizers=(
        *(Sanitizer(_PLAINTEXT, callee=name) for name in
          ("bcrypt.hashpw", "bcrypt.kdf", "werkzeug.security.generate_password_hash", "werkzeug.generate_password_hash",
           "django.contrib.auth.hashers.make_password", "hashlib.pbkdf2_hmac", "hashlib.scrypt", "crypt.crypt",
           "flask_bcrypt.generate_password_hash", "scrypt.hash")),
        *(Sanitizer(_PLAINTEXT, method=name) for name in
          ("hash", "encrypt", "generate_password_hash", "hashpw", "make_password", "derive")),
    ),
)

# Calls that check a typed password (or a one-time code) against the stored one: what a login runs per attempt.
VERIFIER_CALLEES = frozenset({
    "bcrypt.checkpw", "werkzeug.security.check_password_hash", "werkzeug.check_password_hash",
    "flask_bcrypt.check_password_hash", "django.contrib.auth.hashers.check_password", "hmac.compare_digest",
    "secrets.compare_digest",
})
VERIFIER_METHODS = frozenset({"check_password_hash", "check_password", "checkpw", "verify_password", "verify"})
"""Methods named so on any receiver: passlib's and argon2's `hasher.verify`, Django's `user.check_password`."""
