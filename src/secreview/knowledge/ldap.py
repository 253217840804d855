"""python-ldap: searches by filter, and filter escaping."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink

KNOWLEDGE = PythonKnowledge(
    name="ldap",
    sinks=tuple(Sink("ldap", method=name, arg=2, keyword="filterstr", requires_import="ldap",
                     description="runs an LDAP search")
                for name in ("search", "search_s", "search_st", "search_ext", "search_ext_s")),
    sanitizers=tuple(Sanitizer(frozenset({"ldap"}), callee=name) for name in
                     ("ldap.filter.escape_filter_chars", "ldap.filter.filter_format")),
)
