"""The vulnerability classes taint knowledge is grouped by (the split CodeQL uses), per language.

A sink names one of these classes; a sanitizer clears some of them (or all,
`schema.ALL`).  `tests/test_knowledge.py` checks that every knowledge module
uses only these.
"""

from __future__ import annotations

from secreview.knowledge.schema import VulnerabilityClass

PYTHON_CLASSES = (
    VulnerabilityClass("cmdi", 78, "OS command injection"),
    VulnerabilityClass("sql", 89, "SQL injection"),
    VulnerabilityClass("path", 22, "path traversal"),
    VulnerabilityClass("xss", 79, "cross-site scripting"),
    VulnerabilityClass("code", 94, "code injection"),
    VulnerabilityClass("deser", 502, "deserialisation of untrusted data"),
    VulnerabilityClass("xxe", 611, "XML external entity injection"),
    VulnerabilityClass("ldap", 90, "LDAP injection"),
    VulnerabilityClass("xpath", 643, "XPath injection"),
    VulnerabilityClass("redirect", 601, "open redirect"),
    VulnerabilityClass("ssrf", 918, "server-side request forgery"),
    VulnerabilityClass("trust", 501, "trust boundary violation"),
    VulnerabilityClass("log", 117, "log injection"),
    VulnerabilityClass("ssti", 1336, "server-side template injection"),
    VulnerabilityClass("header", 113, "HTTP response splitting"),
    VulnerabilityClass("regex", 1333, "regular expression injection (ReDoS)"),
    VulnerabilityClass("mass", 915, "mass assignment (attribute names chosen by the client)"),
    VulnerabilityClass("plaintext", 256, "password stored in plaintext"),
)

C_CLASSES = (
    VulnerabilityClass("cmdi", 78, "OS command injection"),
    VulnerabilityClass("sql", 89, "SQL injection"),
    VulnerabilityClass("format", 134, "externally controlled format string"),
    VulnerabilityClass("path", 22, "path traversal"),
    VulnerabilityClass("number", 20, "externally chosen number (size, index, divisor)"),
)

C_TEXT_CLASSES = frozenset({"cmdi", "sql", "format", "path"})
"""C classes a number cannot carry: text parsed into a number is no longer an injection."""

DANGEROUS_CHARACTERS = (
    ("..", frozenset({"path"})),
    ("/", frozenset({"path"})),
    ("\\", frozenset({"path"})),
    ("'", frozenset({"sql", "xpath", "code"})),
    ('"', frozenset({"sql", "xpath", "code"})),
    ("<", frozenset({"xss"})),
    (">", frozenset({"xss"})),
    (";", frozenset({"cmdi", "sql"})),
    ("|", frozenset({"cmdi"})),
    ("&", frozenset({"cmdi"})),
    ("$", frozenset({"cmdi"})),
    ("`", frozenset({"cmdi"})),
    ("(", frozenset({"ldap"})),
    (")", frozenset({"ldap"})),
    ("*", frozenset({"ldap"})),
    ("\n", frozenset({"header", "log", "cmdi"})),
    ("\r", frozenset({"header", "log"})),
)
"""Characters whose absence, once checked, neutralises Python classes (`if "'" in x: return`)."""
