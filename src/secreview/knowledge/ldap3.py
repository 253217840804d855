"""ldap3: searches by filter, and filter escaping."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink

KNOWLEDGE = PythonKnowledge(
    name="ldap3",
    sinks=(Sink("ldap", method="search", arg=1, keyword="search_filter", requires_import="ldap3",
                description="runs an LDAP search"),),
    sanitizers=(Sanitizer(frozenset({"ldap"}), callee="ldap3.utils.conv.escape_filter_chars"),),
)
