"""Baselines: accepted findings stay hidden through unrelated edits; new ones are reported."""

from __future__ import annotations

import json
from pathlib import Path

from workflow import secreview, write

CODE = '''import pickle
import subprocess


def run(name):
    subprocess.run("ls " + name, shell=True)


def load(blob):
    return pickle.loads(blob)
'''


def test_written_baseline_hides_what_it_accepted(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": CODE})
    first = secreview(tmp_path, "app.py", "--write-baseline", "baseline.json", "-f", "json", "--no-cache",
                      capsys=capsys, monkeypatch=monkeypatch)
    assert first.status == 0, "a run that writes the baseline accepts what it found"
    saved = json.loads((tmp_path / "baseline.json").read_text())
    assert saved["version"] == 1 and {e["rule_id"] for e in saved["findings"]} == \
        {"subprocess-shell-true", "pickle-unsafe-load"}
    again = secreview(tmp_path, "app.py", "--baseline", "baseline.json", "-f", "json", "--no-cache",
                      capsys=capsys, monkeypatch=monkeypatch)
    assert again.status == 0 and again.json["summary"]["suppressed"] == {"baseline": 2}


def test_baseline_survives_inserted_lines_and_reindenting(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": CODE})
    secreview(tmp_path, "app.py", "--write-baseline", "baseline.json", "--no-cache", capsys=capsys,
              monkeypatch=monkeypatch)
    shifted = CODE.replace("import pickle\n", '"""Module docstring."""\n\nimport logging\nimport pickle\n\n\n')
    shifted = shifted.replace("def run(name):\n    subprocess.run(",
                              "def run(name):\n    if name:\n        subprocess.run(")
    write(tmp_path, {"app.py": shifted})
    run = secreview(tmp_path, "app.py", "--baseline", "baseline.json", "-f", "json", "--no-cache",
                    capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 0 and run.findings() == []
    assert [f["location"]["start_line"] for f in run.json["suppressed"]] != \
        [e["line"] for e in json.loads((tmp_path / "baseline.json").read_text())["findings"]], "lines did move"


def test_new_and_edited_findings_are_reported(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": CODE})
    secreview(tmp_path, "app.py", "--write-baseline", "baseline.json", "--no-cache", capsys=capsys,
              monkeypatch=monkeypatch)
    edited = CODE.replace('"ls " + name', '"ls -la " + name') + "\n\ndef again(data):\n    return pickle.loads(data)\n"
    write(tmp_path, {"app.py": edited})
    run = secreview(tmp_path, "app.py", "--baseline", "baseline.json", "-f", "json", "--no-cache",
                    capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 1
    assert sorted(rule for _, _, rule in run.findings()) == ["pickle-unsafe-load", "subprocess-shell-true"]
    assert run.json["summary"]["suppressed"] == {"baseline": 1}


def test_baseline_matches_from_another_working_directory(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"secreview.toml": 'baseline = "baseline.json"\n', "src/app.py": CODE})
    assert secreview(tmp_path, "src", "--write-baseline", "baseline.json", "--no-cache", capsys=capsys,
                     monkeypatch=monkeypatch).status == 0
    run = secreview(tmp_path / "src", ".", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 0, "fingerprints use the path below the project root, whatever the cwd"


def test_bad_baseline_is_a_clear_error(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": CODE, "bad.json": "[1, 2]", "broken.json": "{"})
    for name, message in (("missing.json", "write one with --write-baseline"),
                          ("bad.json", "not a secreview baseline"), ("broken.json", "not JSON")):
        run = secreview(tmp_path, "app.py", "--baseline", name, capsys=capsys, monkeypatch=monkeypatch)
        assert run.status == 2 and message in run.stderr, run.stderr
