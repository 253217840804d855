"""Speed at scale: parallel jobs give the same report, the result cache is safe, slow files are bounded."""

from __future__ import annotations

import io
import time
from pathlib import Path

from workflow import secreview, write

from secreview import cli, engine, resultcache
from secreview.model import Confidence, ProblemKind, Severity
from secreview.rules import Hit, Rule, all_rules
from secreview.sources import SourceFile

SANITISING = "import shlex\n\n\ndef clean(value):\n    return shlex.quote(value)\n"
PASSING = "def renamed(value):\n    return value\n"  # clean() is gone: calls to it are unknown again
VIEW = ('import subprocess\n\nimport helpers\nfrom flask import request\n\n\ndef run_{n}():\n'
        '    subprocess.run("ls " + helpers.clean(request.args["d"]), shell=True)\n'
        '    subprocess.run("cat " + request.args["f{n}"], shell=True)\n')


def _project(helpers: str = SANITISING, views: int = 12) -> list[SourceFile]:
    files = [SourceFile("helpers.py", helpers, "python")]
    files += [SourceFile(f"views_{n}.py", VIEW.format(n=n), "python") for n in range(views)]
    return files


def _analyze(sources, **options):
    return engine.analyze(sources, all_rules(), engine.Settings(), **options)


def test_parallel_jobs_report_exactly_what_one_job_reports() -> None:
    sources = _project()
    serial = _analyze(sources, jobs=1)
    parallel = _analyze(sources, jobs=2)
    assert serial == parallel
    assert len(serial.findings) == 12, "one finding per view: the helper quotes its argument"


class _Store:
    """An in-memory result store that round-trips entries through the cache's JSON form."""

    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}
        self.hits = 0
        self.puts = 0

    def get(self, key):
        if key not in self.entries:
            return None
        self.hits += 1
        return resultcache.result_from_data(self.entries[key])

    def put(self, key, result) -> None:
        self.puts += 1
        self.entries[key] = resultcache.result_to_data(result)


def test_cached_results_equal_fresh_ones() -> None:
    store = _Store()
    fresh = _analyze(_project(), cache=store)
    again = _analyze(_project(), cache=store)
    assert store.hits == 13 and again == fresh


def test_cache_entry_is_invalid_when_an_imported_module_changes() -> None:
    store = _Store()
    _analyze(_project(SANITISING), cache=store)
    store.puts = 0
    changed = _analyze(_project(PASSING), cache=store)
    assert changed == _analyze(_project(PASSING)), "no stale result survives the helper's change"
    assert len(changed.findings) == 24, "clean() is gone: both calls of every view are defects"
    assert store.puts == 13, "every view consulted helpers, so every view was analysed again"


def test_cache_entry_holds_when_an_unrelated_module_changes() -> None:
    store = _Store()
    sources = _project() + [SourceFile("other.py", "x = 1\n", "python")]
    _analyze(sources, cache=store)
    store.puts = 0
    _analyze(sources[:-1] + [SourceFile("other.py", "x = 2\n", "python")], cache=store)
    assert store.puts == 1, "only other.py itself is analysed again"


