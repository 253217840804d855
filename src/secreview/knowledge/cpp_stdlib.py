"""The C++ standard library: the console stream, container sizes, containers and strings filled by methods."""

from __future__ import annotations

from secreview.knowledge.schema import CKnowledge

KNOWLEDGE = CKnowledge(
    name="cpp_stdlib",
    console_streams=frozenset({"std::cin", "cin"}),
    lengths=frozenset({"size", "length"}),
    appending_methods=frozenset({"push_back", "push_front", "emplace_back", "emplace_front", "emplace", "insert",
                                 "append", "assign"}),
)
