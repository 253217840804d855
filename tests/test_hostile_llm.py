"""Malformed model replies (issue 16): each one is a failed call; the static findings are always kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_fake_server import FakeModelServer, Findings, Raw, Status
from secreview import cli
from test_hostile_inputs import VULNERABLE, review


def _claim(line: object, description: str = "a shell command built from input") -> dict:
    return {"findings": [{"line": line, "cwe": 78, "severity": "high", "title": "command injection",
                          "evidence": "os.system(input())", "description": description,
                          "solution": "do not"}], "static_findings": []}


MALFORMED = {
    "message as a string": Status(200, body=json.dumps({"choices": [{"message": "hello"}]}), headers={}),
    "choice as a string": Status(200, body=json.dumps({"choices": ["hello"]}), headers={}),
    "nested JSON": Status(200, body="[" * 100_000 + "]" * 100_000, headers={}),
    "nested JSON content": Raw("{\"findings\": " + "[" * 100_000 + "]" * 100_000 + "}"),
    "superscript line": Findings(_claim("²")),
    "5,000-digit line": Findings(_claim("9" * 5000)),
    "5,000-digit line number": Raw('{"findings": [{"line": ' + "9" * 5000 + "}]}"),
    "lone surrogate": Raw('{"findings": [{"line": 2, "cwe": 78, "evidence": "os.system(input())", '
                          '"description": "bad \\ud800", "solution": "fix \\udfff"}], "static_findings": []}'),
    "findings as a string": Findings({"findings": "none", "static_findings": "none"}),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secreview.toml").write_text("")
    (tmp_path / "app.py").write_text(VULNERABLE)
    return tmp_path


@pytest.mark.parametrize("reply", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_malformed_reply_keeps_the_static_findings(project: Path, reply, fmt: str) -> None:
    with FakeModelServer([reply]) as server:
        status, out, err = review("--llm", "--llm-base-url", server.openai_url, "--llm-model", "m",
                                  "--llm-no-cache", "-f", fmt, "app.py")
    assert "Traceback" not in err
    assert status in (cli.EXIT_FINDINGS, cli.EXIT_ERROR)
    assert "os-system-non-literal" in out
    assert "\ud800" not in out and "\udfff" not in out


def test_retry_after_nan_is_our_own_backoff(project: Path) -> None:
    script = [Status(503, headers={"Retry-After": "nan"}), Findings({"findings": [], "static_findings": []})]
    with FakeModelServer(script) as server:
        status, out, err = review("--llm", "--llm-base-url", server.openai_url, "--llm-model", "m",
                                  "--llm-no-cache", "app.py")
    assert status == cli.EXIT_FINDINGS and "Traceback" not in err
    assert "1 of 1 chunk(s) reviewed" in out
