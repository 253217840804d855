"""The triage ledger tool: verdicts are validated, recorded once, and counted per rule and project."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from conftest import REPO


def _tool():
    spec = importlib.util.spec_from_file_location("triage_tool", REPO / "scripts" / "triage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(line: int, rule: str, verdict: str, reason: str = "the value comes from a request parameter") -> dict:
    return {"project": "demo", "commit": "abc", "file": "app.py", "line": line, "rule": rule,
            "verdict": verdict, "reason": reason, "sample": "demo-1", "message": "m"}


def test_record_validates_appends_once_and_report_counts(tmp_path: Path, capsys) -> None:
    tool = _tool()
    sheet = tmp_path / "demo-1.jsonl"
    rows = [_row(1, "a-rule", "true"), _row(2, "a-rule", "false"), _row(3, "b-rule", "defensible")]
    sheet.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ledger = tmp_path / "ledger"
    assert tool.record(sheet, ledger) == 0
    assert tool.record(sheet, ledger) == 0, "recording again adds nothing"
    assert len((ledger / "demo.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    table = tool.report_table(tool.read_ledger(ledger))
    assert "| `a-rule` | 2 | 1 | 0 | 1 | 50% |" in table
    assert "| **all** | 3 | 1 | 1 | 1 | 67% |" in table


def test_unfilled_or_unknown_verdicts_are_refused(tmp_path: Path, capsys) -> None:
    tool = _tool()
    sheet = tmp_path / "demo-1.jsonl"
    sheet.write_text(json.dumps(_row(1, "a-rule", "")) + "\n" + json.dumps(_row(2, "a-rule", "maybe")) + "\n"
                     + json.dumps(_row(3, "a-rule", "true", reason="ok")) + "\n", encoding="utf-8")
    assert tool.record(sheet, tmp_path / "ledger") == 1
    errors = capsys.readouterr().err
    assert "demo-1.jsonl:1" in errors and "demo-1.jsonl:2" in errors and "demo-1.jsonl:3: reason" in errors
    assert not (tmp_path / "ledger").exists()
