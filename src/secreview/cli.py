"""Command line: argv in, report out, exit status.  The only place that writes.

    secreview [OPTIONS] [PATH ...]     review files, directories, `-` (stdin)
    secreview --diff [BASE] [PATH ...] review what changed since BASE (git work tree)
    secreview rules [--format json]    list the rules
    secreview explain RULE-ID          show a rule's documentation
    secreview config [OPTIONS] [PATH]  show the effective settings and where each comes from
    secreview cache clear|info         manage the per-file result cache

Exit status: 0 no defect found, 1 defects found, 2 usage error, I/O error or
an incomplete run (a file that could not be analysed), 3 an internal error
outside the analysis of a file (a bug: the traceback is printed).  Findings that
are suppressed, baselined, in test code or below the filters never make it 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import stat
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from secreview import (
    __version__,
    baseline,
    changes,
    config,
    cwe,
    engine,
    fixes,
    gitdiff,
    llm,
    resultcache,
    sources,
    triage,
)
from secreview import (
    report as reporting,
)
from secreview.model import PROFILES, Analysis, Confidence, Fix, LlmSummary, Report, Severity
from secreview.report import summary
from secreview.rules import Rule, all_rules, rule_by_id
from secreview.scan import command

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
SUBCOMMANDS = ("rules", "explain", "config", "cache", "scan", "db")
_DIFF_DEFAULT_BASE = ""  # `--diff` without a revision
_FORMATS_WITH_NOTES = ("json", "sarif", "markdown")  # the others print notes on stderr


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = dict(zip(SUBCOMMANDS, (_cmd_rules, _cmd_explain, _cmd_config, _cmd_cache, command.cmd_scan,
                                      command.cmd_db)))
    try:
        if args and args[0] in commands:
            return commands[args[0]](args[1:])
        return _cmd_review(args)
    except (UsageError, config.ConfigError, gitdiff.GitError, changes.DiffError, baseline.BaselineError,
            command.ScanUsageError) as error:
        print(f"secreview: error: {summary.visible(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - a bug outside the analysis of a file: never mistaken for "defects found"
        traceback.print_exc(file=sys.stderr)
        print(f"secreview: internal error (exit status {EXIT_INTERNAL}); please report it with the traceback above",
              file=sys.stderr)
        return EXIT_INTERNAL


# -- options ---------------------------------------------------------------------------------------

def _review_parser(prog: str = "secreview") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Review source code for security defects, reported by CWE and CWE-1000 pillar.",
        epilog="Other commands: 'secreview rules', 'secreview explain RULE-ID', 'secreview config', "
               "'secreview cache clear', 'secreview scan' (many repositories into a database), 'secreview db'. Settings also come from secreview.toml or [tool.secreview] in "
               "pyproject.toml; flags win. Exit status: 0 no defect, 1 defects found, 2 error or incomplete run, "
               "3 internal error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to review ('-' reads stdin; default: .)")
    parser.add_argument("--version", action="version", version=f"secreview {__version__}")
    _output_options(parser)
    _selection_options(parser)
    _change_options(parser)
    _suppression_options(parser)
    _speed_options(parser)
    llm.add_arguments(parser)
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("-f", "--format", choices=reporting.FORMATS, default="text",
                       help="text (default), json, sarif, markdown (a pull-request comment), "
                            "github (workflow annotations)")
    group.add_argument("-o", "--output", metavar="FILE",
                       help="write the report to FILE instead of stdout (never over an input of the review, nor "
                            "over a file that is not an earlier report unless --force)")
    group.add_argument("--force", action="store_true",
                       help="let -o (--write-baseline) replace a file that is not an earlier report (baseline)")
    group.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text report (default: auto, only on a terminal)")
    group.add_argument("-q", "--quiet", action="store_true", help="no notes and no progress bar on stderr")
    group.add_argument("--fix", action="store_true",
                       help="apply the safe fixes of the findings shown to the reviewed files (the report is the "
                            "review before fixing)")
    group.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix, also apply fixes that change behaviour and need a reviewer's look")


def _selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("what to review and report")
    group.add_argument("--config", metavar="FILE", help="read settings from FILE (secreview.toml or pyproject.toml)")
    group.add_argument("--no-config", action="store_true", help="ignore configuration files")
    group.add_argument("--min-severity", metavar="LEVEL",
                       help="hide findings below LEVEL: low, medium, high, critical (default: low)")
    group.add_argument("--min-confidence", metavar="LEVEL",
                       help="hide findings below LEVEL: low, medium, high (default: medium)")
    group.add_argument("--select", action="append", metavar="IDS",
                       help="only run these rule ids (comma separated, repeatable; 'prefix*' allowed)")
    group.add_argument("--ignore", action="append", metavar="IDS",
                       help="do not run these rule ids (comma separated, repeatable; 'prefix*' allowed)")
    group.add_argument("--include-tests", action=argparse.BooleanOptionalAction,
                       help="show findings in test code (default: hidden and counted)")
    group.add_argument("--profile", choices=PROFILES,
                       help="default: findings with evidence (attacker data reaching them, an insecure use with "
                            "no safe reading, or a rule proven on real code); audit: also the hardening and "
                            "code-quality checks (default: default)")
    group.add_argument("--language", metavar="LANG",
                       help="language of stdin or of files whose extension does not say it")
    group.add_argument("--include-dir", action="append", metavar="DIR",
                       help="C/C++: read macros from headers found in DIR (repeatable; with compile_commands.json)")
    group.add_argument("--prompt", action="append", default=[], metavar="FILE",
                       help="review the numbered code inside a review prompt (repeatable)")
    group.add_argument("--exclude", action="append", metavar="GLOB",
                       help="gitignore-style pattern of paths to skip, relative to the project root (repeatable)")
    group.add_argument("--max-file-size", type=int, metavar="BYTES",
                       help=f"skip (and report) larger files (default: {sources.DEFAULT_MAX_FILE_SIZE})")
    group.add_argument("--dataflow-budget", type=int, metavar="STEPS",
                       help="dataflow steps per file before its analysis stops and the file is reported "
                            f"incomplete (default: {engine.Settings.dataflow_budget})")


def _change_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("reviewing a change")
    group.add_argument("--diff", nargs="?", const=_DIFF_DEFAULT_BASE, metavar="BASE",
                       help="review what changed in the git work tree since BASE (default: the merge base "
                            "with the default branch, or HEAD for uncommitted work); '--diff -' reads a "
                            "unified diff from stdin")
    group.add_argument("--diff-scope", choices=config.DIFF_SCOPES,
                       help="report findings on changed lines (default), in changed functions, or in whole "
                            "changed files")


def _suppression_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("suppressions and baselines")
    group.add_argument("--honor-foreign-suppressions", action=argparse.BooleanOptionalAction,
                       help="respect # nosec, # noqa: S..., # nosemgrep where they map to our rules")
    group.add_argument("--report-unused-suppressions", action="store_true",
                       help="note suppression comments that suppress nothing")
    group.add_argument("--baseline", metavar="FILE", help="hide the findings accepted in FILE")
    group.add_argument("--write-baseline", metavar="FILE",
                       help="write every finding of this run to FILE as accepted (then report them as such)")


def _speed_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("speed")
    group.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="analyse files in N processes (default: the number of CPUs)")
    group.add_argument("--cache", action=argparse.BooleanOptionalAction,
                       help="reuse per-file results of earlier runs (default: on)")
    group.add_argument("--cache-dir", metavar="DIR",
                       help="result cache directory (default: $XDG_CACHE_HOME/secreview or ~/.cache/secreview)")
    group.add_argument("--file-timeout", type=float, metavar="SECONDS",
                       help="stop analysing a file after SECONDS and report it incomplete; a file that does not "
                            f"stop is killed (default: {engine.DEFAULT_FILE_TIMEOUT:g}; 0: no limit)")
    group.add_argument("--file-memory-limit", type=int, metavar="MIB",
                       help="stop analysing a file that needs more than MIB more memory and report it incomplete "
                            f"(default: {engine.DEFAULT_FILE_MEMORY}; 0: no limit)")


def _split_ids(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _flag_values(args: argparse.Namespace) -> dict[str, object]:
    """Flags as configuration values (None: not given), checked like the file's values."""
    raw = {
        "select": _split_ids(args.select) if args.select is not None else None,
        "ignore": _split_ids(args.ignore) if args.ignore is not None else None,
        "min-severity": args.min_severity,
        "min-confidence": args.min_confidence,
        "exclude": tuple(args.exclude) if args.exclude is not None else None,
        "max-file-size": args.max_file_size,
        "jobs": args.jobs,
        "include-tests": args.include_tests,
        "profile": args.profile,
        "include-dir": tuple(map(os.path.abspath, args.include_dir)) if args.include_dir else None,
        "honor-foreign-suppressions": args.honor_foreign_suppressions,
        "dataflow-budget": args.dataflow_budget,
        "file-timeout": args.file_timeout,
        "file-memory-limit": args.file_memory_limit,
        "baseline": os.path.abspath(args.baseline) if args.baseline else None,
        "diff-scope": args.diff_scope,
        "cache": args.cache,
        "cache-dir": os.path.abspath(args.cache_dir) if args.cache_dir else None,
    }
    checked = {}
    for key, value in raw.items():
        if value is None:
            continue
        try:
            checked[key] = config.KEYS[key].check(list(value) if isinstance(value, tuple) else value)
        except ValueError as error:
            raise UsageError(f"--{key}: {error}") from None
    return checked


