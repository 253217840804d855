"""What identifiers say about the data they hold (secrets, passwords)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
SECRET_WORDS = frozenset({"key", "keys", "token", "tokens", "nonce", "salt", "password", "passwd", "pwd", "secret",
                          "iv", "session", "sessionid", "otp", "pin", "challenge", "cookie", "csrf", "xsrf", "auth",
                          "crypt", "crypto", "cipher", "uuid", "guid", "passphrase", "credential", "credentials",
                          "apikey", "sid", "reset", "verifier", "entropy"})
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pin", "secret"})


def words(identifier: str) -> list[str]:
    """`sessionToken` / `SESSION_TOKEN` / `session_token` -> ["session", "token"]."""
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", identifier) for w in _WORD.findall(part)]


def names_secret(identifier: str) -> bool:
    return any(w in SECRET_WORDS for w in words(identifier))


def names_password(identifier: str) -> bool:
    return any(w in PASSWORD_WORDS for w in words(identifier))
