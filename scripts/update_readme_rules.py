"""Regenerate the generated documents: docs/rules.md (the rules table) and README.md's parts
(the rule count and the sample output).

    python scripts/update_readme_rules.py          # rewrite them in place
    python scripts/update_readme_rules.py --check  # exit 1 if either is stale

tests/test_readme.py fails when they are out of date.
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
RULES_DOC = ROOT / "docs" / "rules.md"
EXAMPLE = "examples/vulnerable_app.py"
SAMPLE_RULES = ("subprocess-shell-true", "tls-verification-disabled")


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


def rules_table() -> str:
    return rules_markdown([_rule_row(rule) for rule in all_rules()])


def render_rules_doc(text: str) -> str:
    return _replace_between(text, "rules", rules_table())


def render_readme(text: str) -> str:
    count = rules_table().rstrip("\n").rsplit("\n", 1)[-1] + "\n"  # "N rules covering ..."
    return _replace_between(_replace_between(text, "rules-count", count), "sample", sample_output())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, do not write")
    args = parser.parse_args()
    stale = []
    for path, render in ((README, render_readme), (RULES_DOC, render_rules_doc)):
        current = path.read_text(encoding="utf-8")
        wanted = render(current)
        if current != wanted:
            stale.append(path)
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    if stale and args.check:
        names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
        print(f"{names} stale: run python scripts/update_readme_rules.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