# -- one review: its settings ------------------------------------------------------------------------

@dataclass
class _Run:
    """A review being prepared: options, effective settings, and notes for the user."""

    args: argparse.Namespace
    effective: config.Effective
    project_root: Path
    paths: list[str]
    diff: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def scope_kind(self) -> str:
        return str(self.effective["diff-scope"])


def _prepare(args: argparse.Namespace, overrides: Mapping[str, object] | None = None) -> _Run:
    """`overrides`: checked configuration values between the configuration file and the flags."""
    diff, paths = _diff_request(args)
    start = config.common_directory(paths or ["."])
    loaded = _load_config(args, start)
    if overrides:
        loaded = dataclasses.replace(loaded, values={**loaded.values, **overrides})
    effective = config.resolve(loaded, _flag_values(args))
    known = [rule.id for rule in all_rules()]
    config.check_rule_ids(loaded.values, known, loaded.label)
    config.check_rule_ids(effective.values, known, "command line")
    if args.language and args.language not in _languages():
        raise UsageError(f"unsupported language {args.language!r} (supported: {', '.join(_languages())})")
    if diff is not None:
        _check_diff_options(args, paths)
    return _Run(args, effective, config.find_project_root(loaded, start), paths, diff)


def _check_diff_options(args: argparse.Namespace, paths: list[str]) -> None:
    if args.write_baseline:
        raise UsageError("--write-baseline records whole files: run it without --diff")
    if args.prompt or "-" in paths:
        raise UsageError("--diff reviews files of a work tree: it cannot be combined with --prompt or '-' "
                         "(use '--diff -' to read a diff from stdin)")


