"""Command line: argv in, report out, exit status.  The only place that writes.

    secreview [OPTIONS] [PATH ...]     review files, directories, `-` (stdin)
    secreview rules [--format json]    list the rules
    secreview explain RULE-ID          show a rule's documentation

Exit status: 0 no defect found, 1 defects found, 2 usage error, I/O error or
an incomplete run (a file that could not be analysed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from secreview import __version__, cwe, engine, llm, report as reporting, sources
from secreview.model import Confidence, Report, Severity
from secreview.rules import Rule, all_rules, rule_by_id

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("rules", "explain")


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "rules":
            return _cmd_rules(args[1:])
        if args and args[0] == "explain":
            return _cmd_explain(args[1:])
        return _cmd_review(args)
    except UsageError as error:
        print(f"secreview: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return 130


def _review_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secreview",
        description="Review source code for security defects, reported by CWE and CWE-1000 pillar.",
        epilog="Other commands: 'secreview rules' lists the rules, 'secreview explain RULE-ID' documents one. "
               "Exit status: 0 no defect, 1 defects found, 2 error or incomplete run.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to review ('-' reads stdin; default: .)")
    parser.add_argument("--version", action="version", version=f"secreview {__version__}")
    parser.add_argument("-f", "--format", choices=reporting.FORMATS, default="text")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--min-severity", default="low", metavar="LEVEL",
                        help="hide findings below LEVEL: low, medium, high, critical (default: low)")
    parser.add_argument("--min-confidence", default="medium", metavar="LEVEL",
                        help="hide findings below LEVEL: low, medium, high (default: medium)")
    parser.add_argument("--select", action="append", default=[], metavar="IDS",
                        help="only run these rule ids (comma separated, repeatable; 'prefix*' allowed)")
    parser.add_argument("--ignore", action="append", default=[], metavar="IDS",
                        help="do not run these rule ids (comma separated, repeatable; 'prefix*' allowed)")
    parser.add_argument("--language", metavar="LANG",
                        help="language of stdin or of files whose extension does not say it (python)")
    parser.add_argument("--prompt", action="append", default=[], metavar="FILE",
                        help="review the numbered code inside a review prompt (repeatable)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="gitignore-style pattern of paths to skip in directories (repeatable)")
    parser.add_argument("--dataflow-budget", type=int, default=engine.Settings.dataflow_budget, metavar="STEPS",
                        help="dataflow steps per file before its analysis stops and the file is reported "
                             f"incomplete (default: {engine.Settings.dataflow_budget})")
    parser.add_argument("--max-file-size", type=int, default=sources.DEFAULT_MAX_FILE_SIZE, metavar="BYTES",
                        help=f"skip (and report) larger files (default: {sources.DEFAULT_MAX_FILE_SIZE})")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text report (default: auto, only on a terminal)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print notes on stderr")
    llm.add_arguments(parser)
    return parser


def _split_ids(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _settings(args: argparse.Namespace) -> engine.Settings:
    try:
        settings = engine.Settings(
            select=_split_ids(args.select),
            ignore=_split_ids(args.ignore),
            min_severity=Severity.parse(args.min_severity),
            min_confidence=Confidence.parse(args.min_confidence),
            dataflow_budget=args.dataflow_budget,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    known = {rule.id for rule in all_rules()}
    for rule_id in settings.select + settings.ignore:
        if not rule_id.endswith("*") and rule_id not in known:
            raise UsageError(f"unknown rule id {rule_id!r} (see 'secreview rules')")
    return settings


def _cmd_review(argv: list[str]) -> int:
    parser = _review_parser()
    args = parser.parse_args(argv)
    settings = _settings(args)
    if args.language and args.language not in _languages():
        raise UsageError(f"unsupported language {args.language!r} (supported: {', '.join(_languages())})")
    if args.max_file_size <= 0:
        raise UsageError("--max-file-size must be positive")
    if args.dataflow_budget <= 0:
        raise UsageError("--dataflow-budget must be positive")
    paths = args.paths or ([] if args.prompt else ["."])
    stdin_bytes = sys.stdin.buffer.read() if "-" in paths else None
    options = sources.ReadOptions(max_file_size=args.max_file_size, language=args.language,
                                  exclude=tuple(args.exclude))
    collected = sources.collect(paths, options, stdin_bytes)
    prompt_options = sources.ReadOptions(max_file_size=args.max_file_size, language=args.language,
                                         force_prompt=True)
    prompted = sources.collect(args.prompt, prompt_options)
    collected.sources.extend(prompted.sources)
    collected.problems.extend(prompted.problems)
    collected.notes.extend(prompted.notes)

    rules = all_rules()
    result = engine.analyze(collected.sources, rules, settings, collected.problems)
    notes = list(collected.notes)
    result = _llm_review(args, collected.sources, rules, settings, result, notes)
    if result.hidden_by_filters:
        notes.append(f"{result.hidden_by_filters} finding(s) hidden by --min-severity/--min-confidence")
    color = args.color == "always" or (args.color == "auto" and args.output is None and _stdout_is_tty())
    rendered = reporting.render(result, args.format, engine.select_rules(rules, settings),
                                color=color, notes=notes)
    if not _write(rendered, args.output):
        return EXIT_ERROR
    if not args.quiet and args.format == "text":
        for note in notes:
            print(f"secreview: note: {note}", file=sys.stderr)
    return _exit_status(result)


def _llm_review(args: argparse.Namespace, reviewed: Sequence[sources.SourceFile], rules: Sequence[type[Rule]],
                settings: engine.Settings, result: Report, notes: list[str]) -> Report:
    """The optional model reviewer: only with --llm does any code leave this process."""
    if not args.llm:
        if llm.flags_given(args):
            notes.append("--llm-* options have no effect without --llm")
        return result
    try:
        llm_config = llm.config_from_args(args, Path.cwd())
        reviewed_report, llm_notes = llm.run(result, reviewed, rules, settings, llm_config, os.environ)
    except llm.ConfigError as error:
        raise UsageError(str(error)) from None
    notes.extend(llm_notes)
    return reviewed_report


def _exit_status(result: Report) -> int:
    if result.incomplete:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


def _write(text: str, output: str | None) -> bool:
    """Write the report; to a file atomically so a failure never leaves half a report."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    directory = os.path.dirname(os.path.abspath(output))
    try:
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, delete=False,
                                             prefix=".secreview-", suffix=".tmp")
        with handle:
            handle.write(text)
        os.replace(handle.name, output)
    except OSError as error:
        print(f"secreview: error: cannot write report to {output}: {error.strerror or error}", file=sys.stderr)
        sys.stdout.write(text)  # never lose the report
        return False
    return True


