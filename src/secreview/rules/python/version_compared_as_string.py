"""Version numbers compared as strings with `<`, `>`, `<=` or `>=`.

## What it does
Flags ordering comparisons where one side is a version string literal
(`"1.10"`, `"3.9.2"`, `"2.0rc1"`) or a value that is known to be a version
*string* (`sys.version`, `platform.python_version()`, `platform.release()`,
`__version__`, `importlib.metadata.version(...)`,
`pkg_resources.get_distribution(...).version`, `ssl.OPENSSL_VERSION`,
`sqlite3.sqlite_version`) and the other side is a literal or such a value
too. Comparisons with version objects (`packaging.version.parse(...)`,
`Version(...)`, `LooseVersion(...)`, `parse_version(...)`, or a name bound to
one), with tuples such as `sys.version_info`, and with numbers are not
flagged. Confidence is high when a side is known to be a version string
(`__version__`, `platform.python_version()`...) or both are literals, and
medium when the other side is only named like a version (`client_version`,
`self.fw_version`); in files that use `LooseVersion`/`StrictVersion`, whose
objects compare correctly with strings, version-named attributes are skipped.

## Why is this bad?
Strings compare character by character: `"10.0" < "9.1"`, `"1.10" < "1.9"`
and `"3.10" < "3.9"` are all True. A minimum-version gate written this way
lets an old, vulnerable client, library or protocol through (or refuses a
fixed one), and a feature switch keyed on the version takes the wrong branch
once a component reaches two digits (CWE-1025). Such code often works for
years and breaks silently on the next major or minor release.

## Example
```python
import ssl

def tls_is_recent():
    return ssl.OPENSSL_VERSION.split()[1] >= "1.1.1"
```

## Use instead
```python
import ssl

def tls_is_recent():
    return ssl.OPENSSL_VERSION_INFO >= (1, 1, 1)
```

## References
- https://cwe.mitre.org/data/definitions/1025.html
- https://packaging.pypa.io/en/stable/version.html
- https://docs.python.org/3/library/sys.html#sys.version_info
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

# a cheap pre-check of an operand before names are resolved: a string literal, a module constant, or
# text that mentions a version
_HINT = re.compile(r"vers|_ver\b|release|VER|Version|mac_ver")
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]+$")
# version classes whose objects compare correctly with a plain string ("1.10")
_STRING_COMPARABLE = re.compile(r"\b(?:LooseVersion|StrictVersion|NumpyVersion|LegacyVersion)\b")


class VersionComparedAsString(Rule):
    id = "version-compared-as-string"
    cwe = 1025
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "Versions compared as strings: `{left} {operator} {right}`"
    description = (
        "`{code}` orders `{left}` and `{right}` with `{operator}`, but {why}. Strings compare character by "
        "character, so `\"10.0\" < \"9.1\"` and `\"1.10\" < \"1.9\"` are True: as soon as a version component "
        "has more digits than the other side's, this check gives the wrong answer, accepting an older "
        "(possibly vulnerable) version or rejecting a newer one."
    )
    solution = (
        "Compare parsed versions: `packaging.version.Version({left_plain}) {operator} "
        "packaging.version.Version({right_plain})`, or tuples of integers such as `sys.version_info` / "
        "`ssl.OPENSSL_VERSION_INFO` compared with `(3, 10)`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        # where the file builds LooseVersion-like objects, an attribute such as `self.ld_version` may hold
        # one (they compare correctly with a string): there only values known to be strings count
        comparable = "Version" in file.text and bool(_STRING_COMPARABLE.search(file.text))
        lines: set[int] = set()
        for comparison in file.nodes_of_type("comparison_operator"):
            if comparison.start_point[0] in lines:
                continue  # `a >= "1.1" and a <= "1.9"`: one finding for the line
            for left, operator, right in _comparison_pairs(file, comparison):
                if operator not in ("<", ">", "<=", ">=") or not (_may_be_version(file, left)
                                                                  or _may_be_version(file, right)):
                    continue
                kinds = (_version_kind(file, left), _version_kind(file, right))
                if None in kinds or "object" in kinds or kinds == ("named", "named"):
                    continue
                if "literal" not in kinds and "string" not in kinds:
                    continue
                if comparable and any(kind == "named" and (unwrap(node) or node).type == "attribute"
                                      for kind, node in zip(kinds, (left, right))):
                    continue
                strong = "string" in kinds or kinds == ("literal", "literal")
                values = {
                    "left": shorten(file.text_of(left), 50), "right": shorten(file.text_of(right), 50),
                    "left_plain": shorten(file.text_of(left), 50), "right_plain": shorten(file.text_of(right), 50),
                    "operator": operator, "why": _why(kinds, file.text_of(left), file.text_of(right)),
                }
                yield Hit(comparison, values, confidence=Confidence.HIGH if strong else None)
                lines.add(comparison.start_point[0])
                break


def _why(kinds: tuple[str, str], left: str, right: str) -> str:
    described = []
    for kind, text in zip(kinds, (left, right)):
        text = shorten(text, 40)
        if kind == "literal":
            described.append(f"`{text}` is a version written as a string")
        elif kind == "string":
            described.append(f"`{text}` is a version string")
        elif kind == "named":
            described.append(f"`{text}` holds a version")
    return " and ".join(described) if described else "both sides are version strings"


def _may_be_version(file: PyFile, node) -> bool:
    node = unwrap(node) or node
    if node.type in ("string", "concatenated_string"):
        return True
    text = file.text_of(node)
    last = text.rsplit(".", 1)[-1]
    return bool(_HINT.search(text) or (node.type in ("identifier", "attribute") and _CONSTANT_NAME.match(last)))


def _comparison_pairs(file: PyFile, comparison: ts.Node) -> Iterator[tuple[ts.Node, str, ts.Node]]:
    """(left, operator, right) for each link of a possibly chained comparison."""
    operands = [c for c in comparison.named_children if c.type != "comment"]
    operators = [c for c in comparison.children if not c.is_named]
    for index, operator in enumerate(operators):
        if index + 1 < len(operands):
            yield operands[index], " ".join(file.text_of(operator).split()), operands[index + 1]


# "1.10", "v3.9.2", "2.0rc1"; not a date-like "2024.01" (calendar versions compare fine as strings)
_VERSION_LITERAL = re.compile(r"^v?(?!\d{4}\.)\d+(?:\.\d+)+(?:[-.+]?(?:a|b|c|rc|alpha|beta|dev|post|pre)\.?\d*)?$",
                              re.I)
_VERSION_STRINGS = frozenset({
    "sys.version", "platform.python_version", "platform.release", "platform.version", "ssl.OPENSSL_VERSION",
    "sqlite3.sqlite_version", "sqlite3.version", "importlib.metadata.version", "importlib_metadata.version",
    "django.get_version", "platform.python_version_tuple", "zlib.ZLIB_VERSION", "zlib.ZLIB_RUNTIME_VERSION",
    "tkinter.TkVersion", "pyexpat.EXPAT_VERSION", "readline._READLINE_LIBRARY_VERSION",
})
_VERSION_OBJECTS = re.compile(r"(?:^|\.)(?:\w*Version|parse_version|parse|Requirement|SpecifierSet|version_info|"
                              r"VersionInfo|semver\.\w+)$")
_STRING_METHODS = frozenset({"split", "rsplit", "strip", "lstrip", "rstrip", "lower", "replace", "partition",
                             "rpartition", "removeprefix", "removesuffix"})
_VERSION_NAME = re.compile(r"(?:^|_)(?:version|ver|vers|release)$|Version$", re.I)


def _version_kind(file: PyFile, node: ts.Node, depth: int = 0) -> str | None:
    """What an operand of a comparison is, as a version: "literal" (`"1.10"`), "string" (a value known to
    be a version string: `sys.version`, `__version__`, `platform.python_version()`...), "object" (a parsed
    version or a tuple: compares correctly), "named" (a name that says it holds a version, type unknown)
    or None (not a version)."""
    node = unwrap(node) or node
    if depth > 4:
        return None
    if node.type in ("integer", "float", "tuple", "true", "false", "none"):
        return "object"
    value = file.constant_value(node)
    if isinstance(value, str):
        return "literal" if _VERSION_LITERAL.match(value) else None
    if isinstance(value, (int, float, tuple)):
        return "object"
    if node.type == "subscript":  # platform.mac_ver()[0], sys.version[:3], sys.version_info[:2]
        inner = node.child_by_field_name("value")
        kind = _version_kind(file, inner, depth + 1) if inner is not None else None
        if kind == "object":
            return "object"
        text = file.text_of(inner) if inner is not None else ""
        if kind == "string" or "mac_ver" in text or "win32_ver" in text:
            return "string"
        return None
    if node.type == "call":
        function = node.child_by_field_name("function")
        name = file.qualified_name(function) or (file.text_of(function) if function is not None else "")
        if function is not None and function.type == "attribute" and file.text_of(
                function.child_by_field_name("attribute")) in _STRING_METHODS:
            inner = _version_kind(file, function.child_by_field_name("object"), depth + 1)
            return "string" if inner == "string" else None
        if _VERSION_OBJECTS.search(name):
            return "object"
        if name in _VERSION_STRINGS:
            return "string"
        if name.endswith("get_distribution") or name in ("str", "int", "float", "len", "tuple"):
            return "object" if name in ("int", "float", "len", "tuple") else None
        return None
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        name = file.qualified_name(node) or ""
        if name in _VERSION_STRINGS or attribute == "__version__":
            return "string"
        owner = node.child_by_field_name("object")
        if attribute == "version" and owner is not None and owner.type == "call" \
                and file.text_of(owner.child_by_field_name("function")).endswith("get_distribution"):
            return "string"
        if _VERSION_OBJECTS.search(attribute) or attribute.endswith(("_info", "_tuple", "_INFO", "_NUMBER")):
            return "object"
        return "named" if _VERSION_NAME.search(attribute) else None
    if node.type == "identifier":
        text = file.text_of(node)
        if text == "__version__":
            return "string"
        qualified = file.qualified_name(node) or ""
        if qualified in _VERSION_STRINGS or qualified.endswith(".__version__"):
            return "string"
        bindings = file.reaching_bindings(node)
        bound = [file.bound_value(*b) for b in bindings]
        kinds = {_version_kind(file, v, depth + 1) for v in bound if v is not None}
        if "object" in kinds:
            return "object"
        if kinds and kinds <= {"string", "literal"}:
            return "string"
        if text.endswith(("_info", "_tuple", "_INFO")):
            return "object"
        return "named" if _VERSION_NAME.search(text) else None
    return None
