"""Every fixture's inline annotations against what the rules report.

`# expect: rule` must be reported on that line, `# ok: rule` must not, and
any other finding of the annotated rules is an error.  `# todo-expect:` marks
a known gap and fails once the gap is closed, so it never goes stale;
`# todo-ok:` marks a known false alarm likewise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import annotations
from conftest import FIXTURES
from helpers import run_rules
from secreview.lang import language_for_path
from secreview.rules import rule_by_id

FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and language_for_path(str(p)))


def _describe(pairs: set[tuple[int, str]]) -> str:
    return "\n".join(f"  line {line}: {rule}" for line, rule in sorted(pairs)) or "  (none)"


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    notes = annotations.parse(text)
    rule_ids = notes.rules()
    assert rule_ids, f"{fixture} has no annotations"
    unknown = [r for r in rule_ids if rule_by_id(r) is None]
    assert not unknown, f"annotations name unknown rules: {unknown}"
    findings = run_rules(text, [rule_by_id(r) for r in sorted(rule_ids)], path=str(fixture),
                         language=language_for_path(str(fixture)))
    actual = {(f.location.start_line, f.rule_id) for f in findings}

    problems = []
    missing = notes.of("expect") - actual
    if missing:
        problems.append("expected but not reported:\n" + _describe(missing))
    unexpected = actual - notes.of("expect") - notes.of("todo-ok") - notes.of("todo-expect")
    if unexpected:
        problems.append("reported but not expected (false alarms):\n" + _describe(unexpected))
    closed = actual & notes.of("todo-expect")
    if closed:
        problems.append("todo-expect now reported: change it to expect:\n" + _describe(closed))
    fixed = notes.of("todo-ok") - actual
    if fixed:
        problems.append("todo-ok no longer reported: change it to ok:\n" + _describe(fixed))
    undeclared = {(f.rule_id, f.evidence.name) for f in findings
                  if f.evidence is not None and f.evidence not in _declared_evidence(rule_by_id(f.rule_id))}
    if undeclared:
        problems.append(f"findings with evidence their rule does not declare in `hit_evidence`: {sorted(undeclared)}")
    contradictory = notes.of("ok") & notes.of("expect")
    if contradictory:
        problems.append("both ok and expect:\n" + _describe(contradictory))
    assert not problems, f"{fixture.name}:\n" + "\n".join(problems)


def _declared_evidence(rule) -> frozenset:
    return rule.hit_evidence | ({rule.evidence} if rule.evidence else frozenset())
