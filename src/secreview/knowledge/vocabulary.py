"""What the words in identifiers say: vocabularies shared by the rules of every language.

A name is split into lower-case words (`words`): `SECRET_KEY`, `secretKey` and
`secretkey` all give ("secret", "key").  The vocabularies below are sets of
such words, as `words` yields them (never a compound like `apikey`).  Rules ask
whether a name mentions one (`mentions`) or, in the Python layer, what its
head noun is (`secreview.lang.python.names`).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# Words written as one that hold two: `apikey` says what `api_key` says.
COMPOUND_WORDS: dict[str, tuple[str, str]] = {
    "apikey": ("api", "key"), "secretkey": ("secret", "key"), "privatekey": ("private", "key"),
    "accesskey": ("access", "key"), "signingkey": ("signing", "key"), "authkey": ("auth", "key"),
    "authtoken": ("auth", "token"), "accesstoken": ("access", "token"), "apitoken": ("api", "token"),
    "refreshtoken": ("refresh", "token"), "clientsecret": ("client", "secret"),
    "apisecret": ("api", "secret"), "sessionid": ("session", "id"), "sessionkey": ("session", "key"),
    "dbpassword": ("db", "password"), "userpassword": ("user", "password"),
    "adminpassword": ("admin", "password"), "rootpassword": ("root", "password"),
}


def words(name: str) -> tuple[str, ...]:
    """`SECRET_KEY` -> (secret, key); `apiKey` -> (api, key); digits are dropped."""
    found: list[str] = []
    for match in _WORD.findall(name):
        word = match.lower()
        if word.isdigit():
            continue
        found.extend(COMPOUND_WORDS.get(word, (word,)))
    return tuple(found)


def mentions(name: str, vocabulary: frozenset[str]) -> bool:
    """True when any word of `name` is in `vocabulary`."""
    return any(word in vocabulary for word in words(name))


# -- secrets ----------------------------------------------------------------------------------

PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pw", "passwort"})
"""Words for a password, in every language."""

LOGIN_SECRET_WORDS = (PASSWORD_WORDS - {"pw"}) | {"pin", "secret"}
"""What a login compares typed input with: a password, a PIN or a secret.

