"""Remove secrets from code before it leaves the machine.

Redaction keeps every line in place (line numbers must still match the
file) and replaces only the secret part of a line with `REDACTED`.  It
errs on the side of hiding: a redacted non-secret costs the model a little
context, a leaked secret cannot be taken back.

What is redacted:
- private key blocks (PEM `BEGIN ... PRIVATE KEY`), body lines only;
- well-known token formats (AWS access key ids, GitHub, Slack, Stripe,
  OpenAI/Anthropic-style `sk-` keys, Google API keys, JWTs, bearer tokens);
- passwords in URLs (`scheme://user:PASSWORD@host`);
- string literals given to names that say password/secret/token/api key
  (any value of 4+ characters), and high-entropy literals given to names
  that merely suggest one (key, auth, salt, signature, ...).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

REDACTED = "[REDACTED]"

_PRIVATE_KEY_BLOCK = re.compile(
    r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(.*?)(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)",
    re.S)

_TOKEN_FORMATS = re.compile("|".join((
    r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b",  # AWS access key id
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",  # GitHub tokens
    r"\bgithub_pat_[A-Za-z0-9_]{40,}\b",
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}",  # Slack
    r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b",  # Stripe
    r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic
    r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API key
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JWT
)))
_BEARER = re.compile(r"(\b(?:Bearer|Basic|Token)\s+)([A-Za-z0-9._~+/=-]{16,})")
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@'\"]+:)([^\s@'\"/]+)(@)")

# name, separator (=, :, ==, an annotated assignment, a quoted dict key), then a quoted literal.
_ASSIGNED_LITERAL = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)"
    r"(?P<sep>['\"]?\s*(?::\s*[A-Za-z_][\w\[\], .|]*?\s*)?(?:==|!=|=|:)\s*[rRbBuU]{0,2})"
    r"(?P<quote>['\"])(?P<value>[^'\"\n]*)(?P=quote)")
_C_DEFINE = re.compile(r"(?P<head>#\s*define\s+(?P<name>[A-Za-z_]\w*)\s+)\"(?P<value>[^\"\n]*)\"")

# Names that say the value is a secret: any literal given to them is redacted.
_SECRET_NAME = re.compile(
    r"pass(?:word|wd|phrase)?\b|passw|pwd|secret|token|api_?key|apikey|access_?key|private_?key|"
    r"credential|auth_?key|session_?key|signing_?key|encryption_?key|master_?key|client_?secret")
# Names that may hold a secret: only high-entropy literals given to them are redacted.
_MAYBE_SECRET_NAME = re.compile(r"key|auth|salt|sig|cred|cert|otp|pin|hash|seed|nonce|cookie")
_MIN_SECRET_LENGTH = 4
_HIGH_ENTROPY_LENGTH = 16
_HIGH_ENTROPY_BITS = 3.5


@dataclass(frozen=True)
class Redaction:
    text: str
    count: int  # how many secrets were replaced


def redact(text: str) -> Redaction:
    """`text` with secrets replaced by REDACTED, line for line."""
    counter = Counter[str]()
    text = _PRIVATE_KEY_BLOCK.sub(lambda m: _redact_key_block(m, counter), text)
    text = _TOKEN_FORMATS.sub(lambda m: _replace(counter, "token"), text)
    text = _BEARER.sub(lambda m: m.group(1) + _replace(counter, "bearer"), text)
    text = _URL_PASSWORD.sub(lambda m: _redact_url_password(m, counter), text)
    text = _ASSIGNED_LITERAL.sub(lambda m: _redact_assignment(m, counter), text)
    text = _C_DEFINE.sub(lambda m: _redact_define(m, counter), text)
    return Redaction(text, sum(counter.values()))


def _replace(counter: Counter[str], kind: str) -> str:
    counter[kind] += 1
    return REDACTED


def _redact_url_password(match: re.Match[str], counter: Counter[str]) -> str:
    if match.group(2) == REDACTED:
        return match.group(0)
    return match.group(1) + _replace(counter, "url") + match.group(3)


def _redact_key_block(match: re.Match[str], counter: Counter[str]) -> str:
    # Every body line becomes REDACTED; the newlines stay so line numbers do not move.
    body = re.sub(r"[^\r\n]+", REDACTED, match.group(2))
    counter["private-key"] += 1
    return match.group(1) + body + match.group(3)


def _redact_assignment(match: re.Match[str], counter: Counter[str]) -> str:
    if not is_secret_assignment(match.group("name"), match.group("value")):
        return match.group(0)
    counter["assignment"] += 1
    return match.group("name") + match.group("sep") + match.group("quote") + REDACTED + match.group("quote")


def _redact_define(match: re.Match[str], counter: Counter[str]) -> str:
    if not is_secret_assignment(match.group("name"), match.group("value")):
        return match.group(0)
    counter["define"] += 1
    return f'{match.group("head")}"{REDACTED}"'


def is_secret_assignment(name: str, value: str) -> bool:
    """Would a literal `value` given to `name` probably be a secret?"""
    if REDACTED in value or len(value) < _MIN_SECRET_LENGTH:
        return False
    normalized = name.lower().replace("-", "_")
    if _SECRET_NAME.search(normalized):
        return True
    return bool(_MAYBE_SECRET_NAME.search(normalized)) and looks_random(value)


def looks_random(value: str) -> bool:
    """Long, space-free and of high Shannon entropy: a key rather than a word or a format string."""
    if len(value) < _HIGH_ENTROPY_LENGTH or any(c.isspace() for c in value):
        return False
    return shannon_entropy(value) >= _HIGH_ENTROPY_BITS


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())
