"""`rand()`-family value used for a key, token, nonce, salt or password.

## What it does
Flags `rand`, `random`, `rand_r`, `drand48`, `lrand48`, `mrand48` (and
`qrand`) calls whose result is stored in, or computed into, a variable,
member or array whose name says it is a secret (`key`, `token`, `nonce`,
`salt`, `password`, `session`, `iv`, `otp`, `csrf`...), or that are made in
a function whose name says it produces one (`generate_token`, `make_salt`).

## Why is this bad?
These generators are statistical, not cryptographic: their state is a few
bytes, usually seeded with the time or the PID, and a handful of outputs
reveal all future ones. Tokens, keys and nonces made from them can be
predicted or brute-forced in seconds, so sessions are hijacked and
encryption is broken (CWE-338).

## Example
```c
#include <stdlib.h>

void new_session(unsigned char *session_token, int length) {
    for (int i = 0; i < length; i++)
        session_token[i] = rand() % 256;
}
```

## Use instead
```c
#include <sys/random.h>

void new_session(unsigned char *session_token, int length) {
    getrandom(session_token, length, 0);
}
```

## References
- https://cwe.mitre.org/data/definitions/338.html
- https://wiki.sei.cmu.edu/confluence/display/c/MSC30-C.+Do+not+use+the+rand%28%29+function+for+generating+pseudorandom+numbers
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.knowledge.vocabulary import SECRET_VALUE_WORDS, mentions
from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Severity
from secreview.rules.c import CCallRule

_TARGET_PARENTS = frozenset({"assignment_expression", "init_declarator"})


class RandUsedForSecret(CCallRule):
    id = "rand-used-for-secret"
    cwe = 338
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = ("rand", "random", "rand_r", "drand48", "lrand48", "mrand48", "erand48", "nrand48", "qrand")
    methods = ("generate", "bounded")  # QRandomGenerator::global()->generate() is only safe via ::system()
    message = "`{callee}` (a predictable generator) produces `{target}`"
    description = (
        "`{code}` comes from a statistical pseudo-random generator, and it is used for `{target}`, which by "
        "its name must be unguessable. Such generators have a tiny state, usually seeded with the time or "
        "PID; a few outputs reveal the rest, so an attacker can predict the value and hijack sessions, "
        "forge tokens or decrypt data."
    )
    solution = (
        "Draw secrets from the operating system's CSPRNG: `getrandom()`/`getentropy()` on Linux/BSD, "
        "`arc4random_buf()`, `BCryptGenRandom` on Windows, OpenSSL's `RAND_bytes`, or "
        "`QRandomGenerator::system()` in Qt."
    )

    def matches(self, file: CFile, call: Call) -> dict[str, str] | None:
        if call.receiver is not None and not self._qt_global_generator(file, call):
            return None
        target = self._secret_target(file, call.node)
        return {"target": target} if target is not None else None

    def _qt_global_generator(self, file: CFile, call: Call) -> bool:
        return "QRandomGenerator::global" in file.text_of(call.receiver) or \
            "QRandomGenerator::securelySeeded" in file.text_of(call.receiver)

    def _secret_target(self, file: CFile, node: ts.Node) -> str | None:
        current = node
        for parent in file.ancestors(node):
            if parent.type in _TARGET_PARENTS:
                target = parent.child_by_field_name("left") or parent.child_by_field_name("declarator")
                text = file.text_of(target) if target is not None else ""
                return text if mentions(_stored_name(file, target), SECRET_VALUE_WORDS) else None
            if parent.type == "argument_list" or parent.type in ("compound_statement", "expression_statement"):
                break
            current = parent
        function = file.enclosing_function(current)
        name = file.function_name(function) if function is not None and function.type == "function_definition" \
            else ""
        if name and mentions(name.rsplit("::", 1)[-1], SECRET_VALUE_WORDS):
            return f"the result of `{name}`"
        return None


def _stored_name(file: CFile, target: ts.Node | None) -> str:
    """The name that says what is stored: `token` in `session.token`, `key` in `key[i]`, `nonce` in `*nonce`."""
    while target is not None and target.type in ("subscript_expression", "pointer_expression", "pointer_declarator",
                                                  "array_declarator", "parenthesized_expression"):
        target = target.child_by_field_name("argument") or target.child_by_field_name("declarator") or \
            (target.named_children[0] if target.named_children else None)
    if target is not None and target.type == "field_expression":
        target = target.child_by_field_name("field")
    return file.text_of(target) if target is not None else ""
