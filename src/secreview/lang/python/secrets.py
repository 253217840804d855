"""Secrets written in the code: literals that are keys or tokens by their value, or bound to a secret's name.

One scanner serves the three hard-coded secret rules (password, secret key,
other credential); each reports the secrets of its kind.  A literal is a secret
by its *value* when it holds a format an issuer hands out (a private-key block,
an AWS/GitHub/Slack/Stripe/Google token, a signed JWT: knowledge/secret_formats.py),
wherever it appears; `Secret.format` names it.  Otherwise it is one only when
it is bound to a password, key or credential name and could be one: never a
placeholder or mask, an environment-variable, option or key *name*
(`"san_password"`, `"OS-OAUTH1:access_token"`), a type name (`"str"`), a
regular expression, prose, a selector naming the field, or a string too short
to be anything (`"s0"`); a token or API key must look like key material.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge import vocabulary as v
from secreview.knowledge.secret_formats import (SHORTEST_FORMAT, TRIVIALLY_SHORT, known_format, looks_generated,
                                              names_a_secret)
from secreview.knowledge.signing_keys import (LOGIN_PASSWORD_ARGUMENTS, LOGIN_PASSWORD_METHODS,
                                              LOGIN_PASSWORD_SETTINGS, SIGNING_KEY_ARGUMENTS, SIGNING_SETTINGS)
from secreview.knowledge.vocabulary import words
from secreview.lang.python.file import PyFile
from secreview.lang.python.names import secret_kind, target_texts
from secreview.lang.python.strings import constant_string
from secreview.model import Confidence


@dataclass(frozen=True)
class Secret:
    node: ts.Node   # where to report
    name: str       # the name the literal is bound to (or the API it is passed to)
    kind: str       # "password" | "crypto-key" | "credential"
    how: str        # short description of the construct
    value: str = ""  # the literal's text
    format: str = ""  # the issued format the value holds ("GitHub token"), when it is judged by its value
    login: str = ""  # the authentication API the password is passed to ("ldap simple_bind_s"), judged by its use


_PROSE_END = (":", "?")
_PLACEHOLDER = re.compile(
    r"""^(?:
        \$\{?[A-Za-z_][\w.]*\}? |          # ${DB_PASSWORD}, $PASSWORD
        \{\{.*\}\} | \{[\w.]*\} |           # {{ password }}, {password}
        %\([\w.]+\)[sdr] | %s |             # %(password)s
        <[^<>]*> |                          # <password>, <your-api-key>
        \[[^\[\]]*\] | \([^()]*\) |           # [REDACTED], [Filtered], (hidden)
        \*+ | [xX]+ | \.+ | -+ | _+ | \#+ | # masks: ****, xxxx, ...
        (?i:none|null|nil|undefined|redacted|hidden|secret|password|token|todo|fixme|tbd)
    )$""",
    re.X,
)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_WORDS_IDENTIFIER = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
# Regular-expression syntax a literal secret does not contain: a negated class, an escape class, a group.
_REGEX_SYNTAX = re.compile(r"\[\^|\\[dswxDSW]|\(\?[:=!<P]|\]\+|\]\*")
# What a field's value is declared as in a type or schema map (`{"password": "str"}`), and words that
# stand for "no value" in configuration (`'HTTP_X_AUTH_KEY': 'unset'`).
_TYPE_AND_STATE_WORDS = frozenset({
    "str", "string", "text", "unicode", "bytes", "int", "integer", "bool", "boolean", "float", "dict", "list",
    "json", "object", "uuid", "opt", "hidden", "password", "secret", "true", "false", "yes", "no",
    "on", "off", "unset", "empty", "required", "optional", "any", "blank",
})
_DOTTED_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
_SELECTORISH = re.compile(r"[#\[\]@\s]")


def _looks_like_real_secret(value: str, name: str) -> bool:
    """False for values that are clearly not the secret itself.

    Empty and one-character strings, placeholders and masks (`${DB_PASSWORD}`, `<api-key>`,
    `****`, `{password}`), environment-variable or setting names
    (`"DB_PASSWORD"`), prose and labels (`"Enter your password:"`), CSS/XPath
    selectors naming the field (`"input#password"`), dotted import paths
    (`"myapp.auth.get_credentials"`).  A memorable value such
    as `"changeme"` or `"admin"` IS reported: it is still a hard-coded secret,
    and a guessable one.
    """
    stripped = value.strip()
    if len(stripped) < TRIVIALLY_SHORT or _PLACEHOLDER.match(stripped) \
            or not any(c.isalnum() for c in stripped):
        return False
    if _DOTTED_PATH.match(stripped):
        return False  # "myapp.utils.push_credentials": a setting naming a function or class
    if stripped.lower() in _TYPE_AND_STATE_WORDS or stripped.endswith(("...", "\u2026")) \
            or _REGEX_SYNTAX.search(stripped) or names_a_secret(stripped):
        return False
    name_words = set(words(name))
    value_words = set(words(stripped))
    if _ENV_NAME.match(stripped) and "_" in stripped and \
            (value_words & (v.PASSWORD_WORDS | {"key", "token", "secret"})):
        return False
    if stripped.endswith(_PROSE_END) or len(stripped.split()) >= 3:
        return False
    secret_words = (name_words | v.PASSWORD_WORDS | {"token", "secret", "key"}) - {"pass", "pw"}
    return not (_SELECTORISH.search(stripped) and value_words & secret_words)


# Names a framework reads its signing key from: any literal there is the key as deployed, however weak.
_SIGNING_NAMES = SIGNING_SETTINGS | {"secret_key"}
_TEMPLATE = re.compile(r"^(?:\$\{?[A-Za-z_][\w.]*\}?|\{\{.*\}\}|\{[\w.]*\}|%\([\w.]+\)[sdr]|<[^<>]*>)$")


def _could_be_secret(value: str, name: str) -> bool:
    """`_looks_like_real_secret`, except that under a signing key's name a weak word (`"secret"`,
    `"changeme"`) is the key itself: only the empty string, a template placeholder and the name of an
    option (`"kmip_secret_key"`) are not."""
    if name in _SIGNING_NAMES:
        stripped = value.strip()
        return bool(stripped) and not _TEMPLATE.match(stripped) \
            and not (names_a_secret(stripped) and len(words(stripped)) >= 2)
    return _looks_like_real_secret(value, name)


def judgement(secret: Secret) -> tuple[Confidence, str]:
    """How sure the value is a secret, and why, in a sentence for the finding: by its issued format
    (high), by its use as a login password (high), by a generated-looking value under a secret's name
    (high), or by the name alone (medium)."""
    if secret.format:
        return Confidence.HIGH, (f"The value is a {secret.format} by its format, whatever it is called: a live "
                                 f"credential as written, not a name or a placeholder.")
    if secret.login:
        return Confidence.HIGH, (f"Judged by its use: the program logs in with it ({secret.login}), so it is "
                                 f"the account's password as deployed, whatever its value looks like.")
    if looks_generated(secret.value):
        return Confidence.HIGH, (f"Judged by the name it is bound to and by its value: {len(secret.value)} "
                                 f"characters as varied as a generated key's, not a name or a placeholder.")
    return Confidence.MEDIUM, ("Judged by the name it is bound to: the value is no placeholder, option name or "
                               "type name, but it holds no issued key format either, so it may be a default "
                               "or a test value; check whether a deployment uses it.")


def _is_bare_credential(name: str) -> bool:
    """`token`, `secret`, `credentials` alone: words that parsers and UIs use for other things."""
    return secret_kind(name) == "credential" and len(words(name)) == 1


def _looks_like_key_material(value: str) -> bool:
    """At least 8 characters without spaces, mixing letters with digits or symbols, or 20+ long; not an
    identifier made of words alone (`"frontend_id"`, a parser's state label)."""
    if len(value) < 8 or any(c.isspace() for c in value) or _WORDS_IDENTIFIER.match(value):
        return False
    return len(value) >= 20 or (any(c.isalpha() for c in value) and any(not c.isalpha() for c in value))


# Words a stand-in value is made of: it names the secret, or asks for one, instead of being one
# ("changeme", "your-secret-key-here", "mysecret", "dev", "SUPERSECRETKEY").
_PLACEHOLDER_WORDS = frozenset({
    "secret", "secrets", "key", "keys", "change", "changeme", "changeit", "me", "it", "this", "that",
    "replace", "your", "yours", "my", "our", "here", "please", "set", "put", "insert", "enter", "todo",
    "fixme", "dev", "devel", "develop", "development", "local", "test", "testing", "tests", "debug",
    "example", "sample", "demo", "dummy", "fake", "mock", "placeholder", "default", "insecure", "unsafe",
    "not", "no", "so", "a", "an", "the", "is", "to", "be", "some", "something", "value", "string", "random",
    "super", "very", "top", "app", "application", "flask", "django", "session", "cookie", "jwt", "token",
    "signing", "sign", "password", "pass", "foo", "bar", "baz", "qux", "x", "abc", "hello", "world",
    "s3cr3t", "s3cret", "secr3t", "sekret", "shh", "hush", "private",
})
_MIN_KEY_LENGTH = 6


def _made_of_placeholder_words(run: str) -> bool:
    """`mysecretkey` -> my + secret + key (a word segmentation over the vocabulary above)."""
    reachable = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        reachable[end] = any(reachable[start] and run[start:end] in _PLACEHOLDER_WORDS
                             for start in range(max(0, end - 12), end))
    return reachable[-1]


_LEET = str.maketrans("310457", "eioast")
# A word that marks the whole value as a stand-in when nothing in it looks generated ("another-dev-key").
_STAND_IN_MARKERS = frozenset({"dev", "development", "test", "testing", "example", "sample", "dummy", "fake",
                               "placeholder", "changeme", "change", "replace", "todo", "fixme", "insecure",
                               "default", "demo", "mock"})


def _looks_generated(token: str) -> bool:
    """`9f8a7b6c5d4e`, `a3F9kQ`: letters mixed with digits, as generated keys are."""
    return len(token) >= 6 and any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def is_placeholder_key(value: str) -> bool:
    """A stand-in, not a key: shorter than 6 characters; only placeholder words, read through
    leetspeak ("changeme", "your-secret-key-here", "mysecret123", "s3cr3t", "xxxxxxxx"); or a marker
    such as "dev" or "example" with nothing generated-looking beside it ("another-dev-key").
    "hunter7kx", "e5ac-4ebf-03e5" or a Django-generated key ("django-insecure-9f8a...") are real keys."""
    stripped = value.strip()
    if len(stripped) < _MIN_KEY_LENGTH or not _looks_like_real_secret(stripped, "secret_key"):
        return True
    tokens = re.findall(r"[a-z0-9]+", stripped.lower())
    plain = [run for token in tokens for run in re.sub(r"\d+", " ", token).split()]
    if not plain:
        return False  # "1234567890": guessable, but a key
    for runs in (plain, [run for token in tokens for run in re.sub(r"\d+", " ", token.translate(_LEET)).split()]):
        if runs and all(_made_of_placeholder_words(run) or set(run) <= {"x"} for run in runs):
            return True  # "changeme123", "s3cr3t"
    marked = any(run in _STAND_IN_MARKERS for run in plain)
    return marked and not any(_looks_generated(token) for token in tokens)


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _is_upper(name: str) -> bool:
    return name.upper() == name and any(c.isalpha() for c in name)


_VALUE_FIELD = {"assignment": "right"}

# Crypto APIs whose key argument must not be a literal: callee -> (position, keyword).
_CRYPTO_KEY_ARGUMENTS: dict[str, tuple[int | None, str | None]] = {
    **SIGNING_KEY_ARGUMENTS,
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    "hmac.HMAC": (0, "key"),
    "cryptography.fernet.Fernet": (0, "key"),
    "cryptography.hazmat.primitives.hmac.HMAC": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.algorithms.AES": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.algorithms.ChaCha20": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.aead.AESGCM": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.aead.ChaCha20Poly1305": (0, "key"),
}
for _package in ("Crypto", "Cryptodome"):
    for _cipher in ("AES", "DES", "DES3", "ARC2", "ARC4", "Blowfish", "CAST", "ChaCha20", "Salsa20"):
        _CRYPTO_KEY_ARGUMENTS[f"{_package}.Cipher.{_cipher}.new"] = (0, "key")
    _CRYPTO_KEY_ARGUMENTS[f"{_package}.Hash.HMAC.new"] = (0, "key")

_ENV_GETTERS = ("os.getenv", "os.environ.get", "os.environ.setdefault", "environ.get", "getenv")


def hardcoded_secrets(file: PyFile) -> list[Secret]:
    """Every string literal that is bound to a secret-named target (cached per file)."""
    return file.memo(("hardcoded-secrets",), lambda: list(_scan_secrets(file)))


_STRING_TYPES = frozenset({"string", "concatenated_string"})


def _string_bindings(file: PyFile) -> Iterator[ts.Node]:
    """Assignments, keyword arguments, dict pairs and parameter defaults whose value is a string literal
    (read from the file's node index instead of a tree query of their own)."""
    for node in file.nodes_of_type("assignment", "keyword_argument", "pair", "default_parameter",
                                   "typed_default_parameter"):
        value = node.child_by_field_name(_VALUE_FIELD.get(node.type, "value"))
        if value is None or value.type not in _STRING_TYPES:
            continue
        if node.type == "pair" and node.child_by_field_name("key").type != "string":
            continue
        yield node


def _scan_secrets(file: PyFile) -> Iterator[Secret]:
    formatted = list(_formatted_literals(file))
    logins = list(_login_passwords(file))
    judged = {secret.node.id for secret in formatted} | {secret.node.id for secret in logins}
    for node in _string_bindings(file):
        literal = node.child_by_field_name(_VALUE_FIELD.get(node.type, "value"))
        value = file.string_literal_text(literal)
        if value is None or literal.id in judged:
            continue
        for name, how in _bound_names(file, node):
            if name in LOGIN_PASSWORD_SETTINGS and file.imports_module(LOGIN_PASSWORD_SETTINGS[name]) \
                    and _looks_like_real_secret(value, "password"):
                yield Secret(node, name, "password", how, value, login=f"the {name} setting of "
                                                                          f"{LOGIN_PASSWORD_SETTINGS[name]}")
                break
            kind = secret_kind(name)
            if kind is None or not _could_be_secret(value, name):
                continue
            if kind == "credential" and not _looks_like_key_material(value):
                continue  # `token = "def"` in a lexer, `last_token == "frontend"` in a parser: tokens are generated
            if _normal(value) == _normal(name) and (_is_upper(name) or node.type == "pair"):
                continue  # PASSWORD = "password": a field name, not a password
            yield Secret(node, name, kind, how, value)
            break
    yield from formatted
    yield from logins
    yield from _compared_secrets(file)
    yield from _env_defaults(file)
    yield from _set_password_calls(file)
    yield from _crypto_key_literals(file)


def _formatted_literals(file: PyFile) -> Iterator[Secret]:
    """Every string literal holding an issued key or token format, wherever it is (the outermost literal of
    an implicit concatenation, so a key block written over several lines is one value). A literal's source
    is never shorter than its value, so short ones are not decoded."""
    def long_enough(node: ts.Node) -> bool:
        return node.end_byte - node.start_byte >= SHORTEST_FORMAT
    alone = [node for node in file.nodes_of_type("string") if long_enough(node)
             and (node.parent is None or node.parent.type != "concatenated_string")]
    joined = [node for node in file.nodes_of_type("concatenated_string") if long_enough(node)]
    for node in sorted(alone + joined, key=lambda n: n.start_byte):
        value = file.string_literal_text(node)
        found = known_format(value) if value else None
        if found is not None:
            yield Secret(node, _holder_name(file, node) or found.name, found.kind, "written as a literal", value,
                         found.name)


def _login_passwords(file: PyFile) -> Iterator[Secret]:
    """Literal passwords passed to an authentication call (`conn.simple_bind_s(dn, "pw")`,
    `smtp.login(user, "pw")`, `psycopg2.connect(password="pw")`); reported at the literal."""
    calls = [(call, *LOGIN_PASSWORD_ARGUMENTS[call.name or ""]) for call in file.calls_to(*LOGIN_PASSWORD_ARGUMENTS)]
    calls += [(call, position, keyword) for call in file.method_calls(*LOGIN_PASSWORD_METHODS)
              for position, keyword, module in [LOGIN_PASSWORD_METHODS[call.method or ""]]
              if file.imports_module(module)]
    for call, position, keyword in calls:
        literal = call.arg(position, keyword)
        value = file.string_literal_text(literal) if literal is not None and literal.type in _STRING_TYPES else None
        if value is not None and _looks_like_real_secret(value, "password"):
            api = call.method or call.name or "the call"
            yield Secret(literal, keyword, "password", f"passed as the password of {api}()", value, login=f"{api}()")


def _holder_name(file: PyFile, literal: ts.Node) -> str | None:
    """The name the literal is bound to, when it is the whole value of a binding."""
    parent = literal.parent
    if parent is not None and parent.type in ("assignment", "keyword_argument", "pair", "default_parameter",
                                              "typed_default_parameter") \
            and parent.child_by_field_name(_VALUE_FIELD.get(parent.type, "value")) == literal:
        names = _bound_names(file, parent)
        return names[0][0] if names else None
    return None


def _bound_names(file: PyFile, node: ts.Node) -> list[tuple[str, str]]:
    if node.type == "assignment":
        left = node.child_by_field_name("left")
        if left is not None and left.type in ("identifier", "attribute", "subscript"):
            return [(name, "assigned") for name in target_texts(file, left)]
        return []
    if node.type == "keyword_argument":
        return [(file.text_of(node.child_by_field_name("name")), "passed as a keyword argument")]
    if node.type == "pair":
        key = file.string_literal_text(node.child_by_field_name("key"))
        return [(key, "stored under a dictionary key")] if key else []
    return [(file.text_of(node.child_by_field_name("name")), "used as a parameter default")]


def _compared_secrets(file: PyFile) -> Iterator[Secret]:
    for comparison in file.nodes("(comparison_operator) @cmp", "cmp"):
        operands = comparison.named_children
        operators = [file.text_of(c) for c in comparison.children if not c.is_named]
        if len(operands) != 2 or operators not in (["=="], ["!="]):
            continue
        for name_node, literal in ((operands[0], operands[1]), (operands[1], operands[0])):
            value = file.string_literal_text(literal)
            if value is None or name_node.type not in ("identifier", "attribute", "subscript"):
                continue
            names = target_texts(file, name_node)
            kind = secret_kind(names[0]) if names else None
            if kind is not None and not _is_bare_credential(names[0]) and _looks_like_real_secret(value, names[0]) \
                    and (kind != "credential" or _looks_like_key_material(value)):
                yield Secret(comparison, names[0], kind, "compared with a literal", value)
                break


def _env_defaults(file: PyFile) -> Iterator[Secret]:
    for call in file.calls_to(*_ENV_GETTERS):
        variable = constant_string(file, call.arg(0, "key"))
        default = call.arg(1, "default")
        value = file.string_literal_text(default)
        if variable is None or value is None:
            continue
        kind = secret_kind(variable)
        if kind is not None and _could_be_secret(value, variable):
            yield Secret(call.node, variable, kind, "used as the fallback when the environment variable is unset",
                         value)


def _set_password_calls(file: PyFile) -> Iterator[Secret]:
    for call in file.method_calls("set_password", "setPassword"):
        literal = call.arg(0, "raw_password")
        value = file.string_literal_text(literal)
        if value is not None and _looks_like_real_secret(value, "password"):
            yield Secret(call.node, "password", "password", f"passed to {call.method}()")


def _crypto_key_literals(file: PyFile) -> Iterator[Secret]:
    for call in file.calls_to(*_CRYPTO_KEY_ARGUMENTS):
        key = call.arg(*_CRYPTO_KEY_ARGUMENTS[call.name or ""])
        if key is None or key.type not in ("string", "concatenated_string"):
            continue
        value = file.string_literal_text(key)
        if value is not None and _could_be_secret(value, "secret_key" if call.name in SIGNING_KEY_ARGUMENTS else "key"):
            yield Secret(call.node, call.name or "key", "crypto-key", f"passed as the key of {call.name}()",
                         value)


# -- where a framework setting takes effect (debug switches and signing keys) ---------------------
# These answer "does this literal setting reach the running application, with no safe reading?" for
# `debug-mode-enabled` and `hardcoded-secret-key`.  They would sit well in `settings.py`.

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_PRODUCTION_WORDS = frozenset({"prod", "production", "live", "release", "deploy", "deployment"})
_BASE_SETTINGS_STEMS = frozenset({"base", "common", "default", "defaults", "shared", "global", "example",
                                  "sample", "template"})
_DJANGO_MARKERS = ("INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "WSGI_APPLICATION")
_CONFIG_LOADERS = ("from_object", "from_pyfile", "from_envvar")


def is_loopback_host(file: PyFile, node: ts.Node | None) -> bool:
    """A literal host such as "127.0.0.1" or "localhost": only the machine itself can connect."""
    return file.string_literal_text(node) in _LOOPBACK_HOSTS if node is not None else False


def in_opt_in_branch(file: PyFile, node: ts.Node) -> bool:
    """Inside a conditional branch (`if os.environ.get("DEBUG"):`, `x if flag else y`, an `else:`) or a
    function named for development (`def run_dev_server():`): the switch is someone's deliberate opt-in.
    The `if __name__ == "__main__":` guard of a script is not a branch: it is how the script runs."""
    for ancestor in file.ancestors(node):
        if ancestor.type in ("if_statement", "elif_clause", "else_clause", "conditional_expression",
                             "while_statement"):
            condition = ancestor.child_by_field_name("condition")
            if ancestor.type == "if_statement" and condition is not None and \
                    "__name__" in file.text_of(condition) and "__main__" in file.text_of(condition):
                continue
            return True
        if ancestor.type == "function_definition":
            name = file.text_of(ancestor.child_by_field_name("name"))
            if any(word in v.DEVELOPMENT_WORDS for word in words(name)):
                return True
    return False


def is_production_name(name: str) -> bool:
    """`ProductionConfig`, `ProdSettings`: configuration named for production."""
    return any(word in _PRODUCTION_WORDS for word in words(name))


def loaded_config_names(file: PyFile) -> set[str]:
    """Names this file hands to `config.from_object(...)` & co.: the last dotted part of a string
    (`"config.ProductionConfig"` -> ProductionConfig) or of an expression (`config.Production`), and
    `__name__` for `from_object(__name__)` (this module's own constants)."""
    def compute() -> set[str]:
        found: set[str] = set()
        for call in file.method_calls(*_CONFIG_LOADERS):
            argument = call.arg(0, "obj")
            if argument is None:
                continue
            text = file.string_literal_text(argument) or file.text_of(argument)
            found.add(text.rsplit(".", 1)[-1])
        return found
    return file.memo(("loaded-config-names",), compute)


def is_settings_module(file: PyFile) -> bool:
    """A Django-style settings module: named settings*.py, in a `settings/` package, or defining
    INSTALLED_APPS & co. at module level."""
    stem = os.path.splitext(os.path.basename(file.path))[0].lower()
    if "settings" in stem:
        return True
    if os.path.basename(os.path.dirname(file.path)).lower() == "settings":
        return True
    return any(name in module_level_names(file) for name in _DJANGO_MARKERS)


def is_base_settings(file: PyFile) -> bool:
    """settings/base.py, common_settings.py: shared settings the real ones import and override."""
    stem = os.path.splitext(os.path.basename(file.path))[0]
    return any(word in _BASE_SETTINGS_STEMS for word in words(stem))


def module_level_names(file: PyFile) -> set[str]:
    """Names given a value by a plain `NAME = value` statement at module level."""
    def compute() -> set[str]:
        found: set[str] = set()
        for statement in file.root.named_children:
            if statement.type != "expression_statement" or not statement.named_children:
                continue
            assign = statement.named_children[0]
            if assign.type == "assignment":
                left = assign.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    found.add(file.text_of(left))
        return found
    return file.memo(("module-level-names",), compute)


_OVERRIDING_LOADERS = ("from_pyfile", "from_envvar", "from_object", "from_prefixed_env", "from_file")


def overridden_later(file: PyFile, node: ts.Node, name: str) -> bool:
    """The literal setting may be replaced before the application reads it.

    A module-level `NAME = ...` (Django settings, a config module): a later `from X import *` or
    assignment of `name` at module level (`try: from .local_settings import *`,
    `DEBUG = env.bool("DEBUG")`).  An app's config (`app.config[...] = ...`, `config.update(...)`): a
    later `from_pyfile(...)` / `from_envvar(...)` / `from_object(...)` / `from_prefixed_env()` in the
    same scope, which loads the deployment's own values."""
    end = node.end_byte
    scope = file.enclosing_scope(node)
    left = node.child_by_field_name("left") if node.type == "assignment" else None
    if left is None or left.type != "identifier":
        return any(call.node.start_byte >= end and file.enclosing_scope(call.node) == scope
                   for call in file.method_calls(*_OVERRIDING_LOADERS))
    if scope.type != "module":
        return False
    for statement in file.nodes_of_type("import_from_statement"):
        if statement.start_byte >= end and file.enclosing_scope(statement).type == "module" \
                and any(child.type == "wildcard_import" for child in statement.children):
            return True
    for assign in file.nodes_of_type("assignment"):
        target = assign.child_by_field_name("left")
        if assign.start_byte >= end and target is not None and target.type == "identifier" \
                and file.text_of(target) == name and file.enclosing_scope(assign).type == "module":
            return True
    return False
