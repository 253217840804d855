"""The results store's tables (SQLAlchemy Core).  Changing them needs a migration in migrations/versions.

scans 1─* repository_scans *─1 repositories 1─* commits
repository_scans 1─* files, findings, problems
repositories 1─* triage (one row per finding fingerprint: its state carries over between scans)
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

TRIAGE_STATES = ("open", "accepted", "false_positive", "fixed")

scans = sa.Table(
    "scans", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(16), nullable=False),  # running | done | interrupted
    sa.Column("executor", sa.String(16), nullable=False),
    sa.Column("secreview_version", sa.String(32), nullable=False),
    sa.Column("ruleset", sa.String(64), nullable=False),
    sa.Column("repositories", sa.Integer, nullable=False),
)

repositories = sa.Table(
    "repositories", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("location", sa.Text, nullable=False),
)

commits = sa.Table(
    "commits", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repository_id", sa.Integer, sa.ForeignKey("repositories.id"), nullable=False),
    sa.Column("sha", sa.String(64), nullable=False),
    sa.UniqueConstraint("repository_id", "sha"),
)

repository_scans = sa.Table(
    "repository_scans", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), nullable=False),
    sa.Column("repository_id", sa.Integer, sa.ForeignKey("repositories.id"), nullable=False),
    sa.Column("commit_id", sa.Integer, sa.ForeignKey("commits.id")),  # NULL: not a git checkout, or failed
    sa.Column("status", sa.String(16), nullable=False),  # reviewed | failed
    sa.Column("error", sa.Text),
    sa.Column("ref", sa.String(250)),
    sa.Column("checkout", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("peak_memory_kib", sa.Integer, nullable=False),
    sa.Column("worker", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("scan_id", "repository_id"),
)

files = sa.Table(
    "files", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repository_scan_id", sa.Integer, sa.ForeignKey("repository_scans.id"), nullable=False, index=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("language", sa.String(32), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("lines", sa.Integer, nullable=False),
)

findings = sa.Table(
    "findings", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repository_scan_id", sa.Integer, sa.ForeignKey("repository_scans.id"), nullable=False, index=True),
    sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
    sa.Column("rule", sa.String(100), nullable=False),
    sa.Column("cwe", sa.Integer, nullable=False),
    sa.Column("pillar", sa.Integer, nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("confidence", sa.String(16), nullable=False),
    sa.Column("evidence", sa.String(16)),
    sa.Column("hidden", sa.String(32)),  # NULL: shown by the repository's profile; else why it is hidden
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),  # the whole finding (resultcache.finding_to_data)
)

problems = sa.Table(
    "problems", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repository_scan_id", sa.Integer, sa.ForeignKey("repository_scans.id"), nullable=False, index=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

triage = sa.Table(
    "triage", metadata,
    sa.Column("repository_id", sa.Integer, sa.ForeignKey("repositories.id"), primary_key=True),
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('open', 'accepted', 'false_positive', 'fixed')", name="triage_state"),
)
