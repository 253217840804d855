"""Shared logic for the protection-mechanism rules.

Cryptography, randomness, TLS, secrets, permissions, configuration and
web-framework settings.  What lives here:

- identifier vocabulary: splitting names into words and deciding whether a
  name denotes a password, a cryptographic key or another credential, or a
  security context (token, session, nonce...);
- where a value flows syntactically (the names it is bound to, the function
  it is returned from), used to grade confidence;
- references to module constants (`ssl.CERT_NONE`, `ssl.PROTOCOL_TLSv1`);
- receivers bound to constructor calls (`s = requests.Session()`);
- file-mode arithmetic (`0o777`, `stat.S_IWOTH | stat.S_IRUSR`);
- framework settings assignments (`DEBUG = True`, `app.config["X"] = v`);
- the scanner for hard-coded secrets shared by the three hard-coded rules.

Nothing here evaluates or imports analysed code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import NOT_CONSTANT, SCOPE_TYPES, Call, PyFile
from secreview.model import Confidence
from secreview.rules import Hit
from secreview.rules.python._helpers import shorten  # noqa: F401  (re-exported for the family)
from secreview.testcode import is_test_path

# -- words ------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_COMPOUNDS = {
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
        found.extend(_COMPOUNDS.get(word, (word,)))
    return tuple(found)


# -- what a name denotes ------------------------------------------------------

PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pw", "passwort"})
# Words that may follow the noun without changing what the name holds.
_NEUTRAL_SUFFIXES = frozenset({
    "value", "val", "str", "string", "bytes", "raw", "plain", "plaintext", "clear", "cleartext",
    "confirm", "confirmation", "again", "repeat", "encoded", "utf", "b", "default", "literal",
})
# Words anywhere in a name that say it is about the secret, not the secret itself.
_NOT_A_SECRET = frozenset({
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
_CRYPTO_KEY_QUALIFIERS = frozenset({
    "signing", "sign", "signature", "encryption", "encrypt", "decrypt", "decryption", "crypto",
    "cipher", "private", "priv", "hmac", "aes", "des", "fernet", "jwt", "master", "symmetric", "shared",
})
# `secret`, `session`, `cookie` make a key cryptographic unless it is an account credential
# (`aws_secret_access_key`, `api_secret_key`).
_WEAK_CRYPTO_KEY_QUALIFIERS = frozenset({"secret", "session", "cookie"})
_CREDENTIAL_KEY_QUALIFIERS = frozenset({
    "api", "access", "auth", "client", "app", "application", "consumer", "account", "service",
    "subscription", "license", "licence", "developer", "dev", "user", "bot", "webhook", "stripe",
    "aws", "gcp", "azure", "github", "gitlab", "slack", "openai", "sendgrid", "twilio", "mailgun",
})


def _head(parts: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The head noun of a name (last word, skipping neutral suffixes) and its qualifiers."""
    index = len(parts)
    while index > 0 and parts[index - 1] in _NEUTRAL_SUFFIXES:
        index -= 1
    if index == 0:
        return None, ()
    return parts[index - 1], parts[: index - 1]


def secret_kind(name: str) -> str | None:
    """What the name holds: "password", "crypto-key", "credential" or None.

    Decided by the head noun: `db_password` holds a password, but
    `password_field`, `PASSWORD_MIN_LENGTH` and `password_prompt` do not;
    `SECRET_KEY`/`jwt_secret` hold a cryptographic key, `api_key`/`auth_token`
    /`client_secret` another credential; `cache_key` holds nothing secret.
    """
    parts = words(name)
    if not parts or any(word in _NOT_A_SECRET for word in parts):
        return None
    head, qualifiers = _head(parts)
    if head is None:
        return None
    if head in PASSWORD_WORDS:
        if head == "pass" and not qualifiers:
            return None  # a bare `pass` is too ambiguous
        return "password"
    if head in ("key", "secret"):
        if any(q in _CRYPTO_KEY_QUALIFIERS for q in qualifiers):
            return "crypto-key"
        if any(q in _CREDENTIAL_KEY_QUALIFIERS for q in qualifiers):
            return "credential"
        if head == "secret" and not qualifiers:
            return "credential"
        if head == "secret" or any(q in _WEAK_CRYPTO_KEY_QUALIFIERS for q in qualifiers):
            return "crypto-key"
        return None
    if head in ("token", "apikey", "credential", "credentials"):
        return "credential"
    return None


def is_password_name(name: str) -> bool:
    return secret_kind(name) == "password"


