"""Regenerate the generated parts of README.md: the rules table and the sample output.

    python scripts/update_readme_rules.py          # rewrite README.md in place
    python scripts/update_readme_rules.py --check  # exit 1 if README.md is stale

tests/test_readme.py fails when the table is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secreview import engine
from secreview.cli import _rule_row, rules_markdown
from secreview.model import Report
from secreview.report import text as text_report
from secreview.rules import all_rules
from secreview.sources import SourceFile

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = "examples/vulnerable_app.py"
SAMPLE_RULES = ("subprocess-shell-true", "file-created-without-exclusive-flag")


def _replace_between(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}{end}{tail}"


def sample_output() -> str:
    """Two findings of the example, as `secreview examples/vulnerable_app.py` prints them."""
    source = SourceFile(EXAMPLE, (ROOT / EXAMPLE).read_text(encoding="utf-8"), "python")
    report = engine.analyze([source], all_rules(), engine.Settings())
    chosen = tuple(f for f in report.findings if f.rule_id in SAMPLE_RULES)
    shown = text_report.render(Report(findings=chosen, files_analysed=1))
    command = f"$ secreview {EXAMPLE}   # {len(chosen)} of its {len(report.findings)} findings"
    return f"```text\n{command}\n{shown}```\n"


def render_readme(text: str) -> str:
    table = rules_markdown([_rule_row(rule) for rule in all_rules()])
    return _replace_between(_replace_between(text, "rules", table), "sample", sample_output())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, do not write")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    wanted = render_readme(current)
    if current == wanted:
        return 0
    if args.check:
        print("README.md rules table is stale: run python scripts/update_readme_rules.py", file=sys.stderr)
        return 1
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
