"""Password checked against a string literal written in the code.

## What it does
Flags `strcmp`, `strncmp`, `strcasecmp`, `memcmp`, `wcscmp` (and C++
`==`/`compare` on strings) comparisons between a value whose name says it is
a password, passphrase, PIN or secret and a non-empty string literal (or a
macro or constant naming one). A literal that is a mask or placeholder, too
short to be a password, or the name of a secret (`strcmp(password_option,
"password")` compares an option name) is not reported.

## Why is this bad?
The password is in the binary: anyone with a copy runs `strings` on it and
logs in, on every installation at once, and it cannot be changed without a
new release (CWE-259). Comparing with `strcmp` also leaks, through timing,
how many leading characters were right.

## Example
```c
#include <string.h>

int check_login(const char *password) {
    return strcmp(password, "hunter2") == 0;
}
```

## Use instead
```c
#include <crypt.h>
#include <string.h>

int check_login(const char *password, const char *stored_hash) {
    const char *computed = crypt(password, stored_hash);
    return computed != NULL && strcmp(computed, stored_hash) == 0;
}
```

## References
- https://cwe.mitre.org/data/definitions/259.html
- https://cwe.mitre.org/data/definitions/798.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.secret_formats import is_stand_in
from secreview.knowledge.vocabulary import LOGIN_SECRET_WORDS, mentions
from secreview.lang.c_family.expressions import literal_text
from secreview.lang.c_family.file import CFile, strip_casts
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CRule

_COMPARES = ("strcmp", "strncmp", "strcasecmp", "strncasecmp", "memcmp", "wcscmp", "wcsncmp", "_stricmp",
             "lstrcmp", "lstrcmpi", "CRYPTO_memcmp", "timingsafe_bcmp")


class PasswordComparedToLiteral(CRule):
    id = "password-compared-to-literal"
    cwe = 259
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "`{value}` is compared with a password written in the code"
    description = (
        "`{code}` checks `{value}` against a literal, so the password is stored in the program itself. "
        "Anyone with a copy of the binary or the source can read it (`strings` is enough) and use it on "
        "every installation, and it cannot be rotated without shipping a new build."
    )
    solution = (
        "Store only a salted password hash (Argon2, scrypt, bcrypt, or `crypt()` with a strong method) in "
        "configuration or a credential store, hash the input the same way and compare in constant time."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        for call in file.calls_to(*_COMPARES):
            hit = self._judge(file, call.node, call.arg(0), call.arg(1))
            if hit is not None:
                yield hit
        if file.language == "cpp":
            for node in file.nodes_of_type("binary_expression"):
                if file.text_of(node.child_by_field_name("operator")) in ("==", "!="):
                    hit = self._judge(file, node, node.child_by_field_name("left"), node.child_by_field_name("right"))
                    if hit is not None:
                        yield hit

    def _judge(self, file: CFile, node: ts.Node, a: ts.Node | None, b: ts.Node | None) -> Hit | None:
        for value, other in ((a, b), (b, a)):
            text = literal_text(file, other)
            if value is not None and text and not is_stand_in(text) and self._names_password(file, value):
                return Hit(node, {"value": shorten(file.text_of(value), 40)})
        return None

    @staticmethod
    def _names_password(file: CFile, node: ts.Node) -> bool:
        node = strip_casts(node)
        if node is None or node.type in ("string_literal", "concatenated_string"):
            return False
        if node.type == "field_expression":
            node = node.child_by_field_name("field")
        elif node.type == "call_expression":  # password.c_str(), password.toStdString() ...
            function = node.child_by_field_name("function")
            node = function.child_by_field_name("argument") if function is not None and \
                function.type == "field_expression" else None
        return node is not None and node.type in ("identifier", "field_identifier") and \
            mentions(file.text_of(node), LOGIN_SECRET_WORDS)