# Words that mark a security context for hashes and random values.
SECURITY_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "token", "tokens", "secret", "secrets", "signature",
    "sign", "signing", "signed", "hmac", "auth", "authenticate", "authentication", "authorize",
    "authorization", "authn", "authz", "login", "credential", "credentials", "apikey", "nonce",
    "salt", "otp", "totp", "hotp", "csrf", "xsrf", "jwt", "session", "cookie", "reset", "captcha",
    "mfa", "verification", "activation", "invite", "invitation", "confirmation",
})
_CODE_QUALIFIERS = frozenset({
    "verify", "verification", "confirm", "confirmation", "activation", "activate", "reset", "invite",
    "invitation", "login", "auth", "sms", "email", "mfa", "recovery", "otp", "access", "security",
    "one", "pin", "unlock", "promo", "coupon", "voucher", "referral",
})
_INNOCENT_KEY_QUALIFIERS = frozenset({
    "cache", "sort", "dict", "lookup", "partition", "shard", "primary", "foreign", "map", "index",
    "group", "hash", "row", "column", "field", "random", "redis", "s3", "object", "bucket", "idempotency",
})


def is_security_name(name: str, *, keys: bool = False) -> bool:
    """True if a name points at a secret or a security decision.

    With `keys`, `key` and `*_code` names count as well (a random `key` or a
    random `reset_code` is a secret; an MD5 `cache_key` is not).
    """
    parts = words(name)
    if any(word in SECURITY_WORDS for word in parts):
        return True
    if not keys:
        return False
    head, qualifiers = _head(parts)
    if head == "key" or head == "iv":
        return not any(q in _INNOCENT_KEY_QUALIFIERS for q in qualifiers)
    if head in ("code", "pin"):
        return any(q in _CODE_QUALIFIERS for q in qualifiers)
    return False


NON_SECURITY_HASH_WORDS = frozenset({
    "cache", "cached", "etag", "checksum", "checksums", "dedup", "deduplicate", "shard", "bucket",
    "partition", "file", "filename", "files", "chunk", "md5sum", "crc", "content", "fingerprint",
    "uuid", "uuid3", "uuid5", "git", "commit", "gravatar", "avatar", "identicon",
})
NON_SECURITY_RANDOM_WORDS = frozenset({
    "jitter", "backoff", "delay", "sleep", "retry", "retries", "wait", "interval", "timeout",
    "color", "colour", "colors", "weight", "weights", "noise", "demo", "game", "dice", "simulate",
    "simulation", "mock", "fake", "dummy", "example", "latency", "probability", "chance",
    "sample", "sampling", "shuffle", "shuffled", "augment", "augmentation", "epoch", "batch",
    "seconds", "minutes", "hours", "days", "milliseconds", "ms", "timedelta", "td", "schedule",
})


# -- where a value goes --------------------------------------------------------

_STATEMENTS = frozenset({
    "expression_statement", "if_statement", "while_statement", "for_statement", "with_statement",
    "try_statement", "block", "module", "assert_statement", "raise_statement", "delete_statement",
    "decorated_definition",
}) | SCOPE_TYPES


def target_texts(file: PyFile, node: ts.Node | None) -> list[str]:
    """Names an assignment target binds: `x`, `self.token` -> token, `d["key"]` -> key."""
    if node is None:
        return []
    if node.type == "identifier":
        return [file.text_of(node)]
    if node.type == "attribute":
        return [file.text_of(node.child_by_field_name("attribute"))]
    if node.type == "subscript":
        key = file.string_literal_text(node.child_by_field_name("subscript"))
        return [key] if key else []
    if node.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"):
        return [name for child in node.named_children for name in target_texts(file, child)]
    return []


def function_name(file: PyFile, node: ts.Node) -> str | None:
    """Name of the innermost function around `node`."""
    current = node.parent
    while current is not None:
        if current.type == "function_definition":
            name = current.child_by_field_name("name")
            return file.text_of(name) if name is not None else None
        current = current.parent
    return None


