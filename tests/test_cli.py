"""The command line end to end: outputs, exit status, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from secreview.report.text import NO_DEFECTS

VULNERABLE = ('import subprocess\nfrom flask import request\ndef run():\n'
              '    subprocess.run("ls " + request.args["name"], shell=True)\n')  # attacker data: shown by default
CLEAN = 'import subprocess\n\ndef run(name):\n    subprocess.run(["ls", name])\n'


def secreview(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "secreview", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd or REPO, timeout=120)


@pytest.fixture
def vulnerable(tmp_path: Path) -> Path:
    path = tmp_path / "vulnerable.py"
    path.write_text(VULNERABLE)
    return path


def test_clean_file_prints_exactly_the_no_defect_sentence(tmp_path: Path) -> None:
    path = tmp_path / "clean.py"
    path.write_text(CLEAN)
    result = secreview(str(path))
    assert result.returncode == 0
    assert result.stdout == NO_DEFECTS + "\n"


def test_findings_exit_one_with_contract_fields(vulnerable: Path) -> None:
    result = secreview(str(vulnerable))
    assert result.returncode == 1
    out = result.stdout
    assert f"{vulnerable}:4" in out
    assert "CWE-78: Improper Neutralization of Special Elements used in an OS Command" in out
    assert "Pillar: CWE-707: Improper Neutralization" in out
    assert "Description:" in out and "Solution:" in out
    assert "> 4 |     subprocess.run" in out
    assert "\x1b[" not in out, "no colour when stdout is not a terminal"


def test_json_output(vulnerable: Path) -> None:
    result = secreview("--format", "json", str(vulnerable))
    data = json.loads(result.stdout)
    assert data["schema_version"] == "1"
    finding = data["findings"][0]
    assert finding["cwe"]["id"] == 78 and finding["pillar"]["id"] == 707
    assert finding["location"]["start_line"] == 4


def test_output_file(vulnerable: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    result = secreview("--format", "sarif", "--output", str(target), str(vulnerable))
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_unwritable_output_still_shows_report(vulnerable: Path, tmp_path: Path) -> None:
    result = secreview("--output", str(tmp_path / "missing-dir" / "r.txt"), str(vulnerable))
    assert result.returncode == 2
    assert "cannot write report" in result.stderr
    assert "subprocess-shell-true" in result.stdout


def test_undecodable_file_makes_run_incomplete_in_every_format(vulnerable: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"x = '\xff\xfe'\n")
    text = secreview(str(vulnerable), str(bad))
    assert text.returncode == 2
    assert "INCOMPLETE" in text.stdout and "bad.py: undecodable" in text.stdout
    assert "subprocess-shell-true" in text.stdout, "findings of the good file are kept"
    data = json.loads(secreview("-f", "json", str(vulnerable), str(bad)).stdout)
    assert data["summary"]["incomplete"] is True
    assert data["errors"][0]["kind"] == "undecodable"
    sarif = json.loads(secreview("-f", "sarif", str(vulnerable), str(bad)).stdout)
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_stdin_with_language() -> None:
    result = secreview("--language", "python", "-", stdin=VULNERABLE)
    assert result.returncode == 1
    assert "<stdin>:4" in result.stdout


def test_select_and_ignore(vulnerable: Path) -> None:
    assert secreview("--ignore", "subprocess-shell-true", str(vulnerable)).returncode == 0
    assert secreview("--select", "subprocess-*", str(vulnerable)).returncode == 1
    unknown = secreview("--select", "no-such-rule", str(vulnerable))
    assert unknown.returncode == 2 and "unknown rule id" in unknown.stderr


def test_min_severity_hides_and_counts(vulnerable: Path) -> None:
    result = secreview("--min-severity", "critical", str(vulnerable))
    assert result.returncode == 0
    assert result.stdout == NO_DEFECTS + "\n"
    assert "hidden" in result.stderr
    assert secreview("--min-severity", "bogus", str(vulnerable)).returncode == 2


def test_rules_listing_json() -> None:
    result = secreview("rules", "--format", "json")
    rows = json.loads(result.stdout)
    assert result.returncode == 0
    assert {"id", "cwe", "pillar", "severity", "confidence"} <= set(rows[0])


def test_explain() -> None:
    result = secreview("explain", "subprocess-shell-true")
    assert result.returncode == 0
    assert "## Why is this bad?" in result.stdout and "CWE-78" in result.stdout
    assert secreview("explain", "nope").returncode == 2


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = secreview(str(tmp_path / "absent.py"))
    assert result.returncode == 2
    assert "not-found" in result.stdout


def test_json_output_matches_documented_schema(vulnerable: Path, tmp_path: Path) -> None:
    import jsonschema
    schema = json.loads((REPO / "docs" / "json-schema.json").read_text())
    bad = tmp_path / "bin.py"
    bad.write_bytes(b"\0\0")
    data = json.loads(secreview("-f", "json", str(vulnerable), str(bad)).stdout)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["findings"] and data["errors"]


def test_output_to_a_device_writes_through_it(vulnerable: Path) -> None:
    import os
    import stat
    result = secreview("--output", os.devnull, str(vulnerable))
    assert result.returncode == 1
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode), "the device must not be replaced by a regular file"
