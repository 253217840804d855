"""The README is the front door: its generated parts and commands stay true."""

from __future__ import annotations

import importlib.util

from conftest import REPO


def _script():
    spec = importlib.util.spec_from_file_location("update_readme_rules", REPO / "scripts" / "update_readme_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_rule_count_and_sample_are_current() -> None:
    current = (REPO / "README.md").read_text(encoding="utf-8")
    assert current == _script().render_readme(current), "run: python scripts/update_readme_rules.py"


def test_rules_document_is_current() -> None:
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == _script().render_rules_doc(current), "run: python scripts/update_readme_rules.py"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "pytest" in line)
    assert command in readme
