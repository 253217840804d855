"""Cryptographic key or signing secret written into the source code.

## What it does
Flags non-empty string literals used as a cryptographic key: assigned to,
passed as or stored under names such as `SECRET_KEY`, `signing_key`,
`jwt_secret`, `hmac_key`, `encryption_key`, `private_key`,
`app.secret_key`, `app.config["SECRET_KEY"]`; and literals passed directly
as the key of `jwt.encode/decode`, `hmac.new`, `Fernet`, `AESGCM`,
`Crypto.Cipher.*.new`, `itsdangerous` signers. Placeholders, environment
variable names and empty strings are ignored (see `hardcoded-password`).

A key is judged by its use (the sinks are data in knowledge/signing_keys.py).
It is shown by default (definite evidence) when the literal, or the literal
fallback of an environment read (`os.environ.get("SECRET_KEY", "dev")`), is
the running application's signing key: the target is `app.secret_key`,
`app.config["SECRET_KEY"]` / `["JWT_SECRET_KEY"]` (also through
`app.config.update(...)`), `SECRET_KEY` in the Django settings module, in a
config module (`config.py`) or in a config class the file loads
(`from_object`) or names for production, or the key argument of
`jwt.encode/decode` or an `itsdangerous` signer (directly or through a
variable whose only value it is). Its value does not matter, empty strings and
template placeholders (`"<generate one>"`, `"${SECRET_KEY}"`) excepted: a
guessable key (`"mysecret"`, `"changeme"`) is the worst case, since anyone
with the source, or a word list, forges sessions and tokens with it.
Other keys, key names alone, development-named files, opt-in branches and
settings that a later load replaces stay audit findings.

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

import os
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.signing_keys import CONFIG_MODULE_STEMS, SIGNING_KEY_ARGUMENTS, SIGNING_SETTINGS, WEB_FRAMEWORKS
from secreview.knowledge.vocabulary import DEVELOPMENT_WORDS, words
from secreview.lang.python.file import PyFile
from secreview.lang.python.secrets import (
    Secret,
    hardcoded_secrets,
    in_opt_in_branch,
    is_base_settings,
    is_placeholder_key,
    is_production_name,
    is_settings_module,
    judgement,
    loaded_config_names,
    overridden_later,
)
from secreview.lang.python.settings import is_dev_config_path
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
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

    def check(self, file: PyFile) -> Iterator[Hit]:
        doubtful_file = is_dev_config_path(file.path)
        for secret in hardcoded_secrets(file):
            if secret.kind != self.kind:
                continue
            confidence, why = judgement(secret)
            binding = _binding_of(secret)
            signs = not doubtful_file and binding is not None and _signs_for_the_app(file, binding, secret.name) \
                and not in_opt_in_branch(file, binding) \
                and (binding.type == "call" or file.enclosing_scope(binding).type == "class_definition"
                     or not overridden_later(file, binding, secret.name))
            if signs and not secret.format:
                confidence, why = Confidence.HIGH, _SIGNING_NOTE + (_GUESSABLE_NOTE if is_placeholder_key(
                    secret.value) else "")
            yield Hit(secret.node, {"name": secret.name, "how": secret.how}, confidence=confidence, note=why,
                      evidence=Evidence.DEFINITE if secret.format or signs else None)


_SIGNING_NOTE = ("Judged by its use: the literal is the running application's signing key, so anyone with the "
                 "source can forge its session cookies, reset links or tokens.")
_GUESSABLE_NOTE = " Its value is a guessable stand-in, which makes that easier still."


def _binding_of(secret: Secret) -> ts.Node | None:
    """The statement or call that gives the key its use: the literal's own binding, the call it is passed
    to, or for an environment fallback (`SECRET_KEY = os.environ.get("SECRET_KEY", "...")`) the binding
    of the read's result."""
    node = secret.node
    if node.type != "call" or secret.how.startswith("passed as the key"):
        return node
    parent = node.parent
    value_field = "right" if parent is not None and parent.type == "assignment" else "value"
    if parent is not None and parent.type in ("assignment", "keyword_argument", "pair") \
            and parent.child_by_field_name(value_field) == node:
        return parent
    return None


