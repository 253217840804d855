"""Secrets known by their value: key blocks and token formats that are credentials wherever they appear.

A string literal that matches one of these is a secret whatever it is called:
the format is what an issuer hands out (a PEM private-key block with its body,
an AWS access key id, a GitHub/GitLab/Slack/Stripe/Google/SendGrid/npm token, a
signed JWT).  The patterns need the random part at its issued length, so a
prefix alone (`"ghp_"`, `"-----BEGIN RSA PRIVATE KEY-----"` as a parser's
marker) is not a match, and the vendors' documentation examples are stand-ins.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from secreview.knowledge.vocabulary import PASSWORD_WORDS, words


@dataclass(frozen=True)
class SecretFormat:
    name: str          # what the value is, for the finding's text
    kind: str          # "crypto-key" (a private or signing key) or "credential" (an account's token)
    pattern: re.Pattern[str]


def _format(name: str, kind: str, pattern: str) -> SecretFormat:
    return SecretFormat(name, kind, re.compile(pattern))


SECRET_FORMATS: tuple[SecretFormat, ...] = (
    _format("PEM private key", "crypto-key",
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
            r"(?:\\n|\s)+(?:[\w:,-]+:[^\n]*(?:\\n|\s)+)*[A-Za-z0-9+/=]{40,}"),
    _format("AWS access key id", "credential", r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
    _format("GitHub token", "credential", r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}"),
    _format("GitHub fine-grained token", "credential", r"github_pat_[A-Za-z0-9_]{60,}"),
    _format("GitLab token", "credential", r"glpat-[A-Za-z0-9_-]{20,}"),
    _format("Slack token", "credential", r"(?<![A-Za-z0-9])xox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{10,}"),
    _format("Slack webhook URL", "credential",
            r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"),
    _format("Stripe live key", "credential", r"(?<![A-Za-z0-9])(?:sk|rk)_live_[A-Za-z0-9]{20,}"),
    _format("Google API key", "credential", r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
    _format("SendGrid API key", "credential", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    _format("npm token", "credential", r"(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
    _format("signed JWT", "credential",
            r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"),
)

# Documentation examples that match a format but are published stand-ins (AWS's `AKIAIOSFODNN7EXAMPLE`).
_DOCUMENTATION_MARKERS = ("EXAMPLE", "example", "xxxxxxxx", "XXXXXXXX", "0000000000")

HIGH_ENTROPY_BITS = 3.5
"""Shannon entropy per character above which a value of SECRET_LENGTH or more looks generated."""
SECRET_LENGTH = 16


SHORTEST_FORMAT = 20
"""No issued format is shorter than this many characters."""


def known_format(value: str) -> SecretFormat | None:
    """The format `value` is issued in, if it holds one (and is not a documentation example)."""
    if len(value) < SHORTEST_FORMAT or any(marker in value for marker in _DOCUMENTATION_MARKERS):
        return None
    return next((f for f in SECRET_FORMATS if f.pattern.search(value)), None)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_generated(value: str) -> bool:
    """A value of secret-like length whose characters are as varied as a generated key's."""
    return len(value) >= SECRET_LENGTH and not any(c.isspace() for c in value) \
        and entropy(value) >= HIGH_ENTROPY_BITS


# The words a secret's name ends in: `san_password`, `kmip_secret_key`, `access_token`.
SECRET_NAME_HEADS: frozenset[str] = PASSWORD_WORDS | {"key", "token", "secret", "credential", "credentials", "pin"}
_NAME_SHAPED = re.compile(r"^-{0,2}[A-Za-z][A-Za-z0-9_.:/-]*$")
_STAND_IN = re.compile(r"^(?:[^A-Za-z0-9]*|<[^<>]*>|\$\{?[\w.]+\}?|%\(?[\w.]*\)?s|\*+|[xX]{3,}|\.{3,})$")
TRIVIALLY_SHORT = 3
"""A literal shorter than this is an id or a flag (`"s0"`), never a secret."""


def names_a_secret(value: str) -> bool:
    """The literal is the *name* of a secret, not one: an option, field or key name (`"san_password"`,
    `"kmip_secret_key"`, `"OS-OAUTH1:access_token"`, `"pass"`, `"--password"`), whose last segment is an
    identifier naming a password, key or token.  A phrase (`"mail-pass-2024"`, `"my-jwt-secret"`) or one
    word with digits beside it (`"password123"`) is a value, however weak."""
    if not _NAME_SHAPED.match(value):
        return False
    segment = re.split(r"[.:/]", value.lstrip("-"))[-1]
    if not segment.isidentifier():
        return False
    parts = words(segment)
    if not parts or not set(parts) & SECRET_NAME_HEADS:
        return False
    return len(parts) >= 2 or not any(c.isdigit() for c in segment)


def is_stand_in(value: str) -> bool:
    """Not a secret by its value, in any language: trivially short, a mask or template placeholder
    (`"****"`, `"<password>"`, `"${DB_PASSWORD}"`), or the name of a secret (`names_a_secret`)."""
    stripped = value.strip()
    return len(stripped) < TRIVIALLY_SHORT or bool(_STAND_IN.match(stripped)) or names_a_secret(stripped)
