"""What names say: the secret or security context a name denotes, and the names a value flows into.

Words come from `secreview.knowledge.vocabulary`; here they are read the
Python way: by a name's head noun (`db_password` holds a password,
`password_field` does not), and by the names around a value in the tree (the
target it is assigned to, the keyword it is passed as, the function it is
returned from).
"""

from __future__ import annotations

from collections.abc import Iterable

import tree_sitter as ts

from secreview.knowledge import vocabulary as v
from secreview.knowledge.vocabulary import words
from secreview.lang.python.file import SCOPE_TYPES, PyFile
from secreview.model import Confidence

# Nodes that end the expression a value is part of.
STATEMENT_TYPES = frozenset({
    "expression_statement", "if_statement", "while_statement", "for_statement", "with_statement",
    "try_statement", "block", "module", "assert_statement", "raise_statement", "delete_statement",
    "decorated_definition",
}) | SCOPE_TYPES


# -- what a name denotes ------------------------------------------------------------------------

def _head_noun(parts: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The head noun of a name (last word, skipping neutral suffixes) and its qualifiers."""
    index = len(parts)
    while index > 0 and parts[index - 1] in v.SECRET_NAME_NEUTRAL_SUFFIXES:
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
    if not parts or any(word in v.NOT_A_SECRET_WORDS for word in parts):
        return None
    head, qualifiers = _head_noun(parts)
    if head is None:
        return None
    if head in v.PASSWORD_WORDS:
        if head == "pass" and not qualifiers:
            return None  # a bare `pass` is too ambiguous
        return "password"
    if head in ("key", "secret"):
        return _key_kind(head, qualifiers)
    if head in ("token", "credential", "credentials"):
        return "credential"
    return None


def _key_kind(head: str, qualifiers: tuple[str, ...]) -> str | None:
    if any(q in v.CRYPTO_KEY_QUALIFIERS for q in qualifiers):
        return "crypto-key"
    if any(q in v.CREDENTIAL_KEY_QUALIFIERS for q in qualifiers):
        return "credential"
    if head == "secret" and not qualifiers:
        return "credential"
    if head == "secret" or any(q in v.WEAK_CRYPTO_KEY_QUALIFIERS for q in qualifiers):
        return "crypto-key"
    return None


def is_password_name(name: str) -> bool:
    return secret_kind(name) == "password"


def is_security_name(name: str, *, keys: bool = False) -> bool:
    """True if a name points at a secret or a security decision.

    With `keys`, `key` and `*_code` names count as well (a random `key` or a
    random `reset_code` is a secret; an MD5 `cache_key` is not).
    """
    parts = words(name)
    if any(word in v.SECURITY_WORDS for word in parts):
        return True
    if not keys:
        return False
    head, qualifiers = _head_noun(parts)
    if head == "key" or head == "iv":
        return not any(q in v.INNOCENT_KEY_QUALIFIERS for q in qualifiers)
    if head in ("code", "pin"):
        return any(q in v.SECURITY_CODE_QUALIFIERS for q in qualifiers)
    return False


def context_words(names: Iterable[str]) -> set[str]:
    """Every word of every name."""
    return {word for name in names for word in words(name)}


def grade(security: bool, innocent: bool) -> Confidence:
    """High in a security context, low in a clearly innocent one, else medium.

    A context that is both (`session_sampling_decision`) stays medium.  Test code is
    not graded here: hiding it is the engine's policy (secreview.testcode).
    """
    if security:
        return Confidence.MEDIUM if innocent else Confidence.HIGH
    return Confidence.LOW if innocent else Confidence.MEDIUM


# -- the names around a value -------------------------------------------------------------------

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
        elif kind in STATEMENT_TYPES:
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


def enclosing_definition_names(file: PyFile, node: ts.Node) -> list[str]:
    """The names of the functions and classes around `node`, innermost first."""
    found = []
    for ancestor in file.ancestors(node):
        if ancestor.type in ("function_definition", "class_definition"):
            name = ancestor.child_by_field_name("name")
            if name is not None:
                found.append(file.text_of(name))
    return found
