"""Engine behaviour that every rule relies on."""

from __future__ import annotations

from secreview import engine
from secreview.model import Confidence, ProblemKind, Severity
from secreview.rules import Hit, Rule, rule_by_id
from secreview.sources import SourceFile

CODE = 'import subprocess\ndef f(a, b):\n    subprocess.run("x" + b, shell=True)\n    subprocess.run("y" + a, shell=True)\n'


class _Crashing(Rule):
    id = "crashing-rule"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = description = solution = "x"

    def check(self, file):
        raise RuntimeError("boom")


class _Twice(_Crashing):
    id = "twice-rule"

    def check(self, file):
        call = file.calls[0]
        yield Hit(call.node)
        yield Hit(call.node)


def _analyze(rules, **settings):
    return engine.analyze([SourceFile("a.py", CODE, "python")], rules, engine.Settings(**{"profile": "audit", **settings}))


def test_crashing_rule_is_reported_not_fatal() -> None:
    report = _analyze([_Crashing, rule_by_id("subprocess-shell-true")])
    assert len(report.findings) == 2
    assert [p.kind for p in report.problems] == [ProblemKind.INTERNAL_ERROR]
    assert "boom" in report.problems[0].detail
    assert report.incomplete


class _Limited(_Crashing):
    id = "limited-rule"

    def check(self, file):
        from secreview.rules import AnalysisLimitExceeded
        yield Hit(file.calls[0].node)
        raise AnalysisLimitExceeded("step budget of 10 exhausted")


def test_rule_hitting_a_limit_keeps_its_hits_and_marks_the_file_incomplete() -> None:
    report = _analyze([_Limited])
    assert len(report.findings) == 1
    assert [p.kind for p in report.problems] == [ProblemKind.LIMIT_EXCEEDED]
    assert "step budget" in report.problems[0].detail and report.incomplete


def test_duplicate_hits_are_merged() -> None:
    assert len(_analyze([_Twice]).findings) == 1


def test_findings_are_sorted_and_deterministic() -> None:
    first = _analyze([rule_by_id("subprocess-shell-true")]).findings
    assert [line.text.strip()[:17] for f in first for line in f.excerpt if line.flagged] == \
        ['subprocess.run("x', 'subprocess.run("y']
    assert first == _analyze([rule_by_id("subprocess-shell-true")]).findings
    assert len({f.fingerprint for f in first}) == 2


def test_filters_count_hidden_findings() -> None:
    report = _analyze([rule_by_id("subprocess-shell-true")], min_severity=Severity.CRITICAL)
    assert report.findings == () and report.hidden_by_filters == 2


def test_select_and_ignore_patterns() -> None:
    rules = [_Crashing, _Twice]
    assert engine.select_rules(rules, engine.Settings(select=("twice-*",))) == [_Twice]
    assert engine.select_rules(rules, engine.Settings(ignore=("crashing-rule",))) == [_Twice]


def test_pillar_is_derived_from_cwe() -> None:
    finding = _analyze([rule_by_id("subprocess-shell-true")]).findings[0]
    assert (finding.cwe, finding.pillar) == (78, 707)
    assert finding.cwe_name.startswith("Improper Neutralization of Special Elements used in an OS Command")


def test_rules_of_one_family_give_one_finding_per_line() -> None:
    code = "import os, subprocess\ndef f(cmd):\n    os.system(cmd); subprocess.call(cmd, shell=True)\n"
    rules = [rule_by_id("os-system-non-literal"), rule_by_id("subprocess-shell-true")]
    assert rules[0].family == rules[1].family
    report = engine.analyze([SourceFile("a.py", code, "python")], rules, engine.Settings(profile="audit"))
    assert len(report.findings) == 1
    kept = report.findings[0]
    other = ({r.id for r in rules} - {kept.rule_id}).pop()
    assert f"Also reported here by {other}" in kept.description
