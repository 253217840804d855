"""Snapshot every finding of a review and compare two snapshots: the check a refactor must pass.

    python scripts/compare_findings.py snapshot OUT.json TREE [TREE ...] [-- secreview options...]
    python scripts/compare_findings.py diff BEFORE.json AFTER.json

`snapshot` reviews each TREE with everything visible (low confidence, test
code, the audit profile, no configuration, no cache) so that a change of confidence or of test-code
handling shows up too, and writes one JSON object: tree -> sorted list of
findings reduced to what a user sees (rule, path, lines, CWE, severity,
confidence, message, evidence: whether the default profile shows it) plus the files that were not
analysed (the report's `errors`).

`diff` prints the findings only in one snapshot, per tree and per rule, and
exits 1 when the snapshots differ.  Use it before and after a refactor:

    git stash; python scripts/compare_findings.py snapshot /tmp/before.json tests/fixtures /path/to/nova ...
    git stash pop; python scripts/compare_findings.py snapshot /tmp/after.json tests/fixtures /path/to/nova ...
    python scripts/compare_findings.py diff /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from secreview_run import review_json, split_at_double_dash  # noqa: E402  (a sibling script module)

EVERYTHING_VISIBLE = ["--min-confidence", "low", "--include-tests", "--profile", "audit", "--no-config", "--no-cache", "-q"]
KEPT = ("rule_id", "severity", "confidence", "message", "evidence")  # evidence: shown by default or audit only


def review(tree: Path, extra: list[str]) -> dict:
    return review_json(tree, [*EVERYTHING_VISIBLE, *extra])


def reduce(report: dict) -> dict:
    findings = []
    for finding in report["findings"]:
        location = finding["location"]
        kept = {key: finding.get(key) for key in KEPT}
        kept.update(path=location["path"], line=location["start_line"], end_line=location["end_line"],
                    cwe=finding["cwe"]["id"])
        findings.append(kept)
    findings.sort(key=lambda f: (f["path"], f["line"], f["rule_id"], f["message"]))
    not_analysed = sorted(json.dumps(entry, sort_keys=True) for entry in report.get("errors", []))
    return {"findings": findings, "not_analysed": not_analysed}


def snapshot(out: Path, trees: list[Path], extra: list[str]) -> None:
    result = {}
    for tree in trees:
        reduced = reduce(review(tree.resolve(), extra))
        result[tree.resolve().name] = reduced  # by name: checkouts in other folders compare
        print(f"{tree}: {len(reduced['findings'])} findings, {len(reduced['not_analysed'])} not analysed",
              file=sys.stderr)
    out.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


def _keys(findings: list[dict], fields: set[str]) -> Counter:
    return Counter(json.dumps({key: f.get(key) for key in fields}, sort_keys=True) for f in findings)


def _fields(findings: list[dict]) -> set[str]:
    return set(findings[0]) if findings else set()


def diff(before_path: Path, after_path: Path) -> int:
    before = json.loads(before_path.read_text(encoding="utf-8"))
    after = json.loads(after_path.read_text(encoding="utf-8"))
    differs = False
    for tree in sorted(set(before) | set(after)):
        old, new = before.get(tree), after.get(tree)
        if old is None or new is None:
            print(f"{tree}: only in {'after' if old is None else 'before'}")
            differs = True
            continue
        # compared on the fields both snapshots recorded (an older snapshot may lack `evidence`)
        fields = (_fields(old["findings"]) & _fields(new["findings"])) or _fields(old["findings"]) | _fields(new["findings"])
        gone = _keys(old["findings"], fields) - _keys(new["findings"], fields)
        added = _keys(new["findings"], fields) - _keys(old["findings"], fields)
        skipped = set(old["not_analysed"]) ^ set(new["not_analysed"])
        print(f"{tree}: {len(old['findings'])} -> {len(new['findings'])} findings; "
              f"{sum(gone.values())} gone, {sum(added.values())} new, {len(skipped)} not-analysed changes")
        for sign, changed in (("-", gone), ("+", added)):
            for key in sorted(changed):
                f = json.loads(key)
                shown = f", default ({f['evidence']})" if f.get("evidence") else ""
                print(f"  {sign} {f['path']}:{f['line']} {f['rule_id']} [{f['severity']}/{f['confidence']}{shown}] "
                      f"{f['message'][:100]}")
        for entry in sorted(skipped):
            print(f"  ~ not analysed: {entry}")
        differs = differs or bool(gone or added or skipped)
    return 1 if differs else 0


def main(argv: list[str] | None = None) -> int:
    argv, extra = split_at_double_dash(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot", help="review trees and write their findings")
    take.add_argument("out", type=Path)
    take.add_argument("trees", type=Path, nargs="+")
    compare = commands.add_parser("diff", help="compare two snapshots; exit 1 when they differ")
    compare.add_argument("before", type=Path)
    compare.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        snapshot(args.out, args.trees, extra)
        return 0
    return diff(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
