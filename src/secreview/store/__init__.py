"""The results store of `secreview scan`: SQLite by default, PostgreSQL given a URL (SQLAlchemy Core).

Opening a store brings its schema to the newest version (Alembic migrations in `migrations/versions`).
Each repository's outcome is written in one transaction, so a scan that crashes leaves whole repositories
or nothing.  Triage state is kept per repository and finding fingerprint, so it carries over between scans:
a finding that disappears from a reviewed repository becomes `fixed`; one that comes back is `open` again;
`accepted` and `false_positive` stay as a person set them.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from secreview.store import schema

DEFAULT_DATABASE = "secreview-results.db"


class StoreError(RuntimeError):
    """The store cannot be opened or does not hold what was asked for (the message says which)."""


def database_url(given: str | None) -> str:
    """A SQLAlchemy URL from `--db`: a URL as given, or a path of an SQLite file (default in the current
    directory)."""
    if given and "://" in given:
        return given
    return f"sqlite:///{os.path.abspath(given or DEFAULT_DATABASE)}"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass(frozen=True)
class Recorded:
    """What recording one repository's outcome changed."""

    repository_scan_id: int
    new: int  # shown findings whose fingerprint was not in the repository's previous reviewed scan
    fixed: int  # shown fingerprints of the previous reviewed scan that are gone


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = sa.create_engine(url)
            _upgrade(self.engine)
        except (sa.exc.SQLAlchemyError, ImportError, OSError) as error:
            raise StoreError(f"cannot open the results store {_redacted(url)}: {_first_line(error)}") from None

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------------

    def start_scan(self, executor: str, repositories: int, version: str, ruleset: str) -> int:
        with self.engine.begin() as connection:
            return connection.execute(schema.scans.insert().values(
                started_at=now(), status="running", executor=executor, secreview_version=version,
                ruleset=ruleset, repositories=repositories)).inserted_primary_key[0]

    def finish_scan(self, scan_id: int, status: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(schema.scans.update().where(schema.scans.c.id == scan_id)
                               .values(finished_at=now(), status=status))

    def record(self, scan_id: int, outcome) -> Recorded:
        """Write one repository's outcome (a `scan.work.RepositoryOutcome`) in one transaction."""
        with self.engine.begin() as connection:
            repository_id = _repository_id(connection, outcome.name, outcome.location)
            commit_id = _commit_id(connection, repository_id, outcome.commit) if outcome.commit else None
            previous = _previous_fingerprints(connection, repository_id, scan_id)
            run_id = connection.execute(schema.repository_scans.insert().values(
                scan_id=scan_id, repository_id=repository_id, commit_id=commit_id,
                status="failed" if outcome.failed else "reviewed", error=outcome.error, ref=outcome.ref,
                checkout=outcome.checkout, attempts=outcome.attempts, seconds=outcome.seconds,
                peak_memory_kib=outcome.peak_memory_kib, worker=outcome.worker, recorded_at=now(),
            )).inserted_primary_key[0]
            if outcome.failed:
                return Recorded(run_id, 0, 0)
            _insert_many(connection, schema.files, [
                {"repository_scan_id": run_id, "path": f.path, "language": f.language, "digest": f.digest,
                 "lines": f.lines} for f in outcome.files])
            _insert_many(connection, schema.problems, [
                {"repository_scan_id": run_id, "path": path, "kind": kind, "detail": detail}
                for path, kind, detail in outcome.problems])
            rows = [_finding_row(run_id, data) for data in outcome.findings]
            _insert_many(connection, schema.findings, rows)
            shown = {row["fingerprint"] for row in rows if row["hidden"] is None}
            _carry_triage(connection, repository_id, shown)
            return Recorded(run_id, len(shown - previous) if previous is not None else len(shown),
                            len(previous - shown) if previous is not None else 0)

    def set_triage(self, repository: str, fingerprint: str, state: str, note: str | None) -> None:
        if state not in schema.TRIAGE_STATES:
            raise StoreError(f"unknown triage state {state!r} (one of {', '.join(schema.TRIAGE_STATES)})")
        with self.engine.begin() as connection:
            repository_id = self.repository_id(repository, connection)
            table = schema.triage
            exists = connection.execute(sa.select(table.c.state).where(
                table.c.repository_id == repository_id, table.c.fingerprint == fingerprint)).first()
            if exists is None:
                raise StoreError(f"no finding with fingerprint {fingerprint} in {repository}")
            connection.execute(table.update().where(table.c.repository_id == repository_id,
                                                    table.c.fingerprint == fingerprint)
                               .values(state=state, note=note, updated_at=now()))

    # -- reading ---------------------------------------------------------------------------------------

    def repository_id(self, name: str, connection=None) -> int:
        with _connection(self.engine, connection) as conn:
            found = conn.execute(sa.select(schema.repositories.c.id)
                                 .where(schema.repositories.c.name == name)).scalar()
        if found is None:
            raise StoreError(f"no repository named {name!r} in the store")
        return found

    def latest_scan(self) -> int | None:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(schema.scans.c.id))).scalar()