Without `pw`: in C that is the `struct passwd *` of getpwnam(), whose fields
(`pw_name`, `pw_shell`) hold no password."""

SECRET_VALUE_WORDS = frozenset({
    "key", "keys", "token", "tokens", "nonce", "salt", "password", "passwd", "pwd", "secret", "iv", "session",
    "otp", "pin", "challenge", "cookie", "csrf", "xsrf", "auth", "crypt", "crypto", "cipher", "uuid",
    "guid", "passphrase", "credential", "credentials", "sid", "reset", "verifier", "entropy",
})
"""Values that must be unpredictable (keys, tokens, nonces, salts...): what a weak random generator must not make."""

SECRET_NAME_NEUTRAL_SUFFIXES = frozenset({
    "value", "val", "str", "string", "bytes", "raw", "plain", "plaintext", "clear", "cleartext",
    "confirm", "confirmation", "again", "repeat", "encoded", "utf", "b", "default", "literal",
})
"""Words that may follow the noun without changing what the name holds (`password_confirm`)."""

NOT_A_SECRET_WORDS = frozenset({
    "field", "fields", "label", "prompt", "hint", "placeholder", "regex", "re", "pattern", "policy",
    "min", "max", "length", "len", "url", "uri", "endpoint", "path", "file", "filename", "env", "var",
    "name", "type", "widget", "validator", "hash", "hashed", "hasher", "digest", "reset", "forgot",
    "change", "column", "col", "selector", "xpath", "css", "id", "error", "message", "msg", "help",
    "template", "required", "strength", "mask", "masked", "header", "param", "parameter", "prefix",
    "suffix", "format", "fmt", "attr", "attribute", "input", "button", "link", "expiry", "expires",
    "expiration", "timeout", "ttl", "age", "count", "size", "location", "setting", "option", "flag",
    "enabled", "disabled", "mode", "kind", "class", "cls", "method", "algorithm", "algo",
    # tokenizer and pagination vocabulary
    "eos", "bos", "pad", "unk", "sep", "start", "end", "special", "stop", "split", "page",
    "next", "prev", "previous", "continuation", "cursor", "sync", "csrf", "xsrf", "lexer", "parser",
})
"""Words anywhere in a name that say it is about the secret, not the secret itself (`password_field`)."""

CRYPTO_KEY_QUALIFIERS = frozenset({
    "signing", "sign", "signature", "encryption", "encrypt", "decrypt", "decryption", "crypto",
    "cipher", "private", "priv", "hmac", "aes", "des", "fernet", "jwt", "master", "symmetric", "shared",
})
"""Qualifiers that make a `key` or `secret` a cryptographic key (`signing_key`, `jwt_secret`)."""

WEAK_CRYPTO_KEY_QUALIFIERS = frozenset({"secret", "session", "cookie"})
"""Qualifiers that make a key cryptographic unless it is an account credential
(`aws_secret_access_key`, `api_secret_key`)."""

CREDENTIAL_KEY_QUALIFIERS = frozenset({
    "api", "access", "auth", "client", "app", "application", "consumer", "account", "service",
    "subscription", "license", "licence", "developer", "dev", "user", "bot", "webhook", "stripe",
    "aws", "gcp", "azure", "github", "gitlab", "slack", "openai", "sendgrid", "twilio", "mailgun",
})
"""Qualifiers that make a `key` or `secret` an account credential (`api_key`, `client_secret`)."""

# -- security contexts -------------------------------------------------------------------------

SECURITY_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "token", "tokens", "secret", "secrets", "signature",
    "sign", "signing", "signed", "hmac", "auth", "authenticate", "authentication", "authorize",
    "authorization", "authn", "authz", "login", "credential", "credentials", "nonce",
    "salt", "otp", "totp", "hotp", "csrf", "xsrf", "jwt", "session", "cookie", "reset", "captcha",
    "mfa", "verification", "activation", "invite", "invitation", "confirmation",
})
"""Words that mark a security context for hashes and random values."""

SECURITY_CODE_QUALIFIERS = frozenset({
    "verify", "verification", "confirm", "confirmation", "activation", "activate", "reset", "invite",
    "invitation", "login", "auth", "sms", "email", "mfa", "recovery", "otp", "access", "security",
    "one", "pin", "unlock", "promo", "coupon", "voucher", "referral",
})
"""Qualifiers that make a `code` or `pin` a secret (`reset_code`, `sms_pin`)."""

INNOCENT_KEY_QUALIFIERS = frozenset({
    "cache", "sort", "dict", "lookup", "partition", "shard", "primary", "foreign", "map", "index",
    "group", "hash", "row", "column", "field", "random", "redis", "s3", "object", "bucket", "idempotency",
})
"""Qualifiers that make a `key` a lookup key, not a secret (`cache_key`)."""

NON_SECURITY_HASH_WORDS = frozenset({
    "cache", "cached", "etag", "checksum", "checksums", "dedup", "deduplicate", "shard", "bucket",
    "partition", "file", "filename", "files", "chunk", "md5sum", "crc", "content", "fingerprint",
    "uuid", "uuid3", "uuid5", "git", "commit", "gravatar", "avatar", "identicon",
})
"""Words around a hash that say it identifies data rather than protects it."""

NON_SECURITY_RANDOM_WORDS = frozenset({
    "jitter", "backoff", "delay", "sleep", "retry", "retries", "wait", "interval", "timeout",
    "color", "colour", "colors", "weight", "weights", "noise", "demo", "game", "dice", "simulate",
    "simulation", "mock", "fake", "dummy", "example", "latency", "probability", "chance",
    "sample", "sampling", "shuffle", "shuffled", "augment", "augmentation", "epoch", "batch",
    "seconds", "minutes", "hours", "days", "milliseconds", "ms", "timedelta", "td", "schedule",
})
"""Words around a random value that say it needs no unpredictability (retry jitter, sampling)."""

DEVELOPMENT_WORDS = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing", "debug", "ci"})
"""Words that name development-only configuration (`settings/dev.py`, `LocalConfig`)."""

# -- cookies -----------------------------------------------------------------------------------

INNOCENT_COOKIE_WORDS = frozenset({
    "theme", "lang", "language", "locale", "tz", "timezone", "consent", "banner", "dismissed", "seen",
    "tour", "preference", "preferences", "prefs", "sidebar", "layout", "view", "sort", "currency",
    "region", "country", "font", "dark", "mode", "color", "colour", "tab", "collapsed", "zoom",
})
"""Cookies that hold a display preference or a UI flag, not a credential."""

SECRET_COOKIE_WORDS = frozenset({
    "session", "sess", "sid", "token", "auth", "jwt", "remember", "login", "access",
    "refresh", "secret", "key", "sso", "identity", "credential", "credentials", "user", "uid",
})
"""Cookies that hold a session or a credential."""

# -- passwords people guess first -------------------------------------------------------------

COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "admin", "admin123", "admin1234",
    "administrator", "root", "toor", "guest", "user", "test", "test123", "default", "changeme", "secret",
    "secret123", "letmein", "welcome", "welcome1", "iloveyou", "trustno1", "monkey", "dragon", "master",
    "sunshine", "princess", "football", "baseball", "superman", "qwerty", "qwerty123", "qwertyuiop",
    "asdfghjkl", "qazwsx", "1qaz2wsx", "zaq12wsx", "1q2w3e4r", "qweasdzxc", "abc123", "abc12345",
    "123456", "1234567", "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000",
})
"""Passwords at the top of every published list of leaked passwords: the first ones an attacker tries."""
