"""The evidence gate: the default profile shows findings with evidence; the audit profile shows every check."""

from __future__ import annotations

from pathlib import Path

from workflow import secreview, write

from secreview import engine
from secreview.model import Evidence, HiddenBecause
from secreview.rules import all_rules
from secreview.sources import SourceFile

APP = '''import subprocess
import tempfile
from flask import Flask, request

app = Flask(__name__)


@app.route("/list")
def listing():
    subprocess.run("ls " + request.args["dir"], shell=True)
    return "ok"


def backup(name):
    subprocess.run("tar czf /backup.tgz " + name, shell=True)


def scratch():
    return tempfile.mktemp()


def fetch_all(items):
    return sum(items) / len(items)
'''


def _report(profile: str):
    return engine.analyze([SourceFile("app.py", APP, "python")], all_rules(), engine.Settings(profile=profile))


def _line(snippet: str) -> int:
    return next(n for n, text in enumerate(APP.splitlines(), 1) if snippet in text)


def test_default_shows_attacker_data_and_definite_uses_and_counts_the_rest() -> None:
    report = _report("default")
    shown = {(f.rule_id, f.location.start_line, f.evidence) for f in report.findings}
    assert shown == {("subprocess-shell-true", _line('request.args["dir"]'), Evidence.DATAFLOW),
                     ("tempfile-mktemp", _line("tempfile.mktemp()"), Evidence.DEFINITE)}
    audit = {(f.rule_id, f.location.start_line) for f in report.suppressed
             if f.suppression.because is HiddenBecause.AUDIT}
    assert ("subprocess-shell-true", _line("tar czf")) in audit, "a caller's parameter is no evidence"
    assert ("division-by-possible-zero", _line("len(items)")) in audit


def test_audit_shows_every_check() -> None:
    default, audit = _report("default"), _report("audit")
    hidden_as_audit = [f for f in default.suppressed if f.suppression.because is HiddenBecause.AUDIT]
    assert len(audit.findings) == len(default.findings) + len(hidden_as_audit)
    assert not any(f.suppression and f.suppression.because is HiddenBecause.AUDIT for f in audit.suppressed)


def test_every_format_says_how_many_audit_findings_exist_and_how_to_see_them(tmp_path: Path, capsys,
                                                                            monkeypatch) -> None:
    write(tmp_path, {"app.py": APP})
    text = secreview(tmp_path, "app.py", capsys=capsys, monkeypatch=monkeypatch, profile="default")
    assert text.status == 1 and "audit checks without evidence (--profile audit shows them)" in text.stdout
    as_json = secreview(tmp_path, "app.py", "-f", "json", capsys=capsys, monkeypatch=monkeypatch, profile="default")
    assert as_json.json["summary"]["suppressed"]["audit-profile"] >= 2
    markdown = secreview(tmp_path, "app.py", "-f", "markdown", capsys=capsys, monkeypatch=monkeypatch,
                         profile="default")
    assert "--profile audit" in markdown.stdout


def test_the_profile_comes_from_the_configuration_and_is_checked(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": APP, "pyproject.toml": '[tool.secreview]\nprofile = "audit"\n'})
    configured = secreview(tmp_path, "app.py", "-f", "json", capsys=capsys, monkeypatch=monkeypatch, profile=None)
    assert "audit-profile" not in configured.json["summary"]["suppressed"]
    flagged = secreview(tmp_path, "app.py", "-f", "json", capsys=capsys, monkeypatch=monkeypatch, profile="default")
    assert "audit-profile" in flagged.json["summary"]["suppressed"], "the flag wins over the file"
    write(tmp_path, {"pyproject.toml": '[tool.secreview]\nprofile = "everything"\n'})
    wrong = secreview(tmp_path, "app.py", capsys=capsys, monkeypatch=monkeypatch, profile=None)
    assert wrong.status == 2 and "profile" in wrong.stderr


def test_every_rule_that_gives_hits_evidence_declares_its_kinds() -> None:
    """The engine skips rules where nothing they find could be shown (test code, default profile): a rule
    passing `evidence=Evidence.X` to its hits must declare X in `hit_evidence`."""
    import inspect
    import re

    from secreview.rules import Rule
    undeclared = []
    for rule in all_rules():
        own_code = "".join(inspect.getsource(k) for k in rule.__mro__
                           if k not in (Rule, object) and k.__module__.startswith("secreview.rules"))
        if "evidence=" not in own_code:
            continue
        named = {Evidence[kind] for kind in re.findall(r"\bEvidence\.([A-Z]+)\b", own_code)}
        declared = rule.hit_evidence | ({rule.evidence} if rule.evidence else set())
        if not rule.may_show_by_default() or named - declared:
            undeclared.append((rule.id, sorted(e.name for e in named - declared)))
    assert not undeclared, f"declare these kinds in `hit_evidence`: {undeclared}"


def _test_code_report(**settings):
    return engine.analyze([SourceFile("/proj/tests/test_app.py", APP, "python")], all_rules(),
                          engine.Settings(project_root="/proj", **settings))


def test_test_code_runs_only_checks_that_can_be_shown_there() -> None:
    """In test code the default profile shows a finding only with --include-tests, and then only with
    evidence: a check that never has evidence is not run there unless one of the two options is given."""
    default = _test_code_report()
    hidden = {(f.rule_id, f.suppression.because) for f in default.suppressed}
    assert ("tempfile-mktemp", HiddenBecause.TEST_CODE) in hidden
    assert not any(rule == "subprocess-shell-true" for rule, _ in hidden), "its only evidence is a dataflow trace"
    assert not any(rule == "division-by-possible-zero" for rule, _ in hidden), "an audit-only check ran"
    shown = {f.rule_id for f in _test_code_report(include_tests=True).findings}
    assert "tempfile-mktemp" in shown, "definite evidence holds in test code"
    assert "subprocess-shell-true" not in shown, "a test's own request is not attacker data"
    for settings in ({"include_tests": True}, {"profile": "audit"}):
        every = {f.rule_id for f in (*_test_code_report(**settings).findings, *_test_code_report(**settings).suppressed)}
        assert "division-by-possible-zero" in every, settings


def test_test_code_counts_only_what_include_tests_would_show() -> None:
    """The default profile's count of findings in test code is the findings `--include-tests` shows: those
    with evidence. A suppression there is judged only for naming an unknown rule (not every check ran)."""
    code = ('PASSWORD = "hunter2"\n'
            'AWS_KEY = "AKIAIOSFODNN7EXAMPLF"\n'
            'x = 1  # secreview: ignore[hardcoded-password] fixture\n'
            'y = 2  # secreview: ignore[no-such-rule] typo\n')
    source = SourceFile("/proj/tests/test_keys.py", code, "python")
    default = engine.analyze([source], all_rules(), engine.Settings(project_root="/proj"))
    counted = [f for f in default.suppressed if f.suppression.because == HiddenBecause.TEST_CODE]
    assert counted and all(f.evidence is not None for f in counted)
    assert "hardcoded-password" not in {f.rule_id for f in counted}
    shown = engine.analyze([source], all_rules(), engine.Settings(project_root="/proj", include_tests=True))
    assert {f.rule_id for f in counted} == {f.rule_id for f in shown.findings}
    assert "hardcoded-password" in {f.rule_id for f in shown.suppressed}
    notes = " ".join(default.unused_suppressions)
    assert "no-such-rule" in notes and "suppresses nothing" not in notes
