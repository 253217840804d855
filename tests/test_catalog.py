"""Meta-tests over every registered rule."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import annotations
from conftest import FIXTURES
from helpers import run_rules
from secreview import cwe
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import DOC_SECTIONS, RULE_ID, Rule, all_rules, code_blocks, doc_sections

RULES = all_rules()
_EXTENSIONS = {"python": ".py", "c": ".c", "cpp": ".cpp", "template": ".html"}
_FIXTURE_FOLDERS = {"template": "templates"}  # a `templates` folder makes its .html files templates


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
    fixture = FIXTURES / _FIXTURE_FOLDERS.get(rule.language, rule.language) / (rule.id + _EXTENSIONS[rule.language])
    assert fixture.is_file(), f"missing fixture {fixture}"
    notes = annotations.parse(fixture.read_text(encoding="utf-8"))
    assert notes.of("expect", rule.id), "fixture needs at least one '# expect:'"
    assert notes.of("ok", rule.id), "fixture needs at least one '# ok:'"


# -- the evidence gate: what the default profile may show ---------------------------------------

LEDGER = FIXTURES.parent.parent / "bench" / "triage"
MIN_JUDGED = 10
MIN_PRECISION = 0.6


def ledger_support(rule_id: str, ledger: Path = LEDGER) -> tuple[int, float]:
    """(findings judged, true-or-defensible share) of a rule in the precision ledger."""
    verdicts = [json.loads(line)["verdict"] for path in sorted(ledger.glob("*.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line)["rule"] == rule_id]
    good = sum(1 for verdict in verdicts if verdict in ("true", "defensible"))
    return len(verdicts), (good / len(verdicts) if verdicts else 0.0)


def measured_rules_without_support(rules, ledger: Path = LEDGER) -> list[str]:
    """Rules shown by default on their measured precision that the ledger does not back."""
    weak = []
    for rule in rules:
        if rule.evidence is Evidence.MEASURED:
            judged, precision = ledger_support(rule.id, ledger)
            if judged < MIN_JUDGED or precision < MIN_PRECISION:
                weak.append(f"{rule.id}: {judged} judged, {precision:.0%} true or defensible")
    return weak


def test_rules_in_the_default_profile_on_measured_precision_are_backed_by_the_ledger() -> None:
    """A rule without dataflow or definite evidence earns the default profile only on real code:
    at least 10 judged findings in bench/triage/ and 60% of them true or defensible."""
    assert measured_rules_without_support(RULES) == []


def test_the_ledger_check_refuses_an_unproven_rule(tmp_path: Path) -> None:
    class Unproven(Rule):
        id = "unproven-rule"
        evidence = Evidence.MEASURED

    rows = [{"rule": "unproven-rule", "verdict": "true" if n < 5 else "false"} for n in range(12)]
    (tmp_path / "demo.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert measured_rules_without_support([Unproven], tmp_path) == ["unproven-rule: 12 judged, 42% true or defensible"]
    (tmp_path / "demo.jsonl").write_text("".join(json.dumps({**r, "verdict": "defensible"}) + "\n" for r in rows),
                                         encoding="utf-8")
    assert measured_rules_without_support([Unproven], tmp_path) == []


def test_rules_claiming_definite_evidence_are_high_confidence_and_not_low_severity(rule: type[Rule]) -> None:
    """DEFINITE means no safe reading: a rule that claims it for every hit must be sure and must matter."""
    if rule.evidence is Evidence.DEFINITE:
        assert rule.severity >= Severity.MEDIUM and rule.confidence is Confidence.HIGH, rule.id
