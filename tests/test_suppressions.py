"""Inline suppressions (ours and other tools'), the test-code policy, and how hidden findings are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from workflow import secreview, write

from secreview import engine, foreign_ids, suppressions
from secreview.model import HiddenBecause
from secreview.report import sarif
from secreview.rules import all_rules, rule_by_id
from secreview.sources import SourceFile
from secreview.testcode import is_test_path

SHELL = 'subprocess.run("ls " + name, shell=True)'


def _review(code: str, path: str = "app.py", language: str = "python", **settings):
    rules = [rule_by_id("subprocess-shell-true"), rule_by_id("os-system-non-literal"),
             rule_by_id("suppression-without-reason"), rule_by_id("pickle-unsafe-load")]
    return engine.analyze([SourceFile(path, code, language)], rules, engine.Settings(**{"profile": "audit", **settings}))


def _shell(comment: str = "", above: str = "") -> str:
    lines = ["import subprocess", "", "", "def run(name):"]
    if above:
        lines.append(f"    {above}")
    lines.append(f"    {SHELL}{'  ' + comment if comment else ''}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("code", [
    _shell("# secreview: ignore[subprocess-shell-true] name is a checked host name"),
    _shell(above="# secreview: ignore[subprocess-shell-true] name is a checked host name"),
    _shell("# secreview: ignore[subprocess-*] name is a checked host name"),
    _shell("# secreview: ignore -- reviewed: name is a checked host name"),
])
def test_our_suppression_hides_and_keeps_the_finding(code: str) -> None:
    report = _review(code)
    assert report.findings == ()
    (hidden,) = report.suppressed
    assert hidden.rule_id == "subprocess-shell-true" and hidden.suppression.because is HiddenBecause.INLINE
    assert "checked host name" in hidden.suppression.justification


def test_a_suppression_naming_any_rule_of_a_merged_family_covers_the_finding() -> None:
    code = ("import os, subprocess\n\n\ndef f(cmd):\n    os.system(cmd); subprocess.call(cmd, shell=True)"
            "  # secreview: ignore[{}] cmd comes from our own config\n")
    for rule in ("os-system-non-literal", "subprocess-shell-true"):
        report = _review(code.format(rule))
        assert report.findings == () and len(report.suppressed) == 1, rule


def test_multi_line_finding_can_be_suppressed_on_its_last_line() -> None:
    code = ('import subprocess\n\n\ndef run(name):\n    subprocess.run(\n        "ls " + name,\n'
            '        shell=True,\n    )  # secreview: ignore[subprocess-shell-true] name is validated above\n')
    assert _review(code).findings == () and len(_review(code).suppressed) == 1


@pytest.mark.parametrize("code", [
    _shell("# secreview: ignore[pickle-unsafe-load] wrong rule"),
    _shell(above="x = 1  # secreview: ignore[subprocess-shell-true] not alone on the line above"),
    _shell() + '\n\ndef text():\n    return "# secreview: ignore[subprocess-shell-true] in a string"\n',
    _shell("# nosec"),  # foreign suppressions only count when asked for
])
def test_suppression_that_does_not_apply(code: str) -> None:
    assert [f.rule_id for f in _review(code).findings] == ["subprocess-shell-true"]


def test_suppression_without_reason_still_applies_and_is_reported() -> None:
    report = _review(_shell("# secreview: ignore[subprocess-shell-true]"))
    assert [f.rule_id for f in report.findings] == ["suppression-without-reason"]
    assert report.findings[0].severity.value == "low"
    assert [f.suppression.justification for f in report.suppressed] == ["(no reason given)"]
    # It cannot hide itself: a reason is the point.
    selfish = _review(_shell("# secreview: ignore[subprocess-shell-true, suppression-without-reason]"))
    assert [f.rule_id for f in selfish.findings] == ["suppression-without-reason"]


@pytest.mark.parametrize("comment", ["# nosec", "# nosec B602", "# nosec: subprocess_popen_with_shell_equals_true",
                                     "# noqa: S602", "# noqa: E501, S602", "# nosemgrep"])
def test_foreign_suppressions_when_honored(comment: str) -> None:
    report = _review(_shell(comment), honor_foreign_suppressions=True)
    assert report.findings == ()
    assert report.suppressed[0].suppression.because is HiddenBecause.FOREIGN


@pytest.mark.parametrize("comment", ["# nosec B101", "# noqa: E501", "# noqa", "# noqa: S101"])
def test_foreign_suppressions_of_other_checks_do_not_apply(comment: str) -> None:
    report = _review(_shell(comment), honor_foreign_suppressions=True)
    assert [f.rule_id for f in report.findings] == ["subprocess-shell-true"]


def test_c_comments_suppress_too() -> None:
    code = ('#include <stdlib.h>\nvoid run(const char *cmd) {\n'
            '    system(cmd); // secreview: ignore[system-non-literal] cmd is built from constants in main\n}\n')
    report = engine.analyze([SourceFile("a.c", code, "c")], [rule_by_id("system-non-literal")], engine.Settings(profile="audit"))
    assert report.findings == () and report.suppressed[0].suppression.because is HiddenBecause.INLINE


def test_foreign_id_table_names_only_real_rules() -> None:
    known = {rule.id for rule in all_rules()}
    assert foreign_ids.all_mapped_rules() <= known
    assert foreign_ids.ruff_rules("S602") == foreign_ids.bandit_rules("B602") != ()
    assert foreign_ids.ruff_rules("E501") == ()


def test_unused_suppressions_are_noted(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"a.py": "x = 1  # secreview: ignore[pickle-unsafe-load] old\n"
                             "y = 2  # secreview: ignore[pickel] typo\n"})
    run = secreview(tmp_path, "a.py", "--report-unused-suppressions", "--no-cache", capsys=capsys,
                    monkeypatch=monkeypatch)
    assert "a.py:1: `secreview: ignore[pickle-unsafe-load]` suppresses nothing" in run.stderr
    assert "a.py:2: `secreview: ignore[pickel]` names unknown rule id(s): pickel" in run.stderr


def test_suppressed_findings_are_in_json_and_sarif_but_do_not_fail_the_run(tmp_path: Path, capsys,
                                                                           monkeypatch) -> None:
    write(tmp_path, {"a.py": _shell("# secreview: ignore[subprocess-shell-true] host names only"),
                     "b.py": _shell("# nosec B602")})
    run = secreview(tmp_path, ".", "-f", "json", "--honor-foreign-suppressions", "--no-cache", capsys=capsys,
                    monkeypatch=monkeypatch)
    assert run.status == 0
    data = run.json
    assert data["findings"] == [] and data["summary"]["suppressed"] == {"inline": 1, "foreign": 1}
    assert [f["suppression"]["kind"] for f in data["suppressed"]] == ["inSource", "inSource"]
    document = json.loads(secreview(tmp_path, ".", "-f", "sarif", "--honor-foreign-suppressions", "--no-cache",
                                    capsys=capsys, monkeypatch=monkeypatch).stdout)
    results = document["runs"][0]["results"]
    assert [r["suppressions"][0]["justification"] for r in results] == \
        ["host names only", "`nosec B602` on line 5"]
    text = secreview(tmp_path, ".", "--honor-foreign-suppressions", "--no-cache", capsys=capsys,
                     monkeypatch=monkeypatch)
    assert text.status == 0 and "1 suppressed in the code, 1 suppressed by nosec/noqa/nosemgrep" in text.stderr


def test_sarif_with_suppressions_validates() -> None:
    from test_sarif import _validate
    report = _review(_shell("# secreview: ignore[subprocess-shell-true] host names only"))
    document = sarif.to_data(report, all_rules())
    _validate(document)
    assert document["runs"][0]["results"][0]["suppressions"][0]["kind"] == "inSource"


@pytest.mark.parametrize("path, expected", [
    ("tests/unit/test_api.py", True), ("nova/tests/fixtures/db.py", True), ("test_utils.py", True),
    ("pkg/module_test.py", True), ("conftest.py", True), ("server/handler_test.go", True),
    ("web/app.test.js", True), ("web/__tests__/app.js", True), ("src/foo_unittest.cc", True),
    ("src/tests.cpp", True), ("src/app.py", False), ("src/attest.py", False), ("src/latest.c", False),
    ("src/contest/rules.py", False),
])
def test_test_code_conventions(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


def test_test_code_is_judged_below_the_project_root() -> None:
    assert not is_test_path("/home/ci/test/checkout/app.py", "/home/ci/test/checkout")
    assert is_test_path("/home/ci/test/checkout/tests/x.py", "/home/ci/test/checkout")


def test_test_code_is_counted_and_reviewed_on_request(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"tests/test_run.py": _shell(), ".git/HEAD": ""})
    run = secreview(tmp_path, ".", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 0 and "Not reviewed: 1 test file (--include-tests reviews them)" in run.stderr
    shown = secreview(tmp_path, ".", "--include-tests", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert shown.status == 1 and "tests/test_run.py:5" in shown.stdout


def test_prompts_and_stdin_are_never_test_code() -> None:
    sources = [SourceFile("tests/test_x.py", "x = 1\n", "python", kind="prompt"),
               SourceFile("tests/test_y.py", "x = 1\n", "python")]
    from secreview.triage import test_files
    assert test_files(sources, "") == frozenset({"tests/test_y.py"})


def test_directive_parsing() -> None:
    (own,) = suppressions.parse_comment("# secreview: ignore[a-rule, b-*] because it is constant # noqa", 7)
    assert (own.line, own.rules, own.reason) == (7, frozenset({"a-rule", "b-*"}), "because it is constant")
    (bare,) = suppressions.parse_comment("// secreview: ignore", 3)
    assert bare.rules is None and bare.reason == ""
    (nosec,) = suppressions.parse_comment("# nosec B602, B607", 1)
    assert nosec.rules == frozenset(foreign_ids.bandit_rules("B602"))
