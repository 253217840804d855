"""`secreview scan` (many repositories into the results store) and `secreview db` (reports over the store)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence

from secreview import __version__, config, resultcache
from secreview import report as reporting
from secreview.scan import manifest

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_EXTRA_HINT = "secreview scan needs its store packages: pip install 'secreview[scan]' (or 'secreview[dask]')"


class ScanUsageError(Exception):
    pass


def _store_modules():
    try:
        from secreview import store
        from secreview.store import dashboard, reports
    except ImportError as error:
        raise ScanUsageError(f"{_EXTRA_HINT} ({error})") from None
    return store, reports, dashboard


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL_OR_PATH",
                        help="results store: a SQLAlchemy URL (postgresql+psycopg://user@host/db) or an SQLite file "
                             "path (default: ./secreview-results.db)")


# -- scan ----------------------------------------------------------------------------------------------

def scan_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secreview scan",
        description="Review many repositories, each at a pinned commit, and record the results in a database.",
        epilog="A manifest is TOML ([[repository]] location/ref/name/settings) or plain lines 'LOCATION [REF]'; a "
               "directory is taken as a directory of checkouts. Exit status: 0 nothing found, 1 findings shown, "
               "2 a repository failed or a usage error. See docs/scan.md.")
    parser.add_argument("source", metavar="MANIFEST_OR_DIRECTORY")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local: a process pool on this machine (default); dask: a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --executor dask: the scheduler (tcp://host:8786); default: a LocalCluster")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local processes, or LocalCluster workers (default: the number of CPUs)")
    parser.add_argument("--jobs-per-repository", type=int, default=1, metavar="N",
                        help="files of one repository reviewed in parallel (default: 1)")
    parser.add_argument("--work-dir", metavar="DIR",
                        help="where clones and exported commits are kept (default: scan/ in the cache directory)")
    _database_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def cmd_scan(argv: Sequence[str]) -> int:
    args = scan_parser().parse_args(list(argv))
    if args.scheduler and args.executor != "dask":
        raise ScanUsageError("--scheduler needs --executor dask")
    for flag, value in (("--workers", args.workers), ("--jobs-per-repository", args.jobs_per_repository)):
        if value is not None and value < 1:
            raise ScanUsageError(f"{flag} must be at least 1")
    try:
        specs = manifest.read(args.source)
    except manifest.ManifestError as error:
        raise ScanUsageError(str(error)) from None
    store_module, reports, _ = _store_modules()
    try:
        store = store_module.Store(store_module.database_url(args.db))
    except store_module.StoreError as error:
        raise ScanUsageError(str(error)) from None
    from secreview.scan.work import RepositoryJob

    work_dir = os.path.abspath(args.work_dir or os.path.join(config.default_cache_root(os.environ), "scan"))
    jobs = [RepositoryJob(spec, work_dir, args.jobs_per_repository) for spec in specs]
    executor = _executor(args)
    scan_id = store.start_scan(executor.name, len(jobs), __version__, resultcache.ruleset_version())
    progress = _Progress(len(jobs), None if args.quiet else sys.stderr)
    status = "interrupted"
    try:
        for outcome in executor.run(jobs):
            recorded = store.record(scan_id, outcome)
            progress.done(outcome, recorded)
        status = "done"
    finally:
        store.finish_scan(scan_id, status)
    result = reports.summary(store, scan_id)
    store.close()
    if not args.quiet:
        print(f"secreview: scan {scan_id} recorded in {store_module.database_url(args.db)}", file=sys.stderr)
    sys.stdout.write(reports.summary_text(result))
    if result.failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if any(r.shown for r in result.repositories) else EXIT_CLEAN


def _executor(args: argparse.Namespace):
    from secreview.scan import executors

    workers = args.workers or os.cpu_count() or 1
    if args.executor == "dask":
        try:
            import dask.distributed  # noqa: F401 - checked here for a clear message
        except ImportError:
            raise ScanUsageError("--executor dask needs dask: pip install 'secreview[dask]'") from None
        return executors.DaskExecutor(args.scheduler, workers)
    return executors.LocalExecutor(workers)


class _Progress:
    """One line per repository done: count, name, files, findings shown, new and fixed."""

    def __init__(self, total: int, stream) -> None:
        self.total, self.stream, self.count, self.files, self.findings = total, stream, 0, 0, 0

    def done(self, outcome, recorded) -> None:
        self.count += 1
        if outcome.failed:
            line = f"FAILED after {outcome.attempts} attempt(s): {outcome.error}"
        else:
            shown = sum(1 for f in outcome.findings if "suppression" not in f)
            self.files += len(outcome.files)
            self.findings += shown
            line = (f"{(outcome.commit or 'working tree')[:12]}: {len(outcome.files)} files, {shown} findings "
                    f"({recorded.new} new, {recorded.fixed} fixed) in {outcome.seconds:.1f} s")
        if self.stream is not None:
            print(f"secreview: [{self.count}/{self.total}] {outcome.name} {line}; total {self.files} files, "
                  f"{self.findings} findings", file=self.stream, flush=True)


# -- db ------------------------------------------------------------------------------------------------

def db_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="secreview db", description="Reports over the results store.")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="per repository and organisation: counts, new and fixed")
    summary.add_argument("--scan", type=int, help="scan id (default: the latest)")
    summary.add_argument("-f", "--format", choices=("text", "json"), default="text")
    findings = commands.add_parser("findings", help="one repository's findings, in any report format")
    findings.add_argument("--repo", required=True, metavar="NAME")
    findings.add_argument("--scan", type=int, help="scan id (default: the latest that reviewed the repository)")
    findings.add_argument("--new", action="store_true", help="only findings its previous scan did not show")
    findings.add_argument("--state", choices=("open", "accepted", "false_positive", "fixed"),
                          help="only findings in this triage state")
    findings.add_argument("-f", "--format", choices=reporting.FORMATS, default="text")
    findings.add_argument("-o", "--output", metavar="FILE")
    board = commands.add_parser("dashboard", help="a static HTML dashboard of a scan")
    board.add_argument("--scan", type=int, help="scan id (default: the latest)")
    board.add_argument("-o", "--output", required=True, metavar="FILE.html")
    triage = commands.add_parser("triage", help="set the triage state of a finding (it carries over between scans)")
    triage.add_argument("--repo", required=True, metavar="NAME")
    triage.add_argument("fingerprint")
    triage.add_argument("state", choices=("open", "accepted", "false_positive", "fixed"))
    triage.add_argument("--note")
    for sub in (summary, findings, board, triage):
        _database_option(sub)
    return parser


def cmd_db(argv: Sequence[str]) -> int:
    args = db_parser().parse_args(list(argv))
    store_module, reports, dashboard = _store_modules()
    url = store_module.database_url(args.db)
    if "://" not in (args.db or "") and not os.path.exists(url.removeprefix("sqlite:///")):
        raise ScanUsageError(f"no results store at {url.removeprefix('sqlite:///')} (run 'secreview scan' first, "
                             "or give --db)")
    try:
        store = store_module.Store(url)
    except store_module.StoreError as error:
        raise ScanUsageError(str(error)) from None
    try:
        if args.command == "summary":
            result = reports.summary(store, args.scan)
            _emit(json.dumps(dataclasses.asdict(result), indent=2, default=str) + "\n" if args.format == "json"
                  else reports.summary_text(result), None)
        elif args.command == "findings":
            from secreview.rules import all_rules

            report = reports.findings_report(store, args.repo, args.scan, new_only=args.new, state=args.state)
            _emit(reporting.render(report, args.format, all_rules(), color=False, notes=[]), args.output)
            return EXIT_FINDINGS if report.findings else EXIT_CLEAN
        elif args.command == "dashboard":
            _emit(dashboard.render(reports.summary(store, args.scan)), args.output)
        else:
            store.set_triage(args.repo, args.fingerprint, args.state, args.note)
    except store_module.StoreError as error:
        raise ScanUsageError(str(error)) from None
    finally:
        store.close()
    return EXIT_CLEAN


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise ScanUsageError(f"cannot write {output}: {error.strerror or error}") from None