def _languages() -> tuple[str, ...]:
    from secreview import lang
    return lang.supported_languages()


def _rule_row(rule: type[Rule]) -> dict:
    entry = cwe.lookup(rule.cwe)
    return {
        "id": rule.id, "language": rule.language, "cwe": rule.cwe, "cwe_name": entry.name,
        "pillar": entry.pillar, "pillar_name": entry.pillar_name,
        "severity": rule.severity.value, "confidence": rule.confidence.value, "summary": rule.summary(),
    }


def _cmd_rules(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="secreview rules", description="List secreview's rules.")
    parser.add_argument("-f", "--format", choices=("text", "json", "markdown"), default="text")
    args = parser.parse_args(argv)
    rows = [_rule_row(rule) for rule in all_rules()]
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_CLEAN
    if args.format == "markdown":
        sys.stdout.write(rules_markdown(rows))
        return EXIT_CLEAN
    width = max(len(row["id"]) for row in rows)
    for row in rows:
        print(f"{row['id']:<{width}}  {row['language']:<7} CWE-{row['cwe']:<5} pillar CWE-{row['pillar']}  "
              f"{row['severity']:<8} {row['confidence']:<6} {row['summary']}")
    print(f"\n{len(rows)} rules, {len({r['pillar'] for r in rows})} pillars")
    return EXIT_CLEAN


def rules_markdown(rows: list[dict]) -> str:
    """The rules table of the README (kept in sync by a test)."""
    lines = ["| rule | language | CWE | pillar | severity | confidence | what it finds |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| `{row['id']}` | {row['language']} | CWE-{row['cwe']} | CWE-{row['pillar']} | "
                     f"{row['severity']} | {row['confidence']} | {row['summary']} |")
    pillars = len({row["pillar"] for row in rows})
    lines.append("")
    lines.append(f"{len(rows)} rules covering {pillars} of the 10 CWE-1000 pillars.")
    return "\n".join(lines) + "\n"


def _cmd_explain(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="secreview explain", description="Show a rule's documentation.")
    parser.add_argument("rule_id", metavar="RULE-ID")
    args = parser.parse_args(argv)
    rule = rule_by_id(args.rule_id)
    if rule is None:
        raise UsageError(f"unknown rule id {args.rule_id!r} (see 'secreview rules')")
    row = _rule_row(rule)
    print(f"{rule.id} ({rule.language})\n"
          f"CWE-{row['cwe']}: {row['cwe_name']}\n"
          f"Pillar: CWE-{row['pillar']}: {row['pillar_name']}\n"
          f"Severity: {row['severity']}, confidence: {row['confidence']}\n")
    print(rule.documentation())
    return EXIT_CLEAN
