"""The results store on PostgreSQL: a throw-away local server started from Debian's packages.

Set-up (Debian/Ubuntu): `apt-get install postgresql` (gives initdb and pg_ctl) and the test extra (psycopg).
The fixture starts a private server on a Unix socket in a temporary directory (no TCP port, trust
authentication, as the `postgres` system user when the tests run as root) and stops it afterwards.  Without
the server binaries or the driver the tests are skipped, saying which is missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from tests.workflow import new_repo, secreview  # noqa: E402

PORT = "5439"


def _server_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="module")
def postgresql_url():
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (psycopg) is not installed")
    initdb, pg_ctl = _server_binary("initdb"), _server_binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    run_as: list[str] = []
    directory = tempfile.mkdtemp(prefix="secreview-pg-", dir="/tmp")  # short: a socket path has a length limit
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to start the server as")
        os.chown(directory, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(directory, "data")
    options = f"-k {directory} -c listen_addresses='' -p {PORT}"
    try:
        subprocess.run([*run_as, initdb, "-D", data, "-U", "secreview", "--auth=trust"], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([*run_as, pg_ctl, "-D", data, "-o", options, "-w", "-l", os.path.join(directory, "log"),
                        "start"], check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        shutil.rmtree(directory, ignore_errors=True)
        pytest.skip(f"could not start a local PostgreSQL server: {error}")
    try:
        yield f"postgresql+psycopg://secreview@/postgres?host={directory}&port={PORT}"
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)


def test_a_scan_is_stored_in_postgresql_and_reported_from_it(tmp_path: Path, postgresql_url: str,
                                                             capsys: pytest.CaptureFixture,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    new_repo(tmp_path / "checkouts" / "alpha", {"loader.py": "import yaml\n\n\ndef f(t):\n    return yaml.load(t)\n"})
    new_repo(tmp_path / "checkouts" / "beta", {"util.py": "x = 1\n"})

    def cli(*args: str):
        return secreview(tmp_path, *args, capsys=capsys, monkeypatch=monkeypatch, profile=None)

    for _ in range(2):  # the second scan runs against the migrated schema and compares with the first
        run = cli("scan", str(tmp_path / "checkouts"), "--db", postgresql_url, "--work-dir", str(tmp_path / "w"))
        assert run.status == 1, run.stderr
    summary = cli("db", "summary", "--db", postgresql_url, "-f", "json").json
    rows = {r["name"]: r for r in summary["repositories"]}
    assert (rows["alpha"]["by_severity"], rows["alpha"]["new"], rows["alpha"]["fixed"]) == ({"high": 1}, 0, 0)
    assert rows["beta"]["by_severity"] == {}
    findings = cli("db", "findings", "--repo", "alpha", "--db", postgresql_url, "-f", "json").json["findings"]
    assert [(f["location"]["path"], f["rule_id"]) for f in findings] == [("loader.py", "yaml-unsafe-load")]
