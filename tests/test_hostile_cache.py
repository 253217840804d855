"""The result cache under hostile entries and directories (issue 16): a bad entry is a miss, never a crash
or a hidden finding; `cache clear` removes only what secreview wrote."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest

from secreview import cli, resultcache
from test_hostile_inputs import VULNERABLE, review


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project reviewed once with a cache: returns the one entry's path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secreview.toml").write_text('cache-dir = "cache"\n')
    (tmp_path / "app.py").write_text(VULNERABLE)
    status, _, _ = cached_review()
    assert status == cli.EXIT_FINDINGS
    [entry] = (tmp_path / "cache" / "results").glob("*/*/*.json")
    return entry


def cached_review(*args: str) -> tuple[int, str, str]:
    return review("--cache", *args, "app.py")


def _rewrite(entry: Path, change) -> None:
    """Change the entry's result and give it a matching checksum: only the type checks can refuse it."""
    data = json.loads(entry.read_text())
    change(data["result"])
    canonical = json.dumps(data["result"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data["check"] = hashlib.sha256(f"{data['key']}\0{canonical}".encode("utf-8", "surrogatepass")).hexdigest()
    entry.write_text(json.dumps(data))


def test_an_entry_that_hides_findings_without_its_checksum_is_a_miss(cached: Path) -> None:
    data = json.loads(cached.read_text())
    data["result"]["findings"] = []
    cached.write_text(json.dumps(data))
    status, out, _ = cached_review()
    assert status == cli.EXIT_FINDINGS and "app.py:2" in out


@pytest.mark.parametrize("change", [
    lambda result: result["findings"][0]["location"].__setitem__(0, 5),  # a numeric path
    lambda result: result["findings"][0].__setitem__("message", "\ud800"),  # a lone surrogate
    lambda result: result["findings"][0].__setitem__("excerpt", [[1, None, True]]),
    lambda result: result.__setitem__("problems", [[1, 2, 3]]),
])
def test_ill_typed_entries_are_misses(cached: Path, change) -> None:
    _rewrite(cached, change)
    status, out, err = cached_review()
    assert status == cli.EXIT_FINDINGS and "app.py:2" in out and "Traceback" not in err


@pytest.mark.parametrize("replace", ["deep", "fifo", "zero", "garbage"])
def test_entries_that_are_not_entries_are_misses(cached: Path, replace: str) -> None:
    cached.unlink()
    if replace == "deep":
        cached.write_text("[" * 100_000 + "]" * 100_000)
    elif replace == "fifo":
        os.mkfifo(cached)  # reading it would wait for a writer forever
    elif replace == "zero":
        cached.symlink_to("/dev/zero")  # reading it would never end
    else:
        cached.write_bytes(b"\xff\xfe{")
    status, out, _ = cached_review()
    assert status == cli.EXIT_FINDINGS and "app.py:2" in out


def test_cache_clear_never_deletes_a_directory_it_did_not_create(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secreview.toml").write_text('cache-dir = "."\n')
    data = tmp_path / "results" / "experiment1" / "data.csv"
    data.parent.mkdir(parents=True)
    data.write_text("1,2\n")
    (tmp_path / "app.py").write_text(VULNERABLE)
    review("--cache", "app.py")  # the cache goes into the user's results/ beside their data
    status, _, err = _cache("clear")
    assert data.read_text() == "1,2\n"
    assert status == cli.EXIT_ERROR and "not marked as a secreview cache" in err


def test_cache_clear_removes_only_its_entries_and_temporary_files(cached: Path) -> None:
    results = cached.parents[2]
    stray = cached.parent / "notes.txt"
    stray.write_text("mine")
    leftover = cached.parent / ".tmp-interrupted.json"
    leftover.write_text("{")
    status, out, _ = _cache("clear")
    assert status == cli.EXIT_CLEAN and "removed 1 cached result(s)" in out
    assert not cached.exists() and not leftover.exists() and stray.exists()
    assert (results / resultcache.MARKER).exists()


def test_cache_commands_on_an_unreadable_or_read_only_cache_are_errors(cached: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "unlink", refuse)
    status, _, err = _cache("clear")
    assert status == cli.EXIT_ERROR and "1 cached file(s)" in err and "could not be removed" in err
    monkeypatch.setattr(os, "scandir", refuse)
    for action in ("info", "clear"):
        status, _, err = _cache(action)
        assert status == cli.EXIT_ERROR and f"cannot {action} the cache" in err, action


def test_a_failed_entry_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = resultcache.ResultCache(tmp_path, version="0" * 24)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    cache.put("a" * 64, resultcache.result_from_data(
        {"findings": [], "problems": [], "unused_suppressions": [], "consulted": {}}))
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != resultcache.MARKER]


def _cache(action: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = cli.main(["cache", action])
    finally:
        sys.stdout, sys.stderr = previous
    return status, out.getvalue(), err.getvalue()
