"""Where a literal is an application's signing key or a service's login password: the sinks, as data.

A value that reaches one of these is used as a key or a password, whatever it
is called and however weak it looks: a guessable signing key (`"mysecret"`) is
the worst case, not a placeholder.  lang/python/secrets.py reads them to find
the literals (and marks login passwords); `hardcoded-secret-key` reads them to
decide which keys the running application signs with.
"""

from __future__ import annotations

# Framework settings that sign session cookies, CSRF tokens, password-reset links or JWTs
# (Flask/Quart/Django `SECRET_KEY`, Flask-JWT(-Extended), Flask-WTF, Flask-Security).
SIGNING_SETTINGS: frozenset[str] = frozenset({
    "SECRET_KEY", "JWT_SECRET_KEY", "JWT_PRIVATE_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT",
})

# Packages whose application object reads `app.secret_key` / `app.config[...]`.
WEB_FRAMEWORKS: tuple[str, ...] = ("flask", "quart", "django", "flask_jwt_extended", "flask_jwt", "flask_wtf",
                                   "connexion")

# Calls whose argument is the signing key: callee -> (position, keyword).
SIGNING_KEY_ARGUMENTS: dict[str, tuple[int, str]] = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    **{f"itsdangerous.{name}": (0, "secret_key") for name in (
        "Signer", "TimestampSigner", "Serializer", "URLSafeSerializer", "URLSafeTimedSerializer", "TimedSerializer",
    )},
}

# Module stems of a settings module an application loads whole (`from_pyfile("config.py")`, Django's
# `settings.py`): an upper-case `SECRET_KEY` at its top level is the running app's key.
CONFIG_MODULE_STEMS: frozenset[str] = frozenset({"config", "settings", "configuration", "production", "prod"})

# Extension settings that hold the password an HTTP login accepts -> the package that reads them.
LOGIN_PASSWORD_SETTINGS: dict[str, str] = {
    "BASIC_AUTH_PASSWORD": "flask_basicauth",
}

# Authentication calls whose argument is the password the program logs in with:
# method -> (position, keyword, a module the file must import for the method to be that API).
LOGIN_PASSWORD_METHODS: dict[str, tuple[int, str, str]] = {
    "simple_bind_s": (1, "cred", "ldap"),
    "simple_bind": (1, "cred", "ldap"),
    "bind_s": (1, "cred", "ldap"),
    "login": (1, "password", "smtplib"),
}

# Functions and classes whose argument is the password an account logs in with:
# callee -> (position or None when it is keyword-only, keyword).
LOGIN_PASSWORD_ARGUMENTS: dict[str, tuple[int | None, str]] = {
    "psycopg2.connect": (None, "password"),
    "pymysql.connect": (None, "password"),
    "MySQLdb.connect": (None, "passwd"),
    "mysql.connector.connect": (None, "password"),
    "ldap3.Connection": (2, "password"),
    "requests.auth.HTTPBasicAuth": (1, "password"),
}