def test_result_cache_on_disk_and_cache_commands(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": VIEW.format(n=1), "helpers.py": SANITISING})
    cache_dir = str(tmp_path / "cache")
    first = secreview(tmp_path, ".", "--cache-dir", cache_dir, "-f", "json", capsys=capsys, monkeypatch=monkeypatch)
    second = secreview(tmp_path, ".", "--cache-dir", cache_dir, "-f", "json", capsys=capsys, monkeypatch=monkeypatch)
    assert first.json["findings"] == second.json["findings"] != []
    assert "2 of 2 file(s) answered from the result cache" in second.json["notes"]
    write(tmp_path, {"helpers.py": PASSING})
    changed = secreview(tmp_path, ".", "--cache-dir", cache_dir, "-f", "json", capsys=capsys, monkeypatch=monkeypatch)
    assert not any("result cache" in note for note in changed.json["notes"]), "app.py consulted helpers.py"
    assert len(changed.json["findings"]) == 2
    info = secreview(tmp_path, "cache", "info", "--cache-dir", cache_dir, capsys=capsys, monkeypatch=monkeypatch)
    assert "3 cached result(s)" in info.stdout, "app.py's entry was replaced; helpers.py has two versions"
    cleared = secreview(tmp_path, "cache", "clear", "--cache-dir", cache_dir, capsys=capsys, monkeypatch=monkeypatch)
    assert cleared.status == 0 and "removed 3 cached result(s)" in cleared.stdout
    third = secreview(tmp_path, ".", "--cache-dir", cache_dir, "--no-cache", "-f", "json", capsys=capsys,
                      monkeypatch=monkeypatch)
    assert not any("result cache" in note for note in third.json["notes"])


class _Slow(Rule):
    id = "slow-rule"
    cwe = 400
    severity = Severity.LOW
    confidence = Confidence.HIGH
    message = description = solution = "x"

    def check(self, file):
        time.sleep(5)
        yield Hit(file.root)


def test_file_timeout_reports_the_file_incomplete_and_keeps_finished_rules() -> None:
    rules = [r for r in all_rules() if r.id == "subprocess-shell-true"] + [_Slow]
    store = _Store()
    started = time.monotonic()
    report = engine.analyze([SourceFile("a.py", VIEW.format(n=1), "python")], rules,
                            engine.Settings(file_timeout=0.2), cache=store)
    assert time.monotonic() - started < 3
    assert [p.kind for p in report.problems] == [ProblemKind.LIMIT_EXCEEDED]
    assert "--file-timeout 0.2" in report.problems[0].detail and "slow-rule" in report.problems[0].detail
    assert report.incomplete and [f.rule_id for f in report.findings] == ["subprocess-shell-true"] * 2
    assert store.entries == {}, "a result cut short by time is never cached"


def test_progress_bar_only_on_a_terminal(tmp_path: Path, capsys, monkeypatch) -> None:
    stream = io.StringIO()
    bar = cli._ProgressBar(stream)
    bar.started -= 1  # long enough to be worth showing
    bar(5, 10)
    bar(10, 10)
    bar.close()
    assert "\rsecreview [###############...............] 5/10 files" in stream.getvalue()
    assert stream.getvalue().endswith("\r")
    write(tmp_path, {"a.py": "x = 1\n"})
    run = secreview(tmp_path, "a.py", capsys=capsys, monkeypatch=monkeypatch)
    assert "\r" not in run.stderr, "stderr is not a terminal here"


INSPECTING_WRAPPER = ('from oslo_concurrency import processutils\n\n\ndef qemu_img_info(path, format=None):\n'
                      '    format_inspector.detect_file_format(path)\n'
                      '    return processutils.execute("qemu-img", "info", "-f", "raw", path)\n')
PLAIN_WRAPPER = ('from oslo_concurrency import processutils\n\n\ndef qemu_img_info(path, format=None):\n'
                 '    return processutils.execute("qemu-img", "info", "-f", "raw", path)\n')
DRIVER = 'from imagetools import images\n\n\ndef size(path):\n    return images.qemu_img_info(path)\n'


def test_a_rule_reading_another_module_is_invalidated_when_that_module_changes(tmp_path: Path, capsys,
                                                                                monkeypatch) -> None:
    """A rule (not the dataflow) asks another reviewed module whether a wrapper inspects the format.

    That question goes through the file's declared context, so it is recorded as consulted: editing
    the wrapper's module must re-review driver.py instead of serving its stale cached result.
    """
    write(tmp_path, {"driver.py": DRIVER, "imagetools/__init__.py": "", "imagetools/images.py": INSPECTING_WRAPPER})
    cache_dir = str(tmp_path / "cache")
    options = (".", "--cache-dir", cache_dir, "-f", "json", "--select", "image-format-autodetected")
    first = secreview(tmp_path, *options, capsys=capsys, monkeypatch=monkeypatch)
    assert first.json["findings"] == [], "the wrapper inspects the format itself"
    write(tmp_path, {"imagetools/images.py": PLAIN_WRAPPER})
    cached = secreview(tmp_path, *options, capsys=capsys, monkeypatch=monkeypatch)
    fresh = secreview(tmp_path, ".", "--no-cache", "-f", "json", "--select", "image-format-autodetected",
                      capsys=capsys, monkeypatch=monkeypatch)
    flagged = [(Path(f["location"]["path"]).name, f["rule_id"]) for f in fresh.json["findings"]]
    assert flagged == [("driver.py", "image-format-autodetected")]
    assert cached.json["findings"] == fresh.json["findings"]


LEGACY_HEADER = "#define USE_LEGACY_COPY 1\n"
MODERN_HEADER = "#define USE_LEGACY_COPY 0\n"
COPIER = ('#include <string.h>\n#include "config.h"\n\nvoid copy(char *out, const char *in) {\n'
          '#if USE_LEGACY_COPY\n    char buffer[8];\n    strcpy(buffer, in);\n#else\n    strncpy(out, in, 8);\n#endif\n}\n')


def test_a_c_file_is_reviewed_again_when_a_header_it_reads_changes(tmp_path: Path, capsys, monkeypatch) -> None:
    """The preprocessor step decides `#if` from the file's headers: a cached result must not outlive them."""
    write(tmp_path, {"copy.c": COPIER, "config.h": LEGACY_HEADER})
    options = (".", "--cache-dir", str(tmp_path / "cache"), "-f", "json", "--select", "strcpy-unbounded-copy")
    first = secreview(tmp_path, *options, capsys=capsys, monkeypatch=monkeypatch)
    assert [f["rule_id"] for f in first.json["findings"]] == ["strcpy-unbounded-copy"], "the legacy branch is taken"
    write(tmp_path, {"config.h": MODERN_HEADER})
    cached = secreview(tmp_path, *options, capsys=capsys, monkeypatch=monkeypatch)
    fresh = secreview(tmp_path, ".", "--no-cache", "-f", "json", "--select", "strcpy-unbounded-copy",
                      capsys=capsys, monkeypatch=monkeypatch)
    assert fresh.json["findings"] == [] and cached.json["findings"] == fresh.json["findings"]