def _diff_request(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """(--diff value, paths), disambiguated like git: `--diff src/` names a path when src/ is no revision."""
    paths = list(args.paths)
    value = args.diff
    if value not in (None, _DIFF_DEFAULT_BASE, "-") and os.path.exists(value) \
            and not gitdiff.is_revision(value, Path.cwd()):
        return _DIFF_DEFAULT_BASE, [value, *paths]
    return value, paths


def _load_config(args: argparse.Namespace, start: Path) -> config.ConfigFile:
    if args.config or args.no_config:
        return config.load_for(args.config, start, use_files=not args.no_config)
    found = config.discover(start) or config.discover(Path.cwd().resolve())
    return config.load(found) if found is not None else config.ConfigFile(None)


def _settings(run: _Run, accepted: frozenset[str]) -> engine.Settings:
    values = run.effective
    baseline_file = values["baseline"]
    return engine.Settings(
        select=tuple(values["select"]),  # type: ignore[arg-type]
        ignore=tuple(values["ignore"]),  # type: ignore[arg-type]
        min_severity=Severity.parse(str(values["min-severity"])),
        min_confidence=Confidence.parse(str(values["min-confidence"])),
        dataflow_budget=int(values["dataflow-budget"]),  # type: ignore[arg-type]
        include_tests=bool(values["include-tests"]),
        profile=str(values["profile"]),
        include_dirs=tuple(values["include-dir"]),  # type: ignore[arg-type]
        honor_foreign_suppressions=bool(values["honor-foreign-suppressions"]),
        per_path_ignores=values["per-path-ignores"],  # type: ignore[arg-type]
        per_path_ignores_origin=values.origins["per-path-ignores"],
        baseline=accepted,
        baseline_origin=str(run.args.write_baseline or baseline_file or "the baseline"),
        project_root=str(run.project_root),
        file_timeout=values["file-timeout"] or None,  # type: ignore[arg-type]
        file_memory=values["file-memory-limit"] or None,  # type: ignore[arg-type]
    )


def _read_baseline(run: _Run) -> frozenset[str]:
    path = run.effective["baseline"]
    if not path or run.args.write_baseline:
        return frozenset()  # writing a baseline accepts everything found: the old one is not needed
    try:
        content = sources.read_limited(str(path), int(run.effective["max-file-size"]))  # type: ignore[arg-type]
    except sources.NotReadable as refused:
        raise UsageError(f"cannot read baseline {path}: {refused}") from None
    except OSError as error:
        hint = " (write one with --write-baseline FILE)" if isinstance(error, FileNotFoundError) else ""
        raise UsageError(f"cannot read baseline {path}: {error.strerror or error}{hint}") from None
    return baseline.fingerprints(content, str(path))


# -- one review: inputs ------------------------------------------------------------------------------

@dataclass
class _Inputs:
    collected: sources.Collected
    context: list[sources.SourceFile] = field(default_factory=list)
    scope: triage.Scope | None = None


def _read_options(run: _Run) -> sources.ReadOptions:
    return sources.ReadOptions(max_file_size=int(run.effective["max-file-size"]),  # type: ignore[arg-type]
                               language=run.args.language, exclude=tuple(run.effective["exclude"]),  # type: ignore
                               exclude_base=str(run.project_root))


def _inputs(run: _Run) -> _Inputs:
    if run.diff is not None:
        return _change_inputs(run)
    paths = run.paths or ([] if run.args.prompt else ["."])
    options = _read_options(run)
    stdin_bytes = sources.read_stream(sys.stdin.buffer, options.max_file_size) if "-" in paths else None
    directories = [p for p in run.args.prompt if os.path.isdir(p)]
    if directories:
        raise UsageError(f"--prompt takes a file, not a directory: {directories[0]}")
    collected = sources.collect(paths, options, stdin_bytes)
    prompted = sources.collect(run.args.prompt, sources.ReadOptions(
        max_file_size=options.max_file_size, language=run.args.language, force_prompt=True))
    collected.sources.extend(prompted.sources)
    collected.problems.extend(prompted.problems)
    collected.notes.extend(prompted.notes)
    _check_outputs(run, collected.sources)
    return _Inputs(collected)


def _change_inputs(run: _Run) -> _Inputs:
    """The files of the change, the lines in scope, and the rest of the tree for resolving imports."""
    cwd = Path.cwd()
    file_changes, top, description = _read_change(run, cwd)
    inside = [Path(p).resolve() for p in run.paths] or [cwd.resolve()]
    selected = [c for c in file_changes if _under_any(top / (c.path or c.old_path), inside)]
    run.notes.extend(_change_notes(selected, description, run.scope_kind))
    reviewable = {os.path.relpath(top / c.path, cwd): c for c in selected if c.reviewable}
    options = _read_options(run)
    collected = sources.collect_changed(sorted(reviewable), options)
    scope = {s.path: changes.scope_lines(reviewable[s.path], run.scope_kind, s.text, s.language)
             for s in collected.sources}
    context: list[sources.SourceFile] = []
    # Python changes resolve imports, and templates find the views that render them, in the rest of the tree;
    # C changes use the summaries of the functions other C files define
    languages = ({"python"} if any(s.language in ("python", sources.TEMPLATE) for s in collected.sources) else set()) \
        | ({"c"} if any(s.language == "c" for s in collected.sources) else set())
    if languages:
        whole = sources.collect([str(p) for p in inside], sources.ReadOptions(
            max_file_size=options.max_file_size, exclude=options.exclude, exclude_base=options.exclude_base,
            only_languages=frozenset(languages)))
        reviewed = {os.path.abspath(s.path) for s in collected.sources}
        context = [s for s in whole.sources if os.path.abspath(s.path) not in reviewed]
    _check_outputs(run, collected.sources)
    return _Inputs(collected, context, scope)


def _read_change(run: _Run, cwd: Path) -> tuple[list[changes.FileChange], Path, str]:
    if run.diff == "-":
        limit = int(run.effective["max-file-size"])  # type: ignore[arg-type]
        data = sources.read_stream(sys.stdin.buffer, limit)
        if data is None:
            raise UsageError(f"the diff on stdin is over {limit} bytes (raise it with --max-file-size)")
        text = data.decode("utf-8", "surrogateescape")
        try:
            top = gitdiff.toplevel(cwd)
        except gitdiff.GitError:
            top = cwd  # a diff of files that are not in git: paths are relative to here
        return changes.parse(text), top, "the diff on stdin"
    base = gitdiff.resolve_base(run.diff or None, cwd)
    return gitdiff.changed_files(base, cwd), gitdiff.toplevel(cwd), base.description


def _under_any(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == root or root in resolved.parents for root in roots)


def _change_notes(selected: list[changes.FileChange], description: str, scope: str) -> list[str]:
    what = {"line": "findings on changed lines", "function": "findings in changed functions",
            "file": "findings anywhere in changed files"}[scope]
    notes = [f"reviewing changes since {description}: {len(selected)} file(s) changed; {what}"]
    deleted = [c.old_path for c in selected if c.status == changes.DELETED]
    binary = [c.path or c.old_path for c in selected if c.binary]
    renamed = [f"{c.old_path} -> {c.path}" for c in selected if c.status == changes.RENAMED]
    if deleted:
        notes.append(f"{len(deleted)} deleted file(s), nothing left to review: {_some(deleted)}")
    if renamed:
        notes.append(f"{len(renamed)} renamed file(s), reviewed under the new name: {_some(renamed)}")
    if binary:
        notes.append(f"{len(binary)} binary file(s) skipped: {_some(binary)}")
    if any(Path(c.path).name in config.CONFIG_NAMES for c in selected if c.path):
        notes.append("this change edits a secreview configuration file: review it like code, it decides "
                     "what is reported")
    return notes


def _some(items: list[str], limit: int = 5) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


# -- one review: running and reporting -------------------------------------------------------------------

def _cmd_review(argv: list[str]) -> int:
    args = _review_parser().parse_args(argv)
    run = _prepare(args)
    settings = _settings(run, _read_baseline(run))
    inputs = _inputs(run)
    rules = all_rules()
    analysis = _analyse(run, settings, inputs, rules)
    # the model reviews what the rules reviewed: not the test files left out
    analysis = _llm_review(run, [s for s in inputs.collected.sources if not engine.not_reviewed(s, settings)], analysis)
    baseline_written = True
    if args.write_baseline:
        settings, baseline_written = _write_baseline(run, settings, analysis)
    result = triage.report(analysis, settings, inputs.scope)
    if args.fix:
        _apply_fixes(run, result, inputs.collected.sources)
    elif args.unsafe_fixes:
        run.notes.append("--unsafe-fixes has no effect without --fix")
    notes = [*inputs.collected.notes, *run.notes, *_result_notes(run, result)]
    color = args.color == "always" or (args.color == "auto" and args.output is None and _stdout_is_tty())
    try:
        rendered = reporting.render(result, args.format, engine.select_rules(rules, settings), color=color,
                                    notes=notes)
    except Exception:  # noqa: BLE001 - a reporter's bug must not lose the review: say it, then write it plainly
        traceback.print_exc(file=sys.stderr)
        print(f"secreview: internal error in the {args.format} report (exit status {EXIT_INTERNAL}); the findings "
              "follow in plain lines", file=sys.stderr)
        _write(_plain_lines(result), args.output)
        return EXIT_INTERNAL
    if not _write(rendered, args.output) or not baseline_written:
        return EXIT_ERROR
    if not args.quiet and args.format not in _FORMATS_WITH_NOTES:
        for note in notes:
            print(f"secreview: note: {summary.visible(note)}", file=sys.stderr)
    return _exit_status(result)


def review_tree(path: str, overrides: Mapping[str, object] | None = None, *,
                jobs: int = 1) -> tuple[Report, tuple[sources.SourceFile, ...]]:
    """One whole review of a tree as `secreview PATH` does it (its own configuration file, then `overrides`),
    without the optional LLM reviewer and without writing anything but the result cache: for `secreview scan`."""
    run = _prepare(_review_parser().parse_args([path, "--quiet", "--jobs", str(jobs)]), overrides)
    settings = _settings(run, _read_baseline(run))
    inputs = _inputs(run)
    analysis = _analyse(run, settings, inputs, all_rules())
    return triage.report(analysis, settings, inputs.scope), tuple(inputs.collected.sources)


def _analyse(run: _Run, settings: engine.Settings, inputs: _Inputs, rules: Sequence[type[Rule]]) -> Analysis:
    cache = _result_cache(run)
    jobs = int(run.effective["jobs"] or _cpu_count())  # type: ignore[arg-type]
    progress = _ProgressBar(sys.stderr) if not run.args.quiet and _stderr_is_tty() else None
    try:
        analysis = engine.analyse(inputs.collected.sources, rules, settings, inputs.collected.problems,
                                  context=inputs.context, cache=cache, jobs=jobs, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if cache is not None and cache.hits:
        run.notes.append(f"{cache.hits} of {len(inputs.collected.sources)} file(s) answered from the result cache")
    return analysis


def _result_cache(run: _Run) -> resultcache.ResultCache | None:
    if not run.effective["cache"]:
        return None
    return resultcache.ResultCache(_cache_root(run.effective["cache-dir"]))


def _cache_root(configured: object) -> Path:
    return Path(str(configured)) if configured else config.default_cache_root(os.environ)


def _write_baseline(run: _Run, settings: engine.Settings, analysis: Analysis) -> tuple[engine.Settings, bool]:
    """Accept every finding of this run (shown or hidden): the settings triage then uses.

    If the file cannot be written, the review is still reported (unchanged) and the run exits 2.
    """
    everything = analysis.findings
    if not _write(baseline.build(everything), run.args.write_baseline, what="baseline"):
        return settings, False
    run.notes.append(f"baseline with {len(everything)} finding(s) written to {run.args.write_baseline}")
    return dataclasses.replace(settings, baseline=frozenset(f.fingerprint for f in everything)), True


def _result_notes(run: _Run, result: Report) -> list[str]:
    notes = []
    hidden = summary.not_shown(result)
    if hidden and not result.findings and run.args.format == "text":  # other formats state the counts
        notes.append(f"findings hidden, not counted as defects. {hidden}")
    if not result.findings and run.args.format == "text" and result.test_files_not_reviewed:
        notes.append(summary.not_reviewed(result))
    if run.args.report_unused_suppressions:
        notes.extend(result.unused_suppressions)
    if run.effective["file-timeout"] and not engine.file_timeout_supported():
        notes.append("--file-timeout: without SIGALRM (Unix) a file over the limit is killed, not stopped, "
                     "and none of its findings are kept")
    if run.effective["file-memory-limit"] and run.effective.origins["file-memory-limit"] != "default" \
            and not engine.file_memory_supported():
        notes.append("--file-memory-limit needs Linux; it had no effect on this platform")
    return notes


def _llm_review(run: _Run, reviewed: Sequence[sources.SourceFile], analysis: Analysis) -> Analysis:
    """The optional model reviewer: only with --llm does any code leave this process."""
    args = run.args
    if not args.llm:
        if llm.flags_given(args):
            run.notes.append("--llm-* options have no effect without --llm")
        return analysis
    try:
        llm_config = llm.config_from_args(args, run.effective.config.llm)
    except llm.ConfigError as error:
        raise UsageError(str(error)) from None
    try:
        merged, llm_notes = llm.run(analysis, reviewed, llm_config, os.environ)
    except llm.ConfigError as error:
        raise UsageError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - a bug in the optional reviewer must not lose the static findings
        traceback.print_exc(file=sys.stderr)
        failed = LlmSummary(llm_config.protocol, llm_config.model, llm.PROMPT_VERSION,
                            incomplete_reason=f"internal error in the LLM reviewer: {type(error).__name__}: {error}")
        return dataclasses.replace(analysis, llm=failed)
    run.notes.extend(llm_notes)
    return merged


def _apply_fixes(run: _Run, result: Report, reviewed: Sequence[sources.SourceFile]) -> None:
    """Apply the fixes of the shown findings to the files they were found in, whole or not at all.

    A file is rewritten only if it still holds exactly the text that was reviewed and is plain UTF-8 with
    LF line endings (so writing the fixed text back changes nothing else); otherwise it is left alone
    and the note says so."""
    wanted = [f for f in result.findings if f.fix is not None and (f.fix.safe or run.args.unsafe_fixes)]
    texts = {source.path: source.text for source in reviewed if source.kind == "file"}
    by_path: dict[str, list[Fix]] = {}
    for finding in wanted:
        by_path.setdefault(finding.location.path, []).append(finding.fix)  # type: ignore[arg-type]
    applied = files = 0
    left: list[str] = []
    for path, path_fixes in sorted(by_path.items()):
        raw = sources.read_bytes(path, _MAX_FIXED_FILE)
        if path not in texts or not isinstance(raw, bytes) or b"\r" in raw or _utf8(raw) != texts[path]:
            left.append(path)
            continue
        outcome = fixes.apply(texts[path], path_fixes)
        if outcome.applied:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            sources.write_atomically(path, outcome.text, prefix=".secreview-fix-", mode=mode)
            applied, files = applied + len(outcome.applied), files + 1
    skipped = len(wanted) - applied
    note = f"--fix applied {applied} fix(es) to {files} file(s); the report above is the review before fixing"
    if skipped:
        note += f"; {skipped} not applied (overlapping another fix, or the file changed or is not plain UTF-8 " \
                f"with LF line endings: {_some(left) if left else 'review again and rerun'})"
    run.notes.append(note)


_MAX_FIXED_FILE = 64 * 1024 * 1024


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _plain_lines(result: Report) -> str:
    """The report reduced to one escaped line per finding and problem: what is left when a reporter fails."""
    lines = [f"{summary.visible(f.location.path)}:{f.location.start_line}: {f.rule_id} CWE-{f.cwe} "
             f"{f.severity.value}: {summary.visible(f.message)}" for f in result.findings]
    lines += [f"{summary.visible(p.path)}: {p.kind.value}: {summary.visible(p.detail)}" for p in result.problems]
    return "\n".join(lines) + "\n"


def _exit_status(result: Report) -> int:
    if result.incomplete:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


class _ProgressBar:
    """`secreview [#####.....] 120/1515 files` on stderr, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0
        self.length = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < 0.5 or (done < total and now - self.drawn < 0.1):
            return  # quick runs show nothing
        filled = self.WIDTH * done // max(total, 1)
        line = f"secreview [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} files"
        self.stream.write("\r" + line)
        self.stream.flush()
        self.drawn, self.length = now, len(line)

    def close(self) -> None:
        if self.length:
            self.stream.write("\r" + " " * self.length + "\r")
            self.stream.flush()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


def _write(text: str, output: str | None, what: str = "report") -> bool:
    """Write the report (or baseline) to stdout or a file; a report that cannot be written goes to stdout.

    A regular file (or the target of a symbolic link to one) is replaced atomically, so a failure never
    leaves half of one, keeping its mode (a new one gets 0666 under the umask); with other hard links it
    is rewritten in place instead, so that they still name it.  Anything else (/dev/null, a pipe) is
    written to as it is."""
    if output is None or output == "-":
        _print(text)
        return True
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate would fail the write
    try:
        _write_file(text, output)
    except OSError as error:
        print(f"secreview: error: cannot write {what} to {output}: {error.strerror or error}", file=sys.stderr)
        if what == "report":
            _print(text)  # never lose the report
        return False
    return True


def _write_file(text: str, output: str) -> None:
    output = os.path.realpath(output)  # through a symbolic link: the link stays, its target is replaced
    try:
        info = os.stat(output)
    except FileNotFoundError:
        sources.write_atomically(output, text, prefix=".secreview-", mode=0o666 & ~_umask())
        return
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        with open(output, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
        return
    sources.write_atomically(output, text, prefix=".secreview-", mode=stat.S_IMODE(info.st_mode))


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def _print(text: str) -> None:
    """To stdout, even when the text holds what the stream's encoding cannot (escaped, never a crash)."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
    sys.stdout.flush()


def _check_outputs(run: _Run, reviewed: Sequence[sources.SourceFile]) -> None:
    """`-o FILE` and `--write-baseline FILE` never replace an input of the run, nor (unless --force) a file
    that is not what they write: an earlier report, an earlier baseline."""
    inputs = [*run.paths, *run.args.prompt, *(s.path for s in reviewed if s.kind == "file"),
              str(run.effective.config.path or "")]
    report_inputs = [*inputs, str(run.effective["baseline"] or ""), run.args.write_baseline or ""]
    _check_target(run.args.output, "-o", report_inputs, run.args.force, _is_report_file)
    limit = int(run.effective["max-file-size"])  # type: ignore[arg-type]
    _check_target(run.args.write_baseline, "--write-baseline", inputs, run.args.force,
                  lambda path: _is_baseline_file(path, limit))


def _check_target(output: str | None, flag: str, inputs: list[str], force: bool,
                  ours: Callable[[str], bool]) -> None:
    if output in (None, "-"):
        return
    try:
        info = os.stat(output)
    except OSError:
        return  # nothing there yet (or nothing we can look at: the write will say so)
    if not stat.S_ISREG(info.st_mode):
        return  # /dev/null, a pipe, a terminal: written to, never replaced
    if any(_same_file(info, path) for path in inputs if path and path != "-"):
        raise UsageError(f"{flag} {output}: that is an input of this review (a reviewed file, the baseline or "
                         "the configuration); choose another file")
    if info.st_size and not force and not ours(output):
        what = "report" if flag == "-o" else "baseline"
        raise UsageError(f"{flag} {output}: the file exists and is not a secreview {what}; "
                         "use --force to replace it")


def _is_report_file(path: str) -> bool:
    return reporting.is_report(_start_of(path))


def _is_baseline_file(path: str, limit: int) -> bool:
    try:
        baseline.fingerprints(sources.read_limited(path, limit), path)
    except (OSError, sources.NotReadable, baseline.BaselineError):
        return False
    return True


def _same_file(info: os.stat_result, path: str) -> bool:
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


def _start_of(path: str, size: int = 65536) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _languages() -> tuple[str, ...]:
    from secreview import lang
    return lang.supported_languages()


# -- other commands --------------------------------------------------------------------------------------

def _rule_row(rule: type[Rule]) -> dict:
    entry = cwe.lookup(rule.cwe)
    return {
        "id": rule.id, "language": rule.language, "languages": list(rule.languages or (rule.language,)),
        "cwe": rule.cwe, "cwe_name": entry.name,
        "pillar": entry.pillar, "pillar_name": entry.pillar_name,
        "severity": rule.severity.value, "confidence": rule.confidence.value, "summary": rule.summary(),
        # "default": some findings carry evidence and are shown by default; "audit": only --profile audit
        "profile": "default" if rule.may_show_by_default() else "audit",
        "evidence": sorted(kind.value for kind in rule.hit_evidence | ({rule.evidence} if rule.evidence else set())),
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
        print(f"{row['id']:<{width}}  {','.join(row['languages']):<7} CWE-{row['cwe']:<5} pillar CWE-{row['pillar']}  "
              f"{row['severity']:<8} {row['confidence']:<6} {row['profile']:<7} {row['summary']}")
    audit = sum(1 for row in rows if row["profile"] == "audit")
    print(f"\n{len(rows)} rules, {len({r['pillar'] for r in rows})} pillars; {audit} shown only with --profile audit")
    return EXIT_CLEAN


def rules_markdown(rows: list[dict]) -> str:
    """The rules table of the README (kept in sync by a test)."""
    lines = ["| rule | language | CWE | pillar | severity | confidence | profile | what it finds |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| `{row['id']}` | {', '.join(row['languages'])} | CWE-{row['cwe']} | CWE-{row['pillar']} | "
                     f"{row['severity']} | {row['confidence']} | {row['profile']} | {row['summary']} |")
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


def _cmd_config(argv: list[str]) -> int:
    """The settings a review with these options would use, each with where it came from."""
    args = _review_parser("secreview config").parse_args(argv)
    run = _prepare(args)
    sys.stdout.write(config.render(run.effective))
    print(f"# project root (test code, fingerprints, exclude globs): {run.project_root}")
    if run.effective["cache"]:
        print(f"# result cache: {_cache_root(run.effective['cache-dir']) / resultcache.RESULTS_DIR}")
    return EXIT_CLEAN


def _cmd_cache(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="secreview cache", description="Manage the per-file result cache.")
    parser.add_argument("action", choices=("clear", "info"))
    parser.add_argument("--cache-dir", metavar="DIR", help="the cache directory (default: the configured one)")
    args = parser.parse_args(argv)
    configured = args.cache_dir
    if configured is None:
        found = config.discover(Path.cwd().resolve())
        configured = config.load(found).values.get("cache-dir") if found is not None else None
    root = _cache_root(configured)
    directory = root / resultcache.RESULTS_DIR
    try:
        if args.action == "info":
            files, size = resultcache.usage(root)
            print(f"{directory}: {files} cached result(s), {size / 1024:.0f} KiB")
            return EXIT_CLEAN
        removal = resultcache.clear(root)
    except OSError as error:
        raise UsageError(f"cannot {args.action} the cache {directory}: {error.strerror or error}") from None
    if removal.refused:
        raise UsageError(removal.refused)
    print(f"removed {removal.files} cached result(s), {removal.size / 1024:.0f} KiB, from {directory}")
    if removal.failed:
        raise UsageError(f"{removal.failed} cached file(s) in {directory} could not be removed")
    return EXIT_CLEAN
