"""Reading the results store: per-repository and organisation summaries, and a repository's findings as a
`Report` every existing reporter can render."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from secreview import resultcache
from secreview.model import Report, Severity
from secreview.store import Store, StoreError, schema, shown_fingerprints


@dataclass(frozen=True)
class RepositorySummary:
    name: str
    status: str  # reviewed | failed | absent (not in this scan)
    commit: str | None = None
    files: int = 0
    lines: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)  # shown findings
    hidden: int = 0  # findings the repository's profile or suppressions hide
    new: int | None = None  # None: no earlier reviewed scan to compare with
    fixed: int | None = None
    error: str | None = None
    seconds: float = 0.0
    peak_memory_kib: int = 0

    @property
    def shown(self) -> int:
        return sum(self.by_severity.values())


@dataclass(frozen=True)
class ScanSummary:
    scan_id: int
    started_at: str
    finished_at: str | None
    status: str
    executor: str
    repositories: tuple[RepositorySummary, ...]
    by_severity: dict[str, int]
    by_pillar: dict[int, int]
    by_cwe: dict[int, int]
    by_rule: dict[str, int]

    @property
    def failed(self) -> int:
        return sum(1 for r in self.repositories if r.status == "failed")


def summary(store: Store, scan_id: int | None = None) -> ScanSummary:
    scan_id = _scan(store, scan_id)
    with store.engine.connect() as connection:
        scan = connection.execute(sa.select(schema.scans).where(schema.scans.c.id == scan_id)).one()
        runs = connection.execute(
            sa.select(schema.repository_scans, schema.repositories.c.name, schema.commits.c.sha)
            .join(schema.repositories, schema.repositories.c.id == schema.repository_scans.c.repository_id)
            .outerjoin(schema.commits, schema.commits.c.id == schema.repository_scans.c.commit_id)
            .where(schema.repository_scans.c.scan_id == scan_id)
            .order_by(schema.repositories.c.name)).all()
        repositories, totals = [], {"severity": Counter(), "pillar": Counter(), "cwe": Counter(), "rule": Counter()}
        for run in runs:
            repositories.append(_repository_summary(connection, run, totals))
    return ScanSummary(scan_id, scan.started_at.isoformat(), scan.finished_at and scan.finished_at.isoformat(),
                       scan.status, scan.executor, tuple(repositories), _by_severity(totals["severity"]),
                       dict(totals["pillar"].most_common()), dict(totals["cwe"].most_common()),
                       dict(totals["rule"].most_common()))


def _repository_summary(connection: sa.Connection, run, totals: dict[str, Counter]) -> RepositorySummary:
    if run.status != "reviewed":
        return RepositorySummary(run.name, run.status, error=run.error, seconds=run.seconds)
    table = schema.findings
    rows = connection.execute(sa.select(table.c.severity, table.c.pillar, table.c.cwe, table.c.rule, table.c.hidden)
                              .where(table.c.repository_scan_id == run.id)).all()
    shown = [row for row in rows if row.hidden is None]
    for row in shown:
        totals["severity"][row.severity] += 1
        totals["pillar"][row.pillar] += 1
        totals["cwe"][row.cwe] += 1
        totals["rule"][row.rule] += 1
    files = connection.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(schema.files.c.lines), 0))
                               .where(schema.files.c.repository_scan_id == run.id)).one()
    current = shown_fingerprints(connection, run.id)
    previous_run = _previous_run(connection, run.repository_id, run.scan_id)
    previous = shown_fingerprints(connection, previous_run) if previous_run is not None else None
    return RepositorySummary(
        run.name, run.status, run.sha, files[0], int(files[1]), _by_severity(Counter(r.severity for r in shown)),
        len(rows) - len(shown), None if previous is None else len(current - previous),
        None if previous is None else len(previous - current), None, run.seconds, run.peak_memory_kib)


def findings_report(store: Store, repository: str, scan_id: int | None = None, *, new_only: bool = False,
                    state: str | None = None) -> Report:
    """The repository's findings shown in a scan (default: the latest scan that reviewed it), as a Report.

    `new_only`: only those not shown by the repository's previous reviewed scan.  `state`: only findings whose
    triage state is that one (open, accepted, false_positive, fixed).
    """
    with store.engine.connect() as connection:
        repository_id = store.repository_id(repository, connection)
        run = _reviewed_run(connection, repository_id, scan_id)
        table = schema.findings
        query = sa.select(table.c.data, table.c.fingerprint).where(table.c.repository_scan_id == run.id,
                                                                   table.c.hidden.is_(None))
        if state is not None:
            triage = schema.triage
            query = query.join(triage, sa.and_(triage.c.repository_id == repository_id,
                                               triage.c.fingerprint == table.c.fingerprint)) \
                .where(triage.c.state == state)
        rows = connection.execute(query).all()
        if new_only:
            previous_run = _previous_run(connection, repository_id, run.scan_id)
            known = shown_fingerprints(connection, previous_run) if previous_run is not None else set()
            rows = [row for row in rows if row.fingerprint not in known]
        files = connection.execute(sa.select(sa.func.count()).where(schema.files.c.repository_scan_id == run.id))
        findings = tuple(sorted((resultcache.finding_from_data(row.data) for row in rows), key=lambda f: f.sort_key))
        return Report(findings=findings, files_analysed=files.scalar() or 0)


def _scan(store: Store, scan_id: int | None) -> int:
    chosen = scan_id if scan_id is not None else store.latest_scan()
    if chosen is None:
        raise StoreError("the store holds no scan yet (run 'secreview scan' first)")
    with store.engine.connect() as connection:
        if connection.execute(sa.select(schema.scans.c.id).where(schema.scans.c.id == chosen)).scalar() is None:
            raise StoreError(f"no scan {chosen} in the store")
    return chosen


def _reviewed_run(connection: sa.Connection, repository_id: int, scan_id: int | None):
    runs = schema.repository_scans
    query = sa.select(runs).where(runs.c.repository_id == repository_id, runs.c.status == "reviewed")
    if scan_id is not None:
        query = query.where(runs.c.scan_id == scan_id)
    run = connection.execute(query.order_by(runs.c.scan_id.desc()).limit(1)).first()
    if run is None:
        raise StoreError("the repository was not reviewed" + (f" in scan {scan_id}" if scan_id is not None else ""))
    return run


def _previous_run(connection: sa.Connection, repository_id: int, scan_id: int) -> int | None:
    runs = schema.repository_scans
    return connection.execute(
        sa.select(runs.c.id).where(runs.c.repository_id == repository_id, runs.c.scan_id < scan_id,
                                   runs.c.status == "reviewed").order_by(runs.c.scan_id.desc()).limit(1)).scalar()


def _by_severity(counts: Counter) -> dict[str, int]:
    """Counts in severity order, highest first, zeros left out."""
    order = sorted(Severity, key=lambda s: s.rank, reverse=True)
    return {s.value: counts[s.value] for s in order if counts[s.value]}


def summary_text(scan: ScanSummary) -> str:
    lines = [f"scan {scan.scan_id} ({scan.status}, {scan.executor}) started {scan.started_at}",
             f"{len(scan.repositories)} repositories, {scan.failed} failed; "
             f"{sum(r.shown for r in scan.repositories)} findings shown", ""]
    width = max([len("repository"), *(len(r.name) for r in scan.repositories)])
    lines.append(f"{'repository':<{width}}  {'commit':<12}  {'files':>6}  {'shown':>6}  {'new':>5}  {'fixed':>5}  "
                 "by severity")
    for r in scan.repositories:
        if r.status != "reviewed":
            lines.append(f"{r.name:<{width}}  {'FAILED':<12}  {r.error}")
            continue
        severities = ", ".join(f"{k} {v}" for k, v in r.by_severity.items()) or "-"
        lines.append(f"{r.name:<{width}}  {(r.commit or 'working tree')[:12]:<12}  {r.files:>6}  {r.shown:>6}  "
                     f"{_dash(r.new):>5}  {_dash(r.fixed):>5}  {severities}")
    lines += ["", "organisation by severity: " + (", ".join(f"{k} {v}" for k, v in scan.by_severity.items()) or "-"),
              "by pillar: " + (", ".join(f"CWE-{k} {v}" for k, v in scan.by_pillar.items()) or "-"),
              "top CWEs: " + (", ".join(f"CWE-{k} {v}" for k, v in list(scan.by_cwe.items())[:10]) or "-")]
    return "\n".join(lines) + "\n"


def _dash(value: int | None) -> str:
    return "-" if value is None else str(value)
