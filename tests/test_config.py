"""Configuration: files found and validated, flags over files, `secreview config`."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow import secreview, write

from secreview import config

SHELL = 'import subprocess\n\n\ndef run(name):\n    subprocess.run("ls " + name, shell=True)\n'
PICKLE = 'import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n'


def test_pyproject_table_is_found_above_the_reviewed_paths(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\n'
                                       '[tool.secreview]\nignore = ["subprocess-shell-true"]\n',
                     "src/app.py": SHELL})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = secreview(elsewhere, str(tmp_path / "src"), capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 0, run.stdout


def test_secreview_toml_wins_and_a_pyproject_without_our_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path, {"secreview.toml": 'min-severity = "high"\n', "pyproject.toml": "[tool.secreview]\n",
                     "pkg/pyproject.toml": '[project]\nname = "pkg"\n'})
    assert config.discover(tmp_path / "pkg") == tmp_path / "secreview.toml"
    assert config.load(tmp_path / "secreview.toml").values == {"min-severity": "high"}


@pytest.mark.parametrize("text, message", [
    ('[tool.secreview]\nmin_sevrity = "high"\n', "unknown key 'min_sevrity'"),
    ('[tool.secreview]\njobs = "four"\n', "'jobs' must be a positive integer"),
    ('[tool.secreview]\nmin-severity = "urgent"\n', "unknown severity 'urgent'"),
    ('[tool.secreview]\nper-path-ignores = { "tests/*" = 3 }\n', "'per-path-ignores'"),
    ('[tool.secreview]\ndiff-scope = "hunk"\n', "must be one of line, function, file"),
    ("[tool.secreview\n", "not valid TOML"),
])
def test_bad_configuration_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(config.ConfigError) as error:
        config.load(tmp_path / "pyproject.toml")
    assert message in str(error.value) and str(tmp_path / "pyproject.toml") in str(error.value)


def test_unknown_rule_id_in_the_file_is_an_error_exit_two(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"secreview.toml": 'select = ["no-such-rule"]\n', "a.py": SHELL})
    run = secreview(tmp_path, "a.py", capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 2
    assert "secreview.toml" in run.stderr and "'select' names unknown rule id(s): no-such-rule" in run.stderr


def test_flags_override_the_file(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"secreview.toml": 'ignore = ["subprocess-shell-true"]\nmin-severity = "critical"\n',
                     "a.py": SHELL})
    assert secreview(tmp_path, "a.py", capsys=capsys, monkeypatch=monkeypatch).status == 0
    run = secreview(tmp_path, "a.py", "--ignore", "pickle-unsafe-load", "--min-severity", "low",
                    capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 1 and "subprocess-shell-true" in run.stdout
    assert secreview(tmp_path, "a.py", "--no-config", capsys=capsys, monkeypatch=monkeypatch).status == 1


def test_config_command_shows_values_and_origins(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.secreview]\nmin-severity = "medium"\nexclude = ["build/"]\n'
                                       'per-path-ignores = { "scripts/*" = ["hardcoded-*"] }\n'})
    run = secreview(tmp_path, "config", "--jobs", "3", capsys=capsys, monkeypatch=monkeypatch)
    label = f"{(tmp_path / 'pyproject.toml').resolve()} [tool.secreview]"
    assert run.status == 0
    assert f'min-severity = "medium"  # {label}' in run.stdout
    assert f'exclude = ["build/"]  # {label}' in run.stdout
    assert f'per-path-ignores = {{ "scripts/*" = ["hardcoded-*"] }}  # {label}' in run.stdout
    assert "jobs = 3  # --jobs" in run.stdout
    assert 'min-confidence = "medium"  # default' in run.stdout
    assert f"# project root (test code, fingerprints, exclude globs): {tmp_path.resolve()}" in run.stdout


def test_per_path_ignores_and_exclude_are_relative_to_the_project_root(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"secreview.toml": 'exclude = ["generated/"]\n'
                                       'per-path-ignores = { "tools/*.py" = ["pickle-*"] }\n',
                     "generated/a.py": SHELL, "tools/load.py": PICKLE, "src/load.py": PICKLE})
    run = secreview(tmp_path / "src", str(tmp_path), "-f", "json", "--no-cache", capsys=capsys,
                    monkeypatch=monkeypatch)
    data = run.json
    assert [f["location"]["path"] for f in data["findings"]] == [str(tmp_path / "src" / "load.py")]
    hidden = data["suppressed"]
    assert [(f["location"]["path"], f["suppression"]["reason"]) for f in hidden] == \
        [(str(tmp_path / "tools" / "load.py"), "per-path-ignore")]
    assert "secreview.toml" in hidden[0]["suppression"]["justification"]
    assert data["summary"]["files_analysed"] == 2, "generated/ is excluded"


def test_llm_table_comes_through_the_same_loader(tmp_path: Path) -> None:
    write(tmp_path, {"secreview.toml": '[llm]\nmodel = "local"\ncache_dir = "c"\n'})
    loaded = config.load(tmp_path / "secreview.toml")
    assert loaded.llm == {"model": "local", "cache_dir": str((tmp_path / "c").resolve())}
    assert loaded.values == {}