def _connection(engine: sa.Engine, connection):
    return nullcontext(connection) if connection is not None else engine.connect()


def _upgrade(engine: sa.Engine) -> None:
    from alembic import command
    from alembic.config import Config

    configuration = Config()
    configuration.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        configuration.attributes["connection"] = connection
        command.upgrade(configuration, "head")


def _repository_id(connection: sa.Connection, name: str, location: str) -> int:
    table = schema.repositories
    found = connection.execute(sa.select(table.c.id).where(table.c.name == name)).scalar()
    if found is not None:
        connection.execute(table.update().where(table.c.id == found).values(location=location))
        return found
    return connection.execute(table.insert().values(name=name, location=location)).inserted_primary_key[0]


def _commit_id(connection: sa.Connection, repository_id: int, sha: str) -> int:
    table = schema.commits
    found = connection.execute(sa.select(table.c.id).where(table.c.repository_id == repository_id,
                                                           table.c.sha == sha)).scalar()
    if found is not None:
        return found
    return connection.execute(table.insert().values(repository_id=repository_id, sha=sha)).inserted_primary_key[0]


def _previous_fingerprints(connection: sa.Connection, repository_id: int, scan_id: int) -> set[str] | None:
    """Shown fingerprints of the repository's last reviewed scan before `scan_id`; None if there is none."""
    runs = schema.repository_scans
    previous = connection.execute(
        sa.select(runs.c.id).where(runs.c.repository_id == repository_id, runs.c.scan_id < scan_id,
                                   runs.c.status == "reviewed").order_by(runs.c.scan_id.desc()).limit(1)).scalar()
    if previous is None:
        return None
    return shown_fingerprints(connection, previous)


def shown_fingerprints(connection: sa.Connection, repository_scan_id: int) -> set[str]:
    table = schema.findings
    return set(connection.execute(sa.select(table.c.fingerprint).where(
        table.c.repository_scan_id == repository_scan_id, table.c.hidden.is_(None))).scalars())


def _finding_row(run_id: int, data: dict) -> dict:
    from secreview import cwe

    suppression = data.get("suppression")
    return {
        "repository_scan_id": run_id, "fingerprint": data["fingerprint"], "rule": data["rule"],
        "cwe": data["cwe"], "pillar": cwe.lookup(data["cwe"]).pillar, "severity": data["severity"],
        "confidence": data["confidence"], "evidence": data.get("evidence"),
        "hidden": suppression[0] if suppression else None, "path": data["location"][0],
        "line": data["location"][1], "message": data["message"], "data": data,
    }


def _carry_triage(connection: sa.Connection, repository_id: int, shown: set[str]) -> None:
    table = schema.triage
    states = dict(connection.execute(sa.select(table.c.fingerprint, table.c.state)
                                     .where(table.c.repository_id == repository_id)).all())
    stamp = now()
    _insert_many(connection, table, [
        {"repository_id": repository_id, "fingerprint": fingerprint, "state": "open", "updated_at": stamp}
        for fingerprint in sorted(shown - states.keys())])
    reopened = [f for f in shown if states.get(f) == "fixed"]
    gone = [f for f, state in states.items() if state == "open" and f not in shown]
    for fingerprints, state in ((reopened, "open"), (gone, "fixed")):
        for chunk in _chunks(fingerprints, 500):
            connection.execute(table.update().where(table.c.repository_id == repository_id,
                                                    table.c.fingerprint.in_(chunk))
                               .values(state=state, updated_at=stamp))


def _insert_many(connection: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    for chunk in _chunks(rows, 1000):
        connection.execute(table.insert(), chunk)


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _redacted(url: str) -> str:
    """A URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
