"""Cryptographic key or signing secret written into the source code.

## What it does
Flags non-empty string literals used as a cryptographic key: assigned to,
passed as or stored under names such as `SECRET_KEY`, `signing_key`,
`jwt_secret`, `hmac_key`, `encryption_key`, `private_key`,
`app.secret_key`, `app.config["SECRET_KEY"]`; and literals passed directly
as the key of `jwt.encode/decode`, `hmac.new`, `Fernet`, `AESGCM`,
`Crypto.Cipher.*.new`, `itsdangerous` signers. Placeholders, environment
variable names and empty strings are ignored (see `hardcoded-password`).

## Why is this bad?
Whoever holds the key can do what the key protects: with a leaked Django /
Flask `SECRET_KEY` or JWT secret an attacker signs their own session
cookies, password-reset links and tokens and logs in as any user (with
pickle-based sessions, runs code); with an encryption key they decrypt the
stored data. A key in the source is known to everyone who sees the code and
is shared by every deployment.

## Example
```python
import jwt

def issue_token(user_id):
    return jwt.encode({"sub": user_id}, "my-jwt-signing-secret", algorithm="HS256")
```

## Use instead
```python
import os
import jwt

def issue_token(user_id):
    return jwt.encode({"sub": user_id}, os.environ["JWT_SECRET"], algorithm="HS256")
```

## References
- https://cwe.mitre.org/data/definitions/321.html
- https://docs.djangoproject.com/en/stable/ref/settings/#secret-key
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python import HardcodedSecretRule


class HardcodedSecretKey(HardcodedSecretRule):
    id = "hardcoded-secret-key"
    family = "hardcoded-secret"
    cwe = 321
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    kind = "crypto-key"
    message = "Hard-coded cryptographic key in `{name}`: {code}"
    description = (
        "A literal key is {how} (`{name}`) in `{code}`. Anyone who reads the code knows the key and can "
        "do what it protects: forge signed session cookies, password-reset links or JWTs and log in as "
        "any user, or decrypt data encrypted with it; every deployment shares the same key."
    )
    solution = (
        "Load the key at run time from the environment or a secret store (`os.environ[\"SECRET_KEY\"]`), "
        "generate it with `secrets.token_urlsafe(50)` (or `Fernet.generate_key()` / `os.urandom(32)` for "
        "encryption keys), and rotate it: the current value is already in the version history."
    )
