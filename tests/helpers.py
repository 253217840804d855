"""Small helpers shared by the tests."""

from __future__ import annotations

from secreview import engine, resultcache
from secreview.model import Confidence, Finding
from secreview.rules import Rule
from secreview.sources import SourceFile


def run_rules(text: str, rules: list[type[Rule]], path: str = "example.py", language: str = "python") -> list[Finding]:
    # What a rule finds, whatever its evidence: fixtures live under tests/ (test code) and most rules'
    # findings belong to the audit profile.
    settings = engine.Settings(min_confidence=Confidence.LOW, include_tests=True, profile="audit")
    report = engine.analyze([SourceFile(path, text, language)], rules, settings)
    assert not [p for p in report.problems if p.incomplete], report.problems
    return list(report.findings)


class MemoryStore:
    """An in-memory result store that round-trips entries through the result cache's JSON form."""

    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}

    def get(self, key):
        return resultcache.result_from_data(self.entries[key]) if key in self.entries else None

    def put(self, key, result) -> None:
        self.entries[key] = resultcache.result_to_data(result)