def _signs_for_the_app(file: PyFile, node: ts.Node, name: str) -> bool:
    """The literal is the running application's signing key: `app.secret_key = ...`,
    `app.config["SECRET_KEY"] = ...` (or `config.update(SECRET_KEY=...)`), `SECRET_KEY = ...` in the
    Django settings module, a config module or a config the app loads (`from_object`) or names for
    production, the key argument of `jwt.encode` / an `itsdangerous` signer, or a variable whose only value
    reaches one of these.  A key name alone is not enough."""
    if node.type == "call":  # jwt.encode(payload, "literal")
        return file.call_at(node).name in SIGNING_KEY_ARGUMENTS
    if node.type == "assignment":
        left = node.child_by_field_name("left")
        if left.type == "attribute":
            receiver = file.text_of(left.child_by_field_name("object"))
            attribute = file.text_of(left.child_by_field_name("attribute"))
            if attribute == "secret_key":
                return receiver not in ("self", "cls") and _uses_web_framework(file)
            return attribute in SIGNING_SETTINGS and _is_app_config(receiver)
        if left.type == "subscript":
            key = file.string_literal_text(left.child_by_field_name("subscript"))
            return key in SIGNING_SETTINGS and _is_app_config(file.text_of(left.child_by_field_name("value")))
        if left.type == "identifier" and file.text_of(left) in SIGNING_SETTINGS and _loaded_setting(file, node):
            return True
        return left.type == "identifier" and _used_as_signing_key(file, node)
    if node.type in ("keyword_argument", "pair"):
        return name in SIGNING_SETTINGS and _passed_to_app_config(file, node)
    return False


def _used_as_signing_key(file: PyFile, assignment: ts.Node) -> bool:
    """`JWT_SECRET = "..."` whose only value reaches `jwt.encode(payload, JWT_SECRET)`, an
    `itsdangerous` signer, `app.secret_key = JWT_SECRET` or `app.config["SECRET_KEY"] = JWT_SECRET`."""
    def from_here(value: ts.Node | None) -> bool:
        return value is not None and value.type == "identifier" \
            and [statement for statement, _ in file.reaching_bindings(value)] == [assignment]
    for call in file.calls_to(*SIGNING_KEY_ARGUMENTS):
        if from_here(call.arg(*SIGNING_KEY_ARGUMENTS[call.name or ""])):
            return True
    for other in file.nodes_of_type("assignment"):
        left, right = other.child_by_field_name("left"), other.child_by_field_name("right")
        if left is None or not from_here(right):
            continue
        if left.type == "attribute" and file.text_of(left.child_by_field_name("attribute")) == "secret_key" \
                and _uses_web_framework(file):
            return True
        if left.type == "subscript" and _is_app_config(file.text_of(left.child_by_field_name("value"))) \
                and file.string_literal_text(left.child_by_field_name("subscript")) in SIGNING_SETTINGS:
            return True
    return False


def _uses_web_framework(file: PyFile) -> bool:
    return any(file.imports_module(name) for name in WEB_FRAMEWORKS)


def _is_app_config(receiver: str) -> bool:
    """`app.config`, `self.app.config`, `application.config` (not a `settings` object some test patches)."""
    return receiver.rsplit(".", 1)[-1].lower() in ("config", "app_config")


def _passed_to_app_config(file: PyFile, node: ts.Node) -> bool:
    """`app.config.update(SECRET_KEY=...)`, `app.config.update(dict(SECRET_KEY=...))`,
    `app.config.update({"SECRET_KEY": ...})`, `from_mapping` likewise."""
    call = _enclosing_call(node)
    if call is not None and node.type == "keyword_argument" and file.call_at(call).name == "dict":
        call = _enclosing_call(call)
    if call is None:
        return False
    config_call = file.call_at(call)
    return config_call.method in ("update", "from_mapping", "setdefault") and config_call.receiver is not None \
        and _is_app_config(file.text_of(config_call.receiver))


def _enclosing_call(node: ts.Node) -> ts.Node | None:
    """The call whose argument list holds `node` (a keyword argument, or a dict literal's pair)."""
    parent = node.parent
    if node.type == "pair" and parent is not None and parent.type == "dictionary":
        parent = parent.parent
    if parent is None or parent.type != "argument_list" or parent.parent is None:
        return None
    return parent.parent if parent.parent.type == "call" else None


def _loaded_setting(file: PyFile, node: ts.Node) -> bool:
    """`SECRET_KEY = "..."` that the application reads: the Django settings module (not shared base
    settings), a module that loads itself (`from_object(__name__)`), or a config class the file loads or
    names for production."""
    scope = file.enclosing_scope(node)
    if scope.type == "module":
        stem = os.path.splitext(os.path.basename(file.path))[0].lower()
        if is_settings_module(file) or stem in CONFIG_MODULE_STEMS:
            return not is_base_settings(file)
        return "__name__" in loaded_config_names(file)
    if scope.type == "class_definition":
        name = file.text_of(scope.child_by_field_name("name"))
        if not any(word in words(name) for word in ("config", "settings", "configuration")):
            return False
        if any(word in DEVELOPMENT_WORDS for word in words(name)):
            return False
        return is_production_name(name) or name in loaded_config_names(file)
    return False
