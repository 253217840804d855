"""The canonical input: the review prompt wrapping Nova's imagebackend.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

SEED = REPO.parent / "shared" / "seed" / "review-prompt-imagebackend.txt"
pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="needs ../shared/seed beside the repository")


def _review(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "secreview", "--format", "json", *options, "--prompt", str(SEED)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    """Every check's findings (the audit profile): the race-prone file handling the seed is about."""
    result = _review("--profile", "audit")
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["findings"]


def test_the_default_review_shows_only_findings_with_evidence_and_counts_the_rest() -> None:
    result = _review()
    report = json.loads(result.stdout)
    assert all(f["evidence"] for f in report["findings"])
    assert report["summary"]["suppressed"].get("audit-profile", 0) >= 2, "the audit findings are counted"
    assert result.returncode == (1 if report["findings"] else 0)


def test_the_default_review_reports_what_the_human_reviewers_flagged_each_once() -> None:
    """The volume created and left behind when mapping it fails (lines 1189 and 1208, two functions), and
    the existence check of the disk guarding the removal of another image (936); nothing else."""
    shown = sorted((f["rule_id"], f["location"]["start_line"]) for f in json.loads(_review().stdout)["findings"])
    assert shown == [("resource-leak-on-error-path", 1189), ("resource-leak-on-error-path", 1208),
                     ("state-check-on-other-object", 936)]


def _at(findings: list[dict], rule: str, lines: range) -> list[dict]:
    return [f for f in findings if f["rule_id"] == rule and f["location"]["start_line"] in lines]


def test_non_exclusive_temp_file_is_reported_at_prompt_lines(findings: list[dict]) -> None:
    hits = _at(findings, "file-created-without-exclusive-flag", range(321, 326))
    assert hits, "the O_CREAT-without-O_EXCL temp file at lines 321-325"
    assert "self.disk_info_path" in hits[0]["description"]


def test_check_then_use_race_is_reported(findings: list[dict]) -> None:
    assert _at(findings, "file-check-then-use", range(218, 219)) or _at(findings, "file-check-then-use", range(228, 231))


def test_every_finding_has_the_contract_fields(findings: list[dict]) -> None:
    for finding in findings:
        assert finding["cwe"]["id"] and finding["cwe"]["name"]
        assert finding["pillar"]["id"] in (284, 435, 664, 682, 691, 693, 697, 703, 707, 710)
        assert len(finding["description"]) > 80 and finding["solution"]