def flow_names(file: PyFile, node: ts.Node) -> list[str]:
    """Names the value of `node` flows into within its statement.

    Climbs through wrapping expressions (method chains, calls, operators,
    comprehensions) to the binding: an assignment target, a keyword, a dict
    key, a default parameter, or the function it is returned from.  The
    callees of wrapping calls are included too (`time.sleep(random.random())`
    gives `sleep`).
    """
    names: list[str] = []
    current = node
    while current.parent is not None:
        parent = current.parent
        kind = parent.type
        if kind in ("assignment", "augmented_assignment"):
            if parent.child_by_field_name("right") == current:
                names += target_texts(file, parent.child_by_field_name("left"))
            break
        if kind == "keyword_argument":
            names.append(file.text_of(parent.child_by_field_name("name")))
        elif kind == "pair":
            key = file.string_literal_text(parent.child_by_field_name("key"))
            if key:
                names.append(key)
        elif kind in ("default_parameter", "typed_default_parameter"):
            names.append(file.text_of(parent.child_by_field_name("name")))
            break
        elif kind == "return_statement":
            name = function_name(file, parent)
            if name:
                names.append(name)
            break
        elif kind == "call" and parent.child_by_field_name("function") != current:
            function = parent.child_by_field_name("function")
            if function is not None:
                names.append(file.text_of(function).rsplit(".", 1)[-1])
        elif kind in _STATEMENTS:
            break
        current = parent
    return names


def identifier_names(file: PyFile, node: ts.Node | None) -> list[str]:
    """Every identifier inside an expression (`user.password.encode()` -> user, password, encode)."""
    if node is None:
        return []
    if node.type == "identifier":
        return [file.text_of(node)]
    return [file.text_of(n) for n in file.nodes("(identifier) @id", "id", node)]


def context_words(names: Iterable[str]) -> set[str]:
    return {word for name in names for word in words(name)}


def grade(security: bool, innocent: bool) -> Confidence:
    """High in a security context, low in a clearly innocent one, else medium.

    A context that is both (`session_sampling_decision`) stays medium.  Test code is
    not graded here: hiding it is the engine's policy (secreview.testcode).
    """
    if security:
        return Confidence.MEDIUM if innocent else Confidence.HIGH
    return Confidence.LOW if innocent else Confidence.MEDIUM


# -- file kinds ----------------------------------------------------------------

def _stem_words(path: str) -> tuple[str, ...]:
    return words(os.path.splitext(os.path.basename(path))[0])


# Test code is decided in one place for the whole engine (secreview.testcode); findings in
# tests are hidden by the engine's policy, not lowered here rule by rule.
is_test_file = is_test_path


_DEV_WORDS = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing", "debug", "ci"})


def is_dev_config_path(path: str) -> bool:
    """settings/dev.py, local_settings.py, test_settings.py: development-only configuration."""
    return any(word in _DEV_WORDS for word in _stem_words(path))


def is_dev_name(name: str) -> bool:
    return any(word in _DEV_WORDS for word in words(name))


