"""LDAP search filter built by string formatting with non-constant values.

## What it does
In files that import `ldap` (python-ldap) or `ldap3`, flags search calls whose
filter is assembled with `%`-formatting, `str.format()`, an f-string or `+`
concatenation from non-constant parts, directly or through a local variable
assigned that way in the same function: python-ldap `search`, `search_s`,
`search_st`, `search_ext`, `search_ext_s` (filter = third argument or
`filterstr=`) and ldap3 `Connection.search` / `paged_search` (filter = second
argument or `search_filter=`). Parts passed through `escape_filter_chars()`
are not counted.

## Why is this bad?
Characters such as `*`, `(`, `)`, backslash and NUL have meaning inside an LDAP
filter (RFC 4515). A value like `*)(uid=*))(|(uid=*` or simply `*` turns
`(&(uid=NAME)(userPassword=PW))` into a filter that matches every entry,
which bypasses login checks built on a search, enumerates the directory, or
leaks attributes of other users (CWE-90, LDAP injection).

## Example
```python
import ldap

def find_user(conn, username):
    return conn.search_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE,
                         "(uid=%s)" % username)
```

## Use instead
```python
import ldap
from ldap.filter import filter_format

def find_user(conn, username):
    return conn.search_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE,
                         filter_format("(uid=%s)", [username]))
```

## References
- https://cwe.mitre.org/data/definitions/90.html
- https://www.python-ldap.org/en/latest/reference/ldap-filter.html
- https://ldap3.readthedocs.io/en/latest/searches.html
- https://cheatsheetseries.owasp.org/cheatsheets/LDAP_Injection_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.strings import argument_text, built_string
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_PYTHON_LDAP = ("search", "search_s", "search_st", "search_ext", "search_ext_s")
_LDAP3 = ("search", "paged_search")
_SANITIZERS = ("escape_filter_chars", "filter_format", "escape_filter_chars_bytes")
_PYTHON_LDAP_SCOPES = ("SCOPE_BASE", "SCOPE_ONELEVEL", "SCOPE_SUBTREE", "SCOPE_SUBORDINATE")


class LdapFilterBuiltByStringFormatting(TaintAware, CallRule):
    vulnerability = "ldap"
    id = "ldap-filter-built-by-string-formatting"
    cwe = 90
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    methods = tuple(sorted(set(_PYTHON_LDAP + _LDAP3)))
    message = "LDAP filter passed to `{callee}` is built by {how}"
    description = (
        "The search filter given to `{callee}` is built by {how} without escaping. LDAP filter "
        "metacharacters in those values (`*`, `(`, `)`, `\\`) change the filter's logic: `*` or "
        "`*)(objectClass=*` makes it match every entry, which bypasses authentication or authorisation "
        "checks based on this search and exposes other users' entries and attributes."
    )
    solution = (
        "Escape every value before it enters the filter: `ldap.filter.filter_format(\"(uid=%s)\", "
        "[value])` or `ldap.filter.escape_filter_chars(value)` (python-ldap), "
        "`ldap3.utils.conv.escape_filter_chars(value)` (ldap3); validate values that must be plain names "
        "against an allow-list pattern."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        python_ldap = file.imports_module("ldap")
        ldap3 = file.imports_module("ldap3")
        if not (python_ldap or ldap3):
            return
        for call in self.candidates(file):
            if _on_imported_module(file, call):
                continue  # re.search(...), some_module.search(...): not a connection
            node = _filter_argument(file, call, python_ldap, ldap3)
            found = built_string(file, node, _SANITIZERS) if node is not None else None
            if found is None:
                sourced = self.sourced_hit(file, call, node, {"callee": call.method or "search"})
                if sourced is not None:
                    yield sourced
            if found is not None:
                yield Hit(call.node, {"callee": call.method or "search", "how": found.describe(file),
                                      "argument": argument_text(file, found.node)},
                          confidence=Confidence.LOW if found.only_configuration(file) else None, data=found.node)


def _on_imported_module(file: PyFile, call: Call) -> bool:
    receiver = unwrap(call.receiver)
    while receiver is not None and receiver.type == "attribute":
        receiver = receiver.child_by_field_name("object")
    return receiver is None or (receiver.type == "identifier" and file.text_of(receiver) in file.imports)


def _filter_argument(file: PyFile, call: Call, python_ldap: bool, ldap3: bool) -> ts.Node | None:
    if "filterstr" in call.kwargs:
        return call.kwargs["filterstr"]
    if "search_filter" in call.kwargs:
        return call.kwargs["search_filter"]
    method = call.method or ""
    if method not in _LDAP3:  # search_s, search_ext, ...: python-ldap only
        return call.arg(2) if python_ldap else None
    if method == "paged_search":
        return call.arg(1)
    # `search` exists in both libraries: python-ldap's second argument is a scope.
    if python_ldap and (not ldap3 or _looks_like_scope(file, call.arg(1))):
        return call.arg(2)
    return call.arg(1) if ldap3 else None


def _looks_like_scope(file: PyFile, node: ts.Node | None) -> bool:
    if node is None:
        return False
    if isinstance(file.constant_value(node), int):
        return True
    text = file.text_of(node)
    return text.rsplit(".", 1)[-1] in _PYTHON_LDAP_SCOPES
