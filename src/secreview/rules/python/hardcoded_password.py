"""Password written into the source code.

## What it does
Flags non-empty string literals bound to a name whose head noun is a
password (`password`, `db_password`, `passwd`, `pwd`, `passphrase`,
`ADMIN_PASS`): assignments to variables, attributes and `x["password"]`,
keyword arguments, dictionary entries, parameter defaults, comparisons
(`if password == "s3cret"`), `user.set_password("...")`, and literal
fallbacks such as `os.getenv("DB_PASSWORD", "postgres")`.

Names that are about a password but do not hold one are ignored
(`password_field`, `PASSWORD_MIN_LENGTH`, `password_prompt`, `reset_password_url`),
as are values that are not the password itself: empty strings, placeholders
and masks (`"${DB_PASSWORD}"`, `"<password>"`, `"****"`), environment
variable names (`"DB_PASSWORD"`), labels and prompts (`"Enter password:"`),
selectors naming the field (`"input#password"`) and `PASSWORD = "password"`
style field-name constants. Guessable values such as `"changeme"` or
`"admin"` are reported: they are hard-coded and guessable.

A password judged by its name is an audit finding: it may be a default or a
test value. One judged by its use is shown by default (definite evidence): the
literal is the password an authentication call logs in with (LDAP
`simple_bind_s(dn, "pw")`, `smtp.login(user, "pw")`, `psycopg2.connect(password=...)`
and other sinks in knowledge/signing_keys.py) or an extension's login setting
(`app.config["BASIC_AUTH_PASSWORD"]` with Flask-BasicAuth), whatever it is
called, unless it is a placeholder or mask.

## Why is this bad?
Everyone who can read the code (every developer, every clone, CI logs, a
leaked repository or wheel, a decompiled binary) learns the password, and it
is the same in every deployment. It cannot be rotated without a release, so
one leak gives lasting access to the database, service or account it
protects; default passwords like `admin` are the first thing attackers try.

## Example
```python
import psycopg2

def connect():
    return psycopg2.connect(host="db", user="app", password="Sup3rS3cret!")
```

## Use instead
```python
import os
import psycopg2

def connect():
    return psycopg2.connect(host="db", user="app", password=os.environ["DB_PASSWORD"])
```

## References
- https://cwe.mitre.org/data/definitions/259.html
- https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python import HardcodedSecretRule


class HardcodedPassword(HardcodedSecretRule):
    id = "hardcoded-password"
    family = "hardcoded-secret"
    cwe = 259
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    kind = "password"
    message = "Hard-coded password in `{name}`: {code}"
    description = (
        "A literal password is {how} (`{name}`) in `{code}`. Anyone who can read this code or anything "
        "built from it (repository clones, CI logs, a leaked package) learns it, it is identical in "
        "every deployment, and it cannot be rotated without a release, so one leak gives lasting access "
        "to whatever it protects."
    )
    solution = (
        "Read the password at run time from the environment or a secret store (`os.environ[\"DB_PASSWORD\"]`, "
        "Vault, AWS Secrets Manager, a mounted secret file), remove the literal, and rotate the password "
        "since it is already in the version history."
    )
