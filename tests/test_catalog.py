"""Meta-tests over every registered rule."""

from __future__ import annotations

import inspect

import pytest

import annotations
from conftest import FIXTURES
from helpers import run_rules
from secreview import cwe
from secreview.model import Confidence, Severity
from secreview.rules import DOC_SECTIONS, RULE_ID, Rule, all_rules, code_blocks, doc_sections

RULES = all_rules()
_EXTENSIONS = {"python": ".py", "c": ".c", "cpp": ".cpp"}


def test_rules_are_discovered() -> None:
    assert RULES, "no rules discovered"


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.fixture(params=RULES, ids=lambda rule: rule.id)
def rule(request) -> type[Rule]:
    return request.param


def test_id_is_kebab_case_and_names_module(rule: type[Rule]) -> None:
    assert RULE_ID.match(rule.id), rule.id
    module = inspect.getmodule(rule).__name__.rsplit(".", 1)[-1]
    assert module == rule.id.replace("-", "_")


def test_metadata_is_complete(rule: type[Rule]) -> None:
    assert cwe.is_known(rule.cwe), f"CWE-{rule.cwe} is not in the table"
    assert cwe.lookup(rule.cwe).pillar in cwe.PILLARS
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.confidence, Confidence)
    for text in (rule.message, rule.description, rule.solution):
        assert text and text.strip()
    assert "\n" not in rule.message, "the message is one line"
    assert len(rule.description) >= 120, "the description explains how the defect can be abused"


def test_docstring_has_sections_in_order(rule: type[Rule]) -> None:
    sections = doc_sections(rule.documentation())
    assert list(sections) == list(DOC_SECTIONS)
    assert all(body.strip() for body in sections.values())


def test_docstring_example_fires_and_use_instead_does_not(rule: type[Rule]) -> None:
    sections = doc_sections(rule.documentation())
    examples = code_blocks(sections["Example"])
    alternatives = code_blocks(sections["Use instead"])
    assert examples and alternatives, "Example and Use instead each need a fenced code block"
    path = "example" + _EXTENSIONS[rule.language]
    for code in examples:
        assert run_rules(code, [rule], path=path, language=rule.language), f"Example does not fire:\n{code}"
    for code in alternatives:
        assert not run_rules(code, [rule], path=path, language=rule.language), f"Use instead fires:\n{code}"


def test_fixture_exists_with_expect_and_ok(rule: type[Rule]) -> None:
    fixture = FIXTURES / rule.language / (rule.id + _EXTENSIONS[rule.language])
    assert fixture.is_file(), f"missing fixture {fixture}"
    notes = annotations.parse(fixture.read_text(encoding="utf-8"))
    assert notes.of("expect", rule.id), "fixture needs at least one '# expect:'"
    assert notes.of("ok", rule.id), "fixture needs at least one '# ok:'"
