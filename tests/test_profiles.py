"""The evidence gate: the default profile shows findings with evidence; the audit profile shows every check."""

from __future__ import annotations

from pathlib import Path

from workflow import secreview, write

from secreview import engine
from secreview.model import Confidence, Evidence, HiddenBecause
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


def test_test_code_is_reviewed_only_with_include_tests() -> None:
    """Without --include-tests a test file is counted as not reviewed (in every profile); with it, test code
    is reviewed like the rest, but a test's own request is no attacker data."""
    for settings in ({}, {"profile": "audit"}):
        left_out = _test_code_report(**settings)
        assert not left_out.findings and not left_out.suppressed, settings
        assert left_out.files_analysed == 0 and left_out.test_files_not_reviewed == 1, settings
    reviewed = _test_code_report(include_tests=True)
    shown = {f.rule_id for f in reviewed.findings}
    assert reviewed.test_files_not_reviewed == 0 and reviewed.files_analysed == 1
    assert "tempfile-mktemp" in shown, "definite evidence holds in test code"
    assert "subprocess-shell-true" not in shown, "a test's own request is not attacker data"
    assert "subprocess-shell-true" in {f.rule_id for f in reviewed.suppressed}
    audit = {f.rule_id for f in _test_code_report(include_tests=True, profile="audit").findings}
    assert {"subprocess-shell-true", "division-by-possible-zero"} <= audit


def test_test_files_left_out_are_counted_in_every_format(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": "import os\n", "tests/test_app.py": "import tempfile\ntempfile.mktemp()\n"})
    text = secreview(tmp_path, ".", capsys=capsys, monkeypatch=monkeypatch)
    assert text.status == 0 and "Not reviewed: 1 test file (--include-tests reviews them)." in text.stdout + text.stderr
    data = secreview(tmp_path, ".", "-f", "json", capsys=capsys, monkeypatch=monkeypatch).json
    assert data["summary"]["test_files_not_reviewed"] == 1 and data["summary"]["files_analysed"] == 1
    for fmt in ("markdown", "github", "sarif"):
        assert "Not reviewed: 1 test file" in secreview(tmp_path, ".", "-f", fmt, capsys=capsys,
                                                         monkeypatch=monkeypatch).stdout, fmt
    shown = secreview(tmp_path, ".", "--include-tests", "-f", "json", capsys=capsys, monkeypatch=monkeypatch).json
    assert shown["summary"]["test_files_not_reviewed"] == 0 and "tempfile-mktemp" in \
        {f["rule_id"] for f in shown["findings"]}


def test_a_test_file_named_on_the_command_line_is_reviewed(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"tests/test_app.py": "import tempfile\ntempfile.mktemp()\n"})
    named = secreview(tmp_path, "tests/test_app.py", "-f", "json", capsys=capsys, monkeypatch=monkeypatch).json
    assert named["summary"]["files_analysed"] == 1 and named["summary"]["test_files_not_reviewed"] == 0
    assert named["summary"]["suppressed"].get("test-code") == 1, "reviewed, and hidden as test code"
    walked = secreview(tmp_path, "tests", "-f", "json", capsys=capsys, monkeypatch=monkeypatch).json
    assert walked["summary"]["test_files_not_reviewed"] == 1


def test_an_index_the_network_chooses_is_shown_by_default_and_one_from_a_caller_is_audit() -> None:
    """`atoi()` of bytes received from a socket, bounded on one side only, indexes a table (dataflow from a
    remote source: default); the same conversion of a text the caller passes is audit. Both rules that judge
    an input index's bounds share that evidence (`numeric.converted_text`)."""
    fixtures = Path(__file__).parent / "fixtures" / "c"
    for rule_id, line, audit in (("array-index-from-input", 42, {8, 10, 11, 25, 42}),
                                 ("signed-length-check-without-minimum", 41, {9, 11, 13, 41})):
        source = SourceFile("slots.c", (fixtures / f"{rule_id}.c").read_text(), "c")
        rules = [r for r in all_rules() if r.id == rule_id]
        report = engine.analyze([source], rules, engine.Settings())
        assert [(f.location.start_line, f.evidence) for f in report.findings] == [(line, Evidence.DATAFLOW)], rule_id
        everything = engine.analyze([source], rules, engine.Settings(profile="audit"))
        assert audit <= {f.location.start_line for f in everything.findings}, rule_id


