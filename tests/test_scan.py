"""`secreview scan` and `secreview db`: manifests, pinned commits, executors, the results store and its reports."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from secreview.scan import executors, manifest  # noqa: E402
from secreview.scan.checkout import CheckoutError, materialise  # noqa: E402
from secreview.scan.work import RepositoryJob, review_repository  # noqa: E402
from secreview.store import Store, database_url  # noqa: E402
from secreview.store import reports as store_reports  # noqa: E402
from tests.workflow import git, new_repo, secreview, write  # noqa: E402

UNSAFE_YAML = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"
UNSAFE_TLS = "import requests\n\nrequests.get('https://example.org', verify=False)\n"
SAFE = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def checkouts(tmp_path: Path) -> Path:
    """Three small repositories: two with defects, one clean."""
    root = tmp_path / "checkouts"
    new_repo(root / "alpha", {"loader.py": UNSAFE_YAML, "client.py": UNSAFE_TLS})
    new_repo(root / "beta", {"loader.py": UNSAFE_YAML})
    new_repo(root / "gamma", {"util.py": SAFE})
    return root


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """The command line, run in this process from `tmp_path`."""
    return lambda *args: secreview(tmp_path, *args, capsys=capsys, monkeypatch=monkeypatch, profile=None)


def scan(cli, tmp_path: Path, source: Path, *extra: str):
    return cli("scan", str(source), "--db", str(tmp_path / "results.db"), "--work-dir", str(tmp_path / "work"),
               "--workers", "2", *extra)


def db(cli, tmp_path: Path, *args: str):
    command, *rest = args
    return cli("db", command, "--db", str(tmp_path / "results.db"), *rest)


def stored_findings(tmp_path: Path) -> set[tuple[str, str, str, int]]:
    """(scan executor, repository, rule, line) of every shown finding in the store."""
    with sqlite3.connect(tmp_path / "results.db") as connection:
        rows = connection.execute(
            "SELECT s.executor, r.name, f.rule, f.line FROM findings f JOIN repository_scans rs ON "
            "f.repository_scan_id = rs.id JOIN repositories r ON rs.repository_id = r.id JOIN scans s ON "
            "rs.scan_id = s.id WHERE f.hidden IS NULL").fetchall()
    return set(rows)


# -- manifests -------------------------------------------------------------------------------------------

def test_a_toml_manifest_names_locations_refs_and_per_repository_settings(tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    path = tmp_path / "repos.toml"
    path.write_text('[[repository]]\nlocation = "here"\nref = "v1"\nsettings = { profile = "audit" }\n\n'
                    '[[repository]]\nlocation = "https://example.org/team/service.git"\n', encoding="utf-8")
    first, second = manifest.read(path)
    assert (first.name, first.location, first.ref, first.settings) == ("here", str(tmp_path / "here"), "v1",
                                                                       {"profile": "audit"})
    assert (second.name, second.is_remote, second.ref) == ("service", True, None)


def test_a_plain_manifest_takes_one_location_and_an_optional_ref_per_line(tmp_path: Path) -> None:
    path = tmp_path / "repos.txt"
    path.write_text("# our services\n./one main\n\ngit@example.org:team/two.git  # remote\n", encoding="utf-8")
    specs = manifest.read(path)
    assert [(s.name, s.ref, s.is_remote) for s in specs] == [("one", "main", False), ("two", None, True)]


@pytest.mark.parametrize("text, message", [
    ('[[repository]]\nlocation = "a"\ncolour = 1\n', "unknown key(s) colour"),
    ('[[repository]]\nlocation = "a"\nsettings = { profil = "audit" }\n', "profil"),
    ('[[repository]]\nlocation = "a"\nsettings = { profile = "loud" }\n', "profile"),
    ('[[repository]]\nref = "main"\n', "'location'"),
    ("[[repository]]\nlocation = \"a/x\"\n[[repository]]\nlocation = \"b/x\"\n", "two repositories are named 'x'"),
    ("a b c\n", "expected 'LOCATION [REF]'"),
    ("# nothing\n", "names no repository"),
])
def test_a_manifest_that_cannot_be_used_is_refused_before_any_work(cli, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ("repos.toml" if text.startswith("[[") else "repos.txt")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match=re.escape(message)):
        manifest.read(path)
    run = scan(cli, tmp_path, path)
    assert run.status == 2 and message.split()[0] in run.stderr
    assert not (tmp_path / "results.db").exists()


def test_a_manifest_that_is_not_utf8_is_refused_with_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "repos.txt"
    path.write_bytes(b"caf\xe9\n")
    with pytest.raises(manifest.ManifestError, match="not UTF-8"):
        manifest.read(path)


# -- checkouts at pinned commits ---------------------------------------------------------------------------

def test_a_clean_checkout_is_reviewed_in_place_and_a_dirty_one_at_its_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"a.py": SAFE})
    head = git(repo, "rev-parse", "HEAD").strip()
    spec = manifest.RepositorySpec("repo", str(repo))
    with materialise(spec, str(tmp_path / "work")) as checkout:
        assert (checkout.path, checkout.commit, checkout.how) == (str(repo), head, "in place")
    write(repo, {"a.py": UNSAFE_YAML, "untracked.py": UNSAFE_YAML})
    with materialise(spec, str(tmp_path / "work")) as checkout:
        assert checkout.how == "export" and checkout.commit == head
        assert sorted(p.name for p in Path(checkout.path).iterdir()) == ["a.py"]
        assert (Path(checkout.path) / "a.py").read_text() == SAFE
        exported = checkout.path
    assert not Path(exported).exists()


def test_a_ref_pins_an_older_commit_and_a_missing_ref_is_an_error(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"a.py": UNSAFE_YAML})
    git(repo, "tag", "v1")
    write(repo, {"a.py": SAFE})
    git(repo, "commit", "-qam", "fix")
    with materialise(manifest.RepositorySpec("repo", str(repo), "v1"), str(tmp_path / "w")) as checkout:
        assert (Path(checkout.path) / "a.py").read_text() == UNSAFE_YAML
    with pytest.raises(CheckoutError, match="'v9' not found"):
        with materialise(manifest.RepositorySpec("repo", str(repo), "v9"), str(tmp_path / "w")):
            pass


def test_a_git_url_is_cloned_once_and_fetched_on_the_next_scan(tmp_path: Path) -> None:
    origin = new_repo(tmp_path / "origin", {"a.py": UNSAFE_YAML})
    spec = manifest.RepositorySpec("origin", origin.as_uri())
    job = RepositoryJob(spec, str(tmp_path / "work"))
    first = review_repository(job)
    assert first.error is None and first.checkout == "clone" and [f["rule"] for f in first.findings]
    write(origin, {"a.py": SAFE})
    git(origin, "commit", "-qam", "fix")
    second = review_repository(job)
    assert second.commit == git(origin, "rev-parse", "HEAD").strip() != first.commit
    assert not [f for f in second.findings if "suppression" not in f]


def test_a_repository_that_cannot_be_reached_is_recorded_and_the_scan_goes_on(cli, tmp_path: Path,
                                                                                checkouts: Path) -> None:
    path = tmp_path / "repos.txt"
    path.write_text(f"{checkouts / 'beta'}\n{(tmp_path / 'missing').as_uri()}\n", encoding="utf-8")
    run = scan(cli, tmp_path, path)
    assert run.status == 2
    assert "FAILED" in run.stdout and "beta" in run.stdout
    assert {repo for _, repo, _, _ in stored_findings(tmp_path)} == {"beta"}


# -- scans into the store -------------------------------------------------------------------------------

def test_a_local_scan_records_every_repository_with_paths_relative_to_its_root(cli, tmp_path: Path,
                                                                               checkouts: Path) -> None:
    run = scan(cli, tmp_path, checkouts)
    assert run.status == 1, run.stderr
    assert "[3/3]" in run.stderr and "3 repositories, 0 failed; 3 findings shown" in run.stdout
    assert {(repo, rule) for _, repo, rule, _ in stored_findings(tmp_path)} == {
        ("alpha", "yaml-unsafe-load"), ("alpha", "tls-verification-disabled"), ("beta", "yaml-unsafe-load")}
    sarif = db(cli, tmp_path, "findings", "--repo", "alpha", "-f", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(sarif.stdout)["runs"][0]["results"]}
    assert uris == {"loader.py", "client.py"}


def test_new_and_fixed_findings_and_triage_states_carry_over_between_scans(cli, tmp_path: Path, checkouts: Path) -> None:
    assert scan(cli, tmp_path, checkouts).status == 1
    listed = db(cli, tmp_path, "findings", "--repo", "alpha", "-f", "json").json["findings"]
    tls = next(f["fingerprint"] for f in listed if f["rule_id"] == "tls-verification-disabled")
    assert db(cli, tmp_path, "triage", "--repo", "alpha", tls, "accepted", "--note", "test server only").status == 0
    alpha = checkouts / "alpha"
    write(alpha, {"loader.py": SAFE, "parser.py": UNSAFE_YAML.replace("text", "data")})
    git(alpha, "add", "-A")
    git(alpha, "commit", "-qm", "change")
    assert scan(cli, tmp_path, checkouts).status == 1
    summary = db(cli, tmp_path, "summary", "-f", "json").json
    row = next(r for r in summary["repositories"] if r["name"] == "alpha")
    assert (row["new"], row["fixed"]) == (1, 1)
    new = db(cli, tmp_path, "findings", "--repo", "alpha", "--new", "-f", "json").json["findings"]
    assert [(f["location"]["path"], f["rule_id"]) for f in new] == [("parser.py", "yaml-unsafe-load")]
    accepted = db(cli, tmp_path, "findings", "--repo", "alpha", "--state", "accepted", "-f", "json").json["findings"]
    assert [f["fingerprint"] for f in accepted] == [tls]
    with sqlite3.connect(tmp_path / "results.db") as connection:
        states = dict(connection.execute("SELECT t.state, count(*) FROM triage t JOIN repositories r ON "
                                         "t.repository_id = r.id WHERE r.name = 'alpha' GROUP BY t.state"))
    assert states == {"accepted": 1, "fixed": 1, "open": 1}


def test_a_repository_is_written_whole_or_not_at_all(tmp_path: Path, checkouts: Path) -> None:
    store = Store(database_url(str(tmp_path / "results.db")))
    outcome = review_repository(RepositoryJob(manifest.RepositorySpec("alpha", str(checkouts / "alpha")),
                                              str(tmp_path / "work")))
    broken = outcome.__class__(**{**outcome.__dict__, "findings": (*outcome.findings, {"rule": "no-such"})})
    scan_id = store.start_scan("local", 1, "test", "test")
    with pytest.raises(KeyError):
        store.record(scan_id, broken)
    with sqlite3.connect(tmp_path / "results.db") as connection:
        assert connection.execute("SELECT count(*) FROM repository_scans").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM files").fetchone() == (0,)
    store.record(scan_id, outcome)
    assert store_reports.summary(store, scan_id).repositories[0].shown == 2
    store.close()


def test_a_review_that_raises_is_retried_once_then_recorded(tmp_path: Path, checkouts: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()

    def flaky(job: RepositoryJob):
        (calls / f"{job.spec.name}-{len(list(calls.iterdir()))}").touch()
        if job.spec.name == "beta":
            raise RuntimeError("worker lost")
        return review_repository(job)

    monkeypatch.setattr(executors, "review_repository", flaky)
    jobs = [RepositoryJob(spec, str(tmp_path / "work")) for spec in manifest.read(checkouts)]
    outcomes = {o.name: o for o in executors.LocalExecutor(2).run(jobs)}
    assert outcomes["beta"].error == "review failed twice: RuntimeError: worker lost"
    assert outcomes["beta"].attempts == 2 and outcomes["alpha"].error is None
    assert sum(1 for p in calls.iterdir() if p.name.startswith("beta")) == 2


def test_the_dask_executor_records_the_same_findings_as_the_local_one(cli, tmp_path: Path, checkouts: Path) -> None:
    pytest.importorskip("dask.distributed")
    assert scan(cli, tmp_path, checkouts).status == 1
    assert scan(cli, tmp_path, checkouts, "--executor", "dask").status == 1
    found = stored_findings(tmp_path)
    local = {row[1:] for row in found if row[0] == "local"}
    assert local and local == {row[1:] for row in found if row[0] == "dask"}


def test_the_dashboard_is_one_static_html_file_with_every_repository(cli, tmp_path: Path, checkouts: Path) -> None:
    (checkouts / "<b>odd").mkdir()
    scan(cli, tmp_path, checkouts)
    board = tmp_path / "board.html"
    assert db(cli, tmp_path, "dashboard", "-o", str(board)).status == 0
    page = board.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert all(name in page for name in ("alpha", "beta", "gamma", "&lt;b&gt;odd"))
    assert "CWE-502" in page


def test_db_commands_explain_what_is_missing(cli, tmp_path: Path, checkouts: Path) -> None:
    missing = db(cli, tmp_path, "summary")
    assert missing.status == 2 and "no results store" in missing.stderr
    scan(cli, tmp_path, checkouts)
    unknown = db(cli, tmp_path, "findings", "--repo", "delta")
    assert unknown.status == 2 and "no repository named 'delta'" in unknown.stderr
    bad = db(cli, tmp_path, "triage", "--repo", "alpha", "0" * 16, "accepted")
    assert bad.status == 2 and "no finding with fingerprint" in bad.stderr
