"""Password-storage configurations that keep only fast digests."""

from __future__ import annotations

WEAK_DJANGO_PASSWORD_HASHERS = frozenset({
    "django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.SHA1PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher", "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
    "django.contrib.auth.hashers.CryptPasswordHasher",
})
"""Django hashers that run one fast digest (or DES crypt): a `PASSWORD_HASHERS` made only of these stores
every new password that way."""
