"""bleach: HTML sanitising."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer

KNOWLEDGE = PythonKnowledge(name="bleach", sanitizers=(Sanitizer(frozenset({"xss"}), callee="bleach.clean"),))
