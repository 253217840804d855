"""Words that mark a cookie, a value or a handler as part of logging a user in.

Plain vocabulary (no framework): the cookie-flag rules use it to tell a
cookie that carries a login (a session id, a token, a remember-me value)
from one that carries a preference.
"""

from __future__ import annotations

AUTH_COOKIE_WORDS = frozenset({
    "session", "sess", "sid", "token", "auth", "jwt", "remember", "rememberme", "sso", "credential",
    "credentials", "login", "apikey",
})
"""Cookie-name words that say the cookie authenticates its bearer (`sessionid`, `auth_token`, `rememberme`)."""

API_KEY_WORDS = ("api", "key")
"""`X-Api-Key`, `api_key`: both words together name an API credential."""

CREDENTIAL_VALUE_WORDS = frozenset({
    "username", "user", "password", "passwd", "pwd", "session", "sid", "token", "jwt", "credential",
    "credentials", "apikey",
})
"""Identifier words in a cookie's value that make it a login credential (`sha1(username)`, `session_id`)."""

LOGIN_HANDLER_MARKS = ("login", "signin", "logon", "loggedin", "authenticate")
"""Found in a function name with its separators removed, they mark a handler that logs a user in
(`login`, `sign_in`, `createLoggedInResponse`)."""

GUESSABLE_TIME_CALLS = frozenset({
    "time.time", "time.time_ns", "time.strftime", "time.gmtime", "time.localtime", "time.ctime",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    "datetime.now", "datetime.utcnow", "datetime.today", "date.today",
})
"""Calls whose value an attacker knows to the second: the current time."""

TIME_PARTS = frozenset({"second", "minute", "hour", "day", "month", "year", "microsecond", "timestamp",
                        "isoformat", "strftime"})
"""Attributes and methods of a time value that keep it guessable (`now().second`, `now().timestamp()`)."""

VALUE_PRESERVING_CALLS = frozenset({
    "hashlib.md5", "hashlib.sha1", "hashlib.sha224", "hashlib.sha256", "hashlib.sha384", "hashlib.sha512",
    "hashlib.sha3_256", "hashlib.sha3_512", "hashlib.blake2b", "hashlib.blake2s", "base64.b64encode",
    "base64.urlsafe_b64encode", "base64.b32encode", "base64.b16encode", "base64.encodebytes",
    "binascii.hexlify", "str", "bytes", "repr", "format", "json.dumps",
})
"""Unkeyed functions of their input: anyone who knows the input computes the output."""

VALUE_PRESERVING_METHODS = frozenset({
    "encode", "decode", "hexdigest", "digest", "hex", "lower", "upper", "strip", "format", "join",
})

GUESSABLE_IDENTITY_WORDS = frozenset({"user", "username", "login", "email", "userid", "uid"})
"""Identifier words of a value that is the user's public identity (`username`, `request.form["email"]`)."""

SECRET_VALUE_WORDS = frozenset({"secret", "key", "salt", "password", "passwd", "token", "nonce", "private",
                                "pepper", "hmac"})
"""Identifier words that say a value is, or carries, a secret: it makes the result unguessable."""

AUTH_TOKEN_WORDS = frozenset({"csrf", "xsrf", "sessionid", "sid", "rememberme"})
"""Words that by themselves name an authentication token (`csrf_token`, `sid`)."""

AUTH_TOKEN_QUALIFIERS = frozenset({"reset", "remember", "session", "auth", "access", "login", "verification",
                                   "activation", "confirm", "confirmation"})
AUTH_TOKEN_HEADS = frozenset({"token", "id", "key", "code"})
"""A qualifier with a head (`reset_token`, `session_id`, `auth_key`) names an authentication token."""