_DJANGO_MARKERS = ("INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "WSGI_APPLICATION")


def is_settings_module(file: PyFile) -> bool:
    """A Django-style settings module: named settings*.py or defining INSTALLED_APPS & co."""
    stem = os.path.splitext(os.path.basename(file.path))[0].lower()
    if "settings" in stem:
        return True
    directory = os.path.basename(os.path.dirname(file.path)).lower()
    if directory == "settings":
        return True
    return any(name in module_level_names(file) for name in _DJANGO_MARKERS)



def module_level_names(file: PyFile) -> dict[str, list[ts.Node]]:
    """Module-level simple assignments: name -> assignment nodes."""
    return file.memo(("module-level-names",), lambda: _module_level_names(file))


def _module_level_names(file: PyFile) -> dict[str, list[ts.Node]]:
    found: dict[str, list[ts.Node]] = {}
    for statement in file.root.named_children:
        if statement.type != "expression_statement" or not statement.named_children:
            continue
        assign = statement.named_children[0]
        if assign.type == "assignment":
            left = assign.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                found.setdefault(file.text_of(left), []).append(assign)
    return found


# -- constants -------------------------------------------------------------------

def is_constant_true(file: PyFile, node: ts.Node | None) -> bool:
    """A constant with a truthy value (`True`, `1`, `"yes"`); non-constants are not."""
    value = file.constant_value(node)
    return value is not NOT_CONSTANT and bool(value)


def is_literal_false(file: PyFile, node: ts.Node | None) -> bool:
    """`False` or `0` (a constant), not None and not a non-constant."""
    value = file.constant_value(node)
    return value is False or (isinstance(value, int) and not isinstance(value, bool) and value == 0)


def constant_string(file: PyFile, node: ts.Node | None) -> str | None:
    value = file.constant_value(node)
    return value if isinstance(value, str) else None


def is_fixed_bytes(file: PyFile, node: ts.Node | None) -> bool:
    """A constant string/bytes, also `b"\\0" * 16` and `bytes(16)` / `bytearray(16)`."""
    if node is None:
        return False
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return is_fixed_bytes(file, node.named_children[0])
    if isinstance(file.constant_value(node), str):
        return True
    if node.type == "binary_operator" and file.text_of(node.child_by_field_name("operator")) == "*":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return (is_fixed_bytes(file, left) and isinstance(file.constant_value(right), int)) or \
            (is_fixed_bytes(file, right) and isinstance(file.constant_value(left), int))
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and file.text_of(function) in ("bytes", "bytearray"):
            arguments = node.child_by_field_name("arguments")
            args = arguments.named_children if arguments is not None else []
            return len(args) == 1 and file.is_constant(args[0])
        if function is not None and function.type == "attribute":  # "0000".encode()
            method = file.text_of(function.child_by_field_name("attribute"))
            if method in ("encode", "fromhex") and is_fixed_bytes(file, function.child_by_field_name("object")):
                return True
            if method == "fromhex" and file.text_of(function.child_by_field_name("object")) in ("bytes", "bytearray"):
                arguments = node.child_by_field_name("arguments")
                args = arguments.named_children if arguments is not None else []
                return len(args) == 1 and file.is_constant(args[0])
    if node.type == "identifier":
        values = binding_values(file, node)
        return bool(values) and all(is_fixed_bytes(file, value) for value in values)
    return False


def binding_values(file: PyFile, ident: ts.Node) -> list[ts.Node | None] | None:
    """The values every binding that can reach the name `ident` binds (None: not a plain `x = v`).

    Same reach as `PyFile.constant_value`: earlier bindings in the name's own
    scope, else every binding in the nearest enclosing function or module that
    binds it.  Returns None when the name is a parameter or unbound.
    """
    bindings = file.reaching_bindings(ident)
    if not bindings:
        return None
    return [file.bound_value(binding, identifier) for binding, identifier in bindings]


# -- references to module constants ------------------------------------------------

def references_to(file: PyFile, names: Iterable[str]) -> Iterator[tuple[ts.Node, str]]:
    """Uses of the dotted names (`ssl.CERT_NONE`, also via `from ssl import CERT_NONE`).

    Yields (node, resolved name); skips imports, comparisons (`mode == CERT_NONE`
    checks, it does not set) and assignment targets.
    """
    wanted = set(names)
    lasts = sorted({name.rsplit(".", 1)[-1] for name in wanted}
                   | {alias.split(".")[0] for alias, full in file.imports.items() if full in wanted})
    if not any(last in file.text for last in lasts):  # cheap text test before a tree query
        return
    quoted = " ".join(f'"{last}"' for last in lasts)
    for ident in file.nodes(f"((identifier) @id (#any-of? @id {quoted}))", "id"):
        parent = ident.parent
        node = ident
        if parent is not None and parent.type == "attribute":
            if parent.child_by_field_name("attribute") != ident:
                continue
            node = parent
        elif parent is not None and _is_name_position(parent, ident):
            continue
        resolved = file.qualified_name(node)
        if resolved not in wanted:
            continue
        if _is_compared_or_bound(node):
            continue
        yield node, resolved


def _is_name_position(parent: ts.Node, ident: ts.Node) -> bool:
    """An identifier that names something rather than refers to it: imports, `f(keyword=...)`."""
    if parent.type in ("dotted_name", "aliased_import"):
        return True
    return parent.type == "keyword_argument" and parent.child_by_field_name("name") == ident


def _is_compared_or_bound(node: ts.Node) -> bool:
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("comparison_operator", "import_from_statement", "import_statement"):
            return True
        if parent.type in ("assignment", "augmented_assignment"):
            return parent.child_by_field_name("left") == current
        if parent.type in _STATEMENTS or parent.type == "call":
            return False
        current = parent
    return False


def in_lookup_table(node: ts.Node) -> bool:
    """A constant stored in a mapping (`{"tls1": PROTOCOL_TLSv1}`, `table[k] = CERT_NONE`) or chosen by
    a conditional expression: a table of options, not necessarily the option in use."""
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("pair", "conditional_expression"):
            return True
        if parent.type == "assignment":
            left = parent.child_by_field_name("left")
            return left is not None and left.type == "subscript" and left != current
        if parent.type in _STATEMENTS or parent.type == "call":
            return False
        current = parent
    return False


def is_mapping_key(node: ts.Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "pair" and parent.child_by_field_name("key") == node


def report_node(node: ts.Node) -> ts.Node:
    """Where a finding about a value is reported: its call, else its assignment or dict entry."""
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type == "argument_list" and parent.parent is not None and parent.parent.type == "call":
            return parent.parent
        if parent.type in ("assignment", "augmented_assignment", "pair"):
            return parent
        if parent.type in _STATEMENTS:
            return node
        current = parent
    return node


# -- receivers of constructor calls -------------------------------------------------

def bound_receivers(file: PyFile, constructors: Iterable[str]) -> set[str]:
    """Texts of names/attributes bound to a call of one of `constructors`.

    `s = requests.Session()`, `self.http = requests.Session()` and
    `with requests.Session() as s:` give {"s", "self.http"}.
    """
    found: set[str] = set()
    for call in file.calls_to(*constructors):
        parent = call.node.parent
        if parent is None:
            continue
        if parent.type == "assignment" and parent.child_by_field_name("right") == call.node:
            left = parent.child_by_field_name("left")
            if left is not None and left.type in ("identifier", "attribute"):
                found.add(file.text_of(left))
        elif parent.type == "as_pattern":
            alias = parent.child_by_field_name("alias")
            if alias is not None:
                found.add(file.text_of(alias).strip())
    return found


def receiver_text(file: PyFile, call: Call) -> str | None:
    return file.text_of(call.receiver) if call.receiver is not None else None


# -- file modes --------------------------------------------------------------------

_STAT_BITS = {
    "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000,
    "S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100,
    "S_IRWXG": 0o070, "S_IRGRP": 0o040, "S_IWGRP": 0o020, "S_IXGRP": 0o010,
    "S_IRWXO": 0o007, "S_IROTH": 0o004, "S_IWOTH": 0o002, "S_IXOTH": 0o001,
    "S_IREAD": 0o400, "S_IWRITE": 0o200, "S_IEXEC": 0o100,
}


def mode_value(file: PyFile, node: ts.Node | None, depth: int = 0) -> int | None:
    """The value of a file mode: integer constants, `stat.S_*` flags and `|`, `+`, `&`, `~`."""
    if node is None or depth > 8:
        return None
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return mode_value(file, node.named_children[0], depth + 1)
    if node.type in ("attribute", "identifier"):
        name = file.qualified_name(node) or ""
        if name.startswith("stat.") and name[5:] in _STAT_BITS:
            return _STAT_BITS[name[5:]]
        if node.type == "identifier":
            return _mode_of_name(file, node, depth)
        return None
    if node.type == "binary_operator":
        left = mode_value(file, node.child_by_field_name("left"), depth + 1)
        right = mode_value(file, node.child_by_field_name("right"), depth + 1)
        if left is None or right is None:
            return None
        operator = file.text_of(node.child_by_field_name("operator"))
        return {"|": left | right, "+": left + right, "&": left & right, "^": left ^ right}.get(operator)
    if node.type == "unary_operator" and file.text_of(node.child_by_field_name("operator")) == "~":
        value = mode_value(file, node.child_by_field_name("argument"), depth + 1)
        return None if value is None else ~value & 0o7777
    value = file.constant_value(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mode_of_name(file: PyFile, node: ts.Node, depth: int) -> int | None:
    values = binding_values(file, node)
    if not values:
        return None
    modes = [mode_value(file, value, depth + 1) for value in values]
    return None if any(mode is None for mode in modes) else modes[-1]


# -- network addresses ---------------------------------------------------------------

ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0", "*"})


# -- framework settings --------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    node: ts.Node      # where to report
    name: str          # the setting's name (DEBUG, SESSION_COOKIE_SECURE)
    value: ts.Node     # the value expression
    module_level: bool  # a plain `NAME = value` at module or class level


def setting_assignments(file: PyFile, names: Iterable[str]) -> Iterator[Setting]:
    """Where the named settings are given a value.

    `NAME = v` at module level or in a class body, `<x>.config["NAME"] = v`,
    `<x>.config.NAME = v`, `<x>.config.update(NAME=v)` / `update({"NAME": v})`,
    `from_mapping(...)` likewise.
    """
    wanted = set(names)
    if not any(name in file.text for name in wanted):  # cheap text test before walking assignments
        return
    for assign in file.nodes_of_type("assignment"):
        left = assign.child_by_field_name("left")
        value = assign.child_by_field_name("right")
        if left is None or value is None:
            continue
        if left.type == "identifier" and file.text_of(left) in wanted:
            if file.enclosing_scope(assign).type in ("module", "class_definition"):
                yield Setting(assign, file.text_of(left), value, True)
        elif left.type == "subscript":
            key = file.string_literal_text(left.child_by_field_name("subscript"))
            if key in wanted and _is_config(file, left.child_by_field_name("value")):
                yield Setting(assign, key, value, False)
        elif left.type == "attribute":
            key = file.text_of(left.child_by_field_name("attribute"))
            if key in wanted and _is_config(file, left.child_by_field_name("object")):
                yield Setting(assign, key, value, False)
    for call in file.method_calls("update", "from_mapping", "setdefault"):
        if not _is_config(file, call.receiver):
            continue
        for key, value in call.kwargs.items():
            if key in wanted:
                yield Setting(call.node, key, value, False)
        for arg in call.args:
            if arg.type == "dictionary":
                for pair in arg.named_children:
                    if pair.type != "pair":
                        continue
                    key = file.string_literal_text(pair.child_by_field_name("key"))
                    if key in wanted:
                        yield Setting(call.node, key, pair.child_by_field_name("value"), False)


def _is_config(file: PyFile, node: ts.Node | None) -> bool:
    """`app.config`, `config`, `settings`, `self.app.config`, `app.conf` ..."""
    if node is None:
        return False
    last = file.text_of(node).rsplit(".", 1)[-1].lower()
    return last in ("config", "conf", "settings", "app_config", "configuration")


# -- hard-coded secrets ------------------------------------------------------------------

@dataclass(frozen=True)
class Secret:
    node: ts.Node   # where to report
    name: str       # the name the literal is bound to (or the API it is passed to)
    kind: str       # "password" | "crypto-key" | "credential"
    how: str        # short description of the construct


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
_DOTTED_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
_SELECTORISH = re.compile(r"[#\[\]@\s]")


def looks_like_real_secret(value: str, name: str) -> bool:
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
    if len(stripped) < 2 or _PLACEHOLDER.match(stripped) or not any(c.isalnum() for c in stripped):
        return False
    if _DOTTED_PATH.match(stripped):
        return False  # "myapp.utils.push_credentials": a setting naming a function or class
    name_words = set(words(name))
    value_words = set(words(stripped))
    if _ENV_NAME.match(stripped) and "_" in stripped and (value_words & (PASSWORD_WORDS | {"key", "token", "secret"})):
        return False
    if stripped.endswith(_PROSE_END) or len(stripped.split()) >= 3:
        return False
    secret_words = (name_words | PASSWORD_WORDS | {"token", "secret", "key"}) - {"pass", "pw"}
    return not (_SELECTORISH.search(stripped) and value_words & secret_words)


def _is_bare_credential(name: str) -> bool:
    """`token`, `secret`, `credentials` alone: words that parsers and UIs use for other things."""
    return secret_kind(name) == "credential" and len(words(name)) == 1


def _looks_like_key_material(value: str) -> bool:
    """At least 8 characters without spaces, mixing letters with digits or symbols, or 20+ long."""
    if len(value) < 8 or any(c.isspace() for c in value):
        return False
    return len(value) >= 20 or (any(c.isalpha() for c in value) and any(not c.isalpha() for c in value))


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _is_upper(name: str) -> bool:
    return name.upper() == name and any(c.isalpha() for c in name)


_VALUE_FIELD = {"assignment": "right"}

# Crypto APIs whose key argument must not be a literal: callee -> (position, keyword).
CRYPTO_KEY_ARGUMENTS: dict[str, tuple[int | None, str | None]] = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    "hmac.HMAC": (0, "key"),
    "cryptography.fernet.Fernet": (0, "key"),
    "cryptography.hazmat.primitives.hmac.HMAC": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.algorithms.AES": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.algorithms.ChaCha20": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.aead.AESGCM": (0, "key"),
    "cryptography.hazmat.primitives.ciphers.aead.ChaCha20Poly1305": (0, "key"),
    "itsdangerous.Signer": (0, "secret_key"),
    "itsdangerous.TimestampSigner": (0, "secret_key"),
    "itsdangerous.Serializer": (0, "secret_key"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key"),
    "itsdangerous.TimedSerializer": (0, "secret_key"),
}
for _package in ("Crypto", "Cryptodome"):
    for _cipher in ("AES", "DES", "DES3", "ARC2", "ARC4", "Blowfish", "CAST", "ChaCha20", "Salsa20"):
        CRYPTO_KEY_ARGUMENTS[f"{_package}.Cipher.{_cipher}.new"] = (0, "key")
    CRYPTO_KEY_ARGUMENTS[f"{_package}.Hash.HMAC.new"] = (0, "key")

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
    for node in _string_bindings(file):
        value = file.string_literal_text(node.child_by_field_name(_VALUE_FIELD.get(node.type, "value")))
        if value is None:
            continue
        for name, how in _bound_names(file, node):
            kind = secret_kind(name)
            if kind is None or not looks_like_real_secret(value, name):
                continue
            if _is_bare_credential(name) and not _looks_like_key_material(value):
                continue  # `token = "def"` in a lexer
            if _normal(value) == _normal(name) and (_is_upper(name) or node.type == "pair"):
                continue  # PASSWORD = "password": a field name, not a password
            yield Secret(node, name, kind, how)
            break
    yield from _compared_secrets(file)
    yield from _env_defaults(file)
    yield from _set_password_calls(file)
    yield from _crypto_key_literals(file)


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
            if names and secret_kind(names[0]) is not None and not _is_bare_credential(names[0]) \
                    and looks_like_real_secret(value, names[0]):
                yield Secret(comparison, names[0], secret_kind(names[0]) or "", "compared with a literal")
                break


def _env_defaults(file: PyFile) -> Iterator[Secret]:
    for call in file.calls_to(*_ENV_GETTERS):
        variable = constant_string(file, call.arg(0, "key"))
        default = call.arg(1, "default")
        value = file.string_literal_text(default)
        if variable is None or value is None:
            continue
        kind = secret_kind(variable)
        if kind is not None and looks_like_real_secret(value, variable):
            yield Secret(call.node, variable, kind, "used as the fallback when the environment variable is unset")


def _set_password_calls(file: PyFile) -> Iterator[Secret]:
    for call in file.method_calls("set_password", "setPassword"):
        literal = call.arg(0, "raw_password")
        value = file.string_literal_text(literal)
        if value is not None and looks_like_real_secret(value, "password"):
            yield Secret(call.node, "password", "password", f"passed to {call.method}()")


def _crypto_key_literals(file: PyFile) -> Iterator[Secret]:
    for call in file.calls_to(*CRYPTO_KEY_ARGUMENTS):
        key = call.arg(*CRYPTO_KEY_ARGUMENTS[call.name or ""])
        if key is None or key.type not in ("string", "concatenated_string"):
            continue
        value = file.string_literal_text(key)
        if value is not None and looks_like_real_secret(value, "key"):
            yield Secret(call.node, call.name or "key", "crypto-key", f"passed as the key of {call.name}()")


# -- password hashing --------------------------------------------------------------------

FAST_HASHES = tuple(f"hashlib.{name}" for name in (
    "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384",
    "sha3_512", "blake2b", "blake2s", "shake_128", "shake_256", "new",
)) + tuple(f"{package}.Hash.{name}.new" for package in ("Crypto", "Cryptodome") for name in (
    "MD5", "MD4", "MD2", "SHA", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3_256",
    "SHA3_512", "BLAKE2b", "BLAKE2s", "RIPEMD160", "keccak",
)) + ("cryptography.hazmat.primitives.hashes.Hash",)


def hashed_data(call: Call) -> ts.Node | None:
    """The data argument of a hash constructor or of `.update()`."""
    if call.name == "hashlib.new":
        return call.arg(1, "data") or call.arg(None, "string")
    if call.name == "cryptography.hazmat.primitives.hashes.Hash":
        return None
    return call.arg(0, "data") or call.arg(None, "string")


def password_names(file: PyFile, node: ts.Node | None) -> list[str]:
    """Identifiers in an expression that name a password (`user.password`, `get_password()`)."""
    return [name for name in identifier_names(file, node) if is_password_name(name)]


def hash_update_calls(file: PyFile, call: Call) -> list[Call]:
    """`.update(...)` calls on the variable a hash constructor call is bound to, in its scope."""
    parent = call.node.parent
    if parent is None or parent.type != "assignment" or parent.child_by_field_name("right") != call.node:
        return []
    left = parent.child_by_field_name("left")
    if left is None or left.type not in ("identifier", "attribute"):
        return []
    target = file.text_of(left)
    scope = file.enclosing_scope(call.node)
    return [update for update in file.method_calls("update")
            if update.receiver is not None and file.text_of(update.receiver) == target
            and file.enclosing_scope(update.node) == scope and update.node.start_byte > call.node.start_byte]


def hashes_password(file: PyFile, call: Call) -> bool:
    """True when a hash constructor digests a password-named value, directly or via `.update()`."""
    if password_names(file, hashed_data(call)):
        return True
    return any(password_names(file, update.arg(0, "data")) for update in hash_update_calls(file, call))


class HardcodedSecretRule:
    """Mixin for the hard-coded secret rules: report the scanner's secrets of one `kind`."""

    kind: str = ""

    def check(self, file: PyFile) -> Iterator[Hit]:
        for secret in hardcoded_secrets(file):
            if secret.kind == self.kind:
                yield Hit(secret.node, {"name": secret.name, "how": secret.how})


# -- cookies ---------------------------------------------------------------------------------

_COOKIE_SETTERS = ("set_cookie", "set_signed_cookie", "set_secure_cookie")
# Flask/Werkzeug, Django and Starlette: set_cookie(key, value, max_age, expires, path, domain, secure, httponly)
_COOKIE_POSITIONS = {"secure": 6, "httponly": 7}
# Cookies that hold a display preference or a UI flag, not a credential.
_INNOCENT_COOKIE_WORDS = frozenset({
    "theme", "lang", "language", "locale", "tz", "timezone", "consent", "banner", "dismissed", "seen",
    "tour", "preference", "preferences", "prefs", "sidebar", "layout", "view", "sort", "currency",
    "region", "country", "font", "dark", "mode", "color", "colour", "tab", "collapsed", "zoom",
})
_SECRET_COOKIE_WORDS = frozenset({
    "session", "sess", "sid", "sessionid", "token", "auth", "jwt", "remember", "login", "access",
    "refresh", "secret", "key", "sso", "identity", "credential", "credentials", "apikey", "user", "uid",
})


@dataclass(frozen=True)
class CookieProblem:
    node: ts.Node
    cookie: str        # the cookie name as written
    problem: str       # "is not given" / "is set to False"
    confidence: Confidence | None


def cookie_flag_problems(file: PyFile, flag: str, settings: Iterable[str]) -> Iterator[CookieProblem]:
    """`set_cookie(...)` calls without `flag=True`, and settings that turn `flag` off.

    Quiet when the flag is non-constant (`secure=request.is_secure`), when
    `**kwargs` may carry it, and when the value is the empty string (the
    cookie is being cleared).  Cookies named for a display preference
    (`theme`, `lang`, `cookie_consent`) get low confidence.  For HttpOnly,
    whose point is to keep secrets from scripts, every constant cookie name
    that does not look like a session/auth/token cookie gets low confidence,
    and CSRF cookies too (the double-submit pattern reads them from
    JavaScript).
    """
    dev_file = is_dev_config_path(file.path)
    for call in file.method_calls(*_COOKIE_SETTERS):
        if call.has_star_args or (len(call.args) < 2 and "value" not in call.kwargs):
            continue  # CookieJar.set_cookie(cookie_object), or set_cookie("name") with no value
        value = call.arg(1, "value")
        if value is not None and constant_string(file, value) == "":
            continue
        node = call.kwargs.get(flag)
        if node is None and call.method == "set_cookie" and len(call.args) > _COOKIE_POSITIONS[flag]:
            node = call.args[_COOKIE_POSITIONS[flag]]
        if node is None:
            problem = "is not set"
        else:
            constant = file.constant_value(node)
            if constant is NOT_CONSTANT or constant:
                continue
            problem = f"is set to {file.text_of(node)}"
        name_node = call.arg(0, "key") or call.kwargs.get("name")
        name = constant_string(file, name_node)
        name_words = set(words(name)) if name is not None else set()
        innocent = bool(name_words & _INNOCENT_COOKIE_WORDS)
        if flag == "httponly" and name is not None:
            # Reading a cookie from JavaScript only hurts when it is a secret; CSRF cookies are read on purpose.
            innocent = innocent or not (name_words & _SECRET_COOKIE_WORDS) or bool(name_words & {"csrf", "xsrf"})
        shown = repr(name) if name is not None else (shorten(file.text_of(name_node), 40) if name_node else "?")
        yield CookieProblem(call.node, f"Cookie {shown}", problem, Confidence.LOW if innocent else None)
    for setting in setting_assignments(file, settings):
        if file.constant_value(setting.value) is False:
            label = {"SESSION": "Session", "CSRF": "CSRF", "REMEMBER": "Remember-me"}.get(
                setting.name.split("_")[0], setting.name.split("_")[0].title())
            yield CookieProblem(setting.node, f"{label} cookie", f"is turned off (`{setting.name} = False`)",
                                Confidence.LOW if dev_file else None)


def cookie_flag_hits(file: PyFile, flag: str, settings: Iterable[str]) -> Iterator[Hit]:
    """`cookie_flag_problems` as hits with {cookie}, {cookie_lower} and {problem} values."""
    for problem in cookie_flag_problems(file, flag, settings):
        values = {"cookie": problem.cookie, "cookie_lower": problem.cookie[0].lower() + problem.cookie[1:],
                  "problem": problem.problem}
        yield Hit(problem.node, values, confidence=problem.confidence)