def test_a_c_library_refusal_and_a_string_that_cannot_fit_are_shown_by_default() -> None:
    """An unchecked `fopen()` or `getenv()` result (NULL when the environment refuses, on no path safe) and a
    `strcpy`/`strcat` the engine proves too long for its destination are DEFINITE; a `strchr()` that may find
    nothing, or a copy whose source length is unknown, stays in the audit profile."""
    fixtures = Path(__file__).parent / "fixtures" / "c"
    for rule_id, default, audit_only in (("fopen-result-unchecked", {5, 7, 9, 27, 46}, set()),
                                         ("maybe-null-result-dereference", {41, 52, 85}, {22, 62}),
                                         ("strcpy-unbounded-copy", {31, 42, 50}, {13}),
                                         ("strcat-unbounded-append", {20}, {9})):
        source = SourceFile("example.c", (fixtures / f"{rule_id}.c").read_text(), "c")
        rules = [r for r in all_rules() if r.id == rule_id]
        shown = {f.location.start_line: f.evidence for f in engine.analyze([source], rules, engine.Settings()).findings}
        assert shown == {line: Evidence.DEFINITE for line in default}, rule_id
        settings = engine.Settings(profile="audit", min_confidence=Confidence.LOW)
        everything = {f.location.start_line for f in engine.analyze([source], rules, settings).findings}
        assert audit_only <= everything - default, rule_id


def test_a_null_arm_chosen_by_a_value_is_definite_and_one_chosen_by_a_call_is_audit() -> None:
    """`p = given ? &d : NULL` splits into two paths, so the dereference on the NULL one is DEFINITE; when a
    call's outcome picks the arm (`fill(&b) ? NULL : &b`), NULL depends on what the call is given: audit."""
    code = """struct s { int on; };
static struct s d;
extern int fill(struct s *into);
int by_value(int given) {
    struct s *p = given ? &d : (struct s *)0;
    return p->on;
}
int by_call(void) {
    struct s b;
    struct s *q = fill(&b) ? (struct s *)0 : &b;
    return q->on;
}
"""
    assert _shown_and_audited("arms.c", code, "null-pointer-dereference") == ([(6, Evidence.DEFINITE)], {6, 11})


def test_a_null_that_only_an_exhausted_allocation_leaves_is_audit() -> None:
    """tcpdump's `if (host_url == NULL && size > 0) error(...)` lets a NULL through only when `malloc` failed
    (with a size the engine cannot rule out): the dereference after it is the allocation rules' audit
    finding, while a NULL a test leaves on a path of its own otherwise stays DEFINITE."""
    code = """#include <stdlib.h>
#include <string.h>
extern void fail(const char *why) __attribute__((noreturn));
void copy_out(const char *from, long size) {
    char *copy = malloc(size + 1);
    if (copy == NULL && size + 1 > 0)
        fail("no memory");
    memcpy(copy, from, size);
}
void copy_given(char *copy, const char *from, long size) {
    if (copy == NULL && size > 0)
        fail("no buffer");
    memcpy(copy, from, size);
}
"""
    assert _shown_and_audited("copy.c", code, "null-pointer-dereference") == ([(13, Evidence.DEFINITE)], {8, 13})


def _shown_and_audited(name: str, code: str, rule_id: str) -> tuple[list[tuple[int, Evidence | None]], set[int]]:
    """One rule's findings on a C snippet: (line, evidence) shown by default, and the lines the audit shows."""
    source = SourceFile(name, code, "c")
    rules = [r for r in all_rules() if r.id == rule_id]
    shown = engine.analyze([source], rules, engine.Settings()).findings
    everything = engine.analyze([source], rules, engine.Settings(profile="audit")).findings
    return [(f.location.start_line, f.evidence) for f in shown], {f.location.start_line for f in everything}
