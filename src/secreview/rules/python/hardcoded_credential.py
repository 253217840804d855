"""API key, access token or client secret written into the source code.

## What it does
Flags non-empty string literals bound to credential names: `api_key`,
`API_TOKEN`, `access_token`, `auth_token`, `client_secret`, `secret`,
`aws_access_key`, `credentials`... in assignments, attributes, keyword
arguments, dictionary entries, parameter defaults, comparisons and
`os.getenv(..., "literal")` fallbacks. Names that only describe a
credential (`token_url`, `token_type`, `api_key_header`) and
tokenizer/pagination vocabulary (`eos_token`, `next_page_token`) are
ignored, as are placeholders, environment-variable names and empty strings.
Passwords and cryptographic keys have their own rules (`hardcoded-password`,
`hardcoded-secret-key`).

## Why is this bad?
A credential in the source is readable by everyone with access to the code,
its history, CI logs or a built artefact, and bots scan public repositories
for such keys within minutes of a push. The key grants the holder the
account's full access to the third-party API (cloud resources, payments,
mail) until someone notices and revokes it.

## Example
```python
import requests

API_TOKEN = "ghp_4f9a8e2b7c1d6e3f0a9b8c7d6e5f4a3b2c1d"

def list_repos():
    return requests.get("https://api.github.com/user/repos",
                        headers={"Authorization": "token " + API_TOKEN}, timeout=10)
```

## Use instead
```python
import os
import requests

API_TOKEN = os.environ["GITHUB_TOKEN"]

def list_repos():
    return requests.get("https://api.github.com/user/repos",
                        headers={"Authorization": "token " + API_TOKEN}, timeout=10)
```

## References
- https://cwe.mitre.org/data/definitions/798.html
- https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python import HardcodedSecretRule


class HardcodedCredential(HardcodedSecretRule):
    id = "hardcoded-credential"
    family = "hardcoded-secret"
    cwe = 798
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    kind = "credential"
    message = "Hard-coded credential in `{name}`: {code}"
    description = (
        "A literal credential is {how} (`{name}`) in `{code}`. Everyone with access to the code, its "
        "history, CI logs or a built package can use it with the full rights of the account it belongs "
        "to, and automated scanners harvest such keys from public repositories within minutes; it stays "
        "valid until someone revokes it."
    )
    solution = (
        "Read the credential at run time from the environment or a secret store "
        "(`os.environ[\"SERVICE_API_KEY\"]`, Vault, a cloud secret manager), remove the literal, "
        "and revoke/rotate the exposed key: it is already in the version history."
    )
