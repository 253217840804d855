"""The per-file result cache: an I/O edge (reads and writes files under the user cache directory).

An entry is keyed by everything a file's result depends on:

- the file: its path, language and exact content (SHA-256);
- the settings that change what the rules report (active rules, dataflow budget,
  foreign suppressions; see engine.cache_key);
- the rule-set version: a hash of secreview's own analysis code and data (every
  module of the package that rules, the dataflow engine, parsing or findings
  depend on, and the CWE table), so editing or upgrading a rule never reuses a
  stale result.

Cross-file dataflow makes one more dependency: a file's findings can change when
a module it imports changes.  Each entry records which reviewed modules its
analysis consulted (directly or through the modules those loaded) and a digest
of the files that answered to each name; an entry is used only while every one
of them is answered by the same files with the same content (engine._still_valid).

Filters (severity, confidence, test code, baseline, diff scope) are applied after
the cache, so changing them never needs a re-analysis.  Entries are JSON, written
atomically; a cache that cannot be read or written is skipped, never fatal.

An entry is used only if it is a regular file (not a link, FIFO or device) of
bounded size, names the key it was written for, carries a checksum of its
content, and holds well-typed values; anything else is a miss and is analysed
again.  The results directory is marked with a CACHEDIR.TAG naming secreview,
and `cache clear` removes only entries (and leftover temporary files) inside a
marked directory: never a directory it did not create.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import secreview
from secreview import sources
from secreview.engine import FileResult
from secreview.model import (
    Confidence,
    Edit,
    Evidence,
    ExcerptLine,
    FileProblem,
    Finding,
    Fix,
    HiddenBecause,
    Location,
    Origin,
    ProblemKind,
    Severity,
    Suppression,
    TraceStep,
)

# Package parts that do not change what a file's analysis produces.
_NOT_ANALYSIS = frozenset({"cli.py", "config.py", "gitdiff.py", "changes.py", "baseline.py", "resultcache.py",
                           "progress.py", "__main__.py", "report", "llm"})
RESULTS_DIR = "results"
MARKER = "CACHEDIR.TAG"
# The Cache Directory Tagging Specification's signature (backup tools skip the directory), then our name.
MARKER_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
               "# This directory holds per-file results cached by secreview; 'secreview cache clear' empties it.\n")
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_VERSION_NAME = re.compile(r"[0-9a-f]{24}")
_SHARD_NAME = re.compile(r"[0-9a-f]{2}")
TEMPORARY_PREFIX = ".tmp-"
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json|\.tmp-.*\.(json|tmp)")  # .json: left by earlier versions
# Everything a malformed entry can raise while it is read and rebuilt: such an entry is a miss.
_BAD_ENTRY = (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError,
              sources.NotReadable)



def ruleset_version() -> str:
    """Hash of the analysis code and data shipped in this installation of secreview."""
    package = Path(secreview.__file__).parent
    digest = hashlib.sha256(secreview.__version__.encode())
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if relative.parts[0] in _NOT_ANALYSIS or path.suffix not in (".py", ".tsv") or not path.is_file():
            continue
        digest.update(str(relative.as_posix()).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


class ResultCache:
    """Per-file results under `<root>/results/<rule-set version>/<key[:2]>/<key>.json`."""

    def __init__(self, root: Path, version: str | None = None) -> None:
        self.directory = root / RESULTS_DIR / (version or ruleset_version())
        self.hits = 0  # entries used: an entry the engine found stale is analysed again and put back
        self.misses = 0
        self._returned: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> FileResult | None:
        try:
            content = sources.read_limited(self._path(key), MAX_ENTRY_BYTES, follow_symlinks=False)
            result = result_from_data(_checked_payload(json.loads(content.decode("utf-8")), key))
        except _BAD_ENTRY:
            self.misses += 1
            return None
        self.hits += 1
        self._returned.add(key)
        return result

    def put(self, key: str, result: FileResult) -> None:
        if key in self._returned:  # it was read, judged stale (a module it consulted changed), and redone
            self._returned.discard(key)
            self.hits -= 1
            self.misses += 1
        path = self._path(key)
        try:
            _mark(self.directory.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(_entry(key, result_to_data(result)), ensure_ascii=False, separators=(",", ":"))
            # Atomic, so a concurrent run never reads half an entry.
            sources.write_atomically(path, text, prefix=TEMPORARY_PREFIX)
        except (OSError, UnicodeError):
            pass  # a cache is an optimisation; failing to write one must not fail the review


def _entry(key: str, payload: dict) -> dict:
    return {"key": key, "check": _checksum(key, payload), "result": payload}


def _checksum(key: str, payload: object) -> str:
    """Over the key and the canonical payload; encoding fails (a miss) on a lone surrogate."""
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{key}\0{canonical}".encode()).hexdigest()


def _checked_payload(entry: object, key: str) -> dict:
    """The result stored in `entry`, if the entry was written for `key` and is unaltered."""
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("result"), dict):
        raise ValueError("not an entry for this key")
    if entry.get("check") != _checksum(key, entry["result"]):
        raise ValueError("checksum does not match")
    return entry["result"]


def _mark(results: Path) -> None:
    """Tag the results directory as ours when we create it, or adopt one holding only our entries."""
    marker = results / MARKER
    if os.path.lexists(marker):
        return
    try:
        results.mkdir(parents=True)
    except FileExistsError:
        # Adopted only when it holds nothing but rule-set version directories (a cache of an earlier
        # secreview, before the marker); anyone else's directory is used, never claimed.
        if not all(_VERSION_NAME.fullmatch(child.name) and child.is_dir() for child in results.iterdir()):
            return
    sources.write_atomically(marker, MARKER_TEXT, prefix=TEMPORARY_PREFIX)


def _is_marked(results: Path) -> bool:
    try:
        return sources.read_limited(results / MARKER, 4096, follow_symlinks=False).decode() == MARKER_TEXT
    except (OSError, ValueError):
        return False


@dataclass
class Removal:
    """What `clear` did: entries removed (and their bytes), and what it could not remove or refused."""

    files: int = 0
    size: int = 0
    failed: int = 0
    refused: str | None = None  # why nothing was removed


def usage(root: Path) -> tuple[int, int]:
    """(entries, bytes) of the result cache under `root`; raises OSError when it cannot be read."""
    sizes = [entry.stat(follow_symlinks=False).st_size for entry in _entries(root / RESULTS_DIR)
             if not entry.name.startswith(TEMPORARY_PREFIX)]
    return len(sizes), sum(sizes)


def clear(root: Path) -> Removal:
    """Delete the entries (every rule-set version) under `root`, and nothing else.

    Only in a results directory that secreview marked, only files named like entries in directories
    named like ours, and the directories only once empty: `cache-dir = "."` must never delete a
    `results/` directory of the user's."""
    directory = root / RESULTS_DIR
    removal = Removal()
    if not directory.is_dir():
        return removal
    if not _is_marked(directory):
        removal.refused = f"{directory} is not marked as a secreview cache ({MARKER}): nothing removed"
        return removal
    for entry in _entries(directory):
        size = entry.stat(follow_symlinks=False).st_size
        try:
            os.unlink(entry.path)
        except OSError:
            removal.failed += 1
            continue
        removal.files += 0 if entry.name.startswith(TEMPORARY_PREFIX) else 1
        removal.size += size
    for version in _our_directories(directory, _VERSION_NAME):
        for shard in _our_directories(Path(version.path), _SHARD_NAME):
            with contextlib.suppress(OSError):
                os.rmdir(shard.path)  # only once empty
        with contextlib.suppress(OSError):
            os.rmdir(version.path)
    return removal


def _our_directories(directory: Path, name: re.Pattern[str]) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as found:
        return [entry for entry in found if name.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)]


def _entries(results: Path) -> list[os.DirEntry[str]]:
    """Files named like our entries (or our temporary files) in `<version>/<shard>/` under `results`."""
    if not results.is_dir():
        return []
    return [entry for version in _our_directories(results, _VERSION_NAME)
            for shard in _our_directories(Path(version.path), _SHARD_NAME)
            for entry in _files(Path(shard.path)) if _ENTRY_NAME.fullmatch(entry.name)]


def _files(directory: Path) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as found:
        return [entry for entry in found if entry.is_file(follow_symlinks=False)]


# -- (de)serialisation: lossless, so a cached run reports exactly what a fresh one does ----------

def _location(location: Location) -> list:
    return [location.path, location.start_line, location.start_column, location.end_line, location.end_column]


def _location_from(data: object) -> Location:
    path, start_line, start_column, end_line, end_column = _list(data)
    return Location(_str(path), _int(start_line), _int(start_column), _int(end_line), _int(end_column))


# A cached value of the wrong type would crash a reporter much later: each one is checked as it is read.

def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def finding_to_data(finding: Finding) -> dict:
    data = {
        "rule": finding.rule_id, "cwe": finding.cwe, "severity": finding.severity.value,
        "confidence": finding.confidence.value, "location": _location(finding.location),
        "message": finding.message, "description": finding.description, "solution": finding.solution,
        "origin": finding.origin.value, "fingerprint": finding.fingerprint,
        "trace": [[_location(step.location), step.note] for step in finding.trace],
        "excerpt": [[line.number, line.text, line.flagged] for line in finding.excerpt],
        "annotations": list(finding.annotations),
    }
    if finding.fix is not None:
        data["fix"] = {"description": finding.fix.description, "safe": finding.fix.safe,
                       "edits": [[_location(e.location), e.replacement] for e in finding.fix.edits]}
    if finding.suppression is not None:
        data["suppression"] = [finding.suppression.because.value, finding.suppression.justification]
    if finding.evidence is not None:
        data["evidence"] = finding.evidence.value
    return data


def finding_from_data(data: dict) -> Finding:
    fix = data.get("fix")
    suppression = data.get("suppression")
    return Finding(
        rule_id=_str(data["rule"]), cwe=_int(data["cwe"]), severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]), location=_location_from(data["location"]),
        message=_str(data["message"]), description=_str(data["description"]), solution=_str(data["solution"]),
        origin=Origin(data["origin"]), fingerprint=_str(data["fingerprint"]),
        trace=tuple(TraceStep(_location_from(loc), _str(note)) for loc, note in _list(data["trace"])),
        excerpt=tuple(ExcerptLine(_int(number), _str(text), _bool(flagged))
                      for number, text, flagged in _list(data["excerpt"])),
        annotations=tuple(_str(note) for note in _list(data["annotations"])),
        fix=None if fix is None else Fix(_str(fix["description"]), tuple(
            Edit(_location_from(loc), _str(text)) for loc, text in _list(fix["edits"])), _bool(fix["safe"])),
        suppression=None if suppression is None else Suppression(HiddenBecause(suppression[0]),
                                                                 _str(suppression[1])),
        evidence=Evidence(data["evidence"]) if "evidence" in data else None,
    )


def result_to_data(result: FileResult) -> dict:
    return {
        "findings": [finding_to_data(f) for f in result.findings],
        "problems": [[p.path, p.kind.value, p.detail] for p in result.problems],
        "unused_suppressions": result.unused_suppressions,
        "consulted": result.consulted,
    }


def result_from_data(data: dict) -> FileResult:
    consulted = data["consulted"]
    if not isinstance(consulted, dict):
        raise TypeError("'consulted' must be an object")
    return FileResult(
        findings=[finding_from_data(f) for f in _list(data["findings"])],
        problems=[FileProblem(_str(path), ProblemKind(kind), _str(detail))
                  for path, kind, detail in _list(data["problems"])],
        unused_suppressions=[_str(line) for line in _list(data["unused_suppressions"])],
        consulted={_str(name): _str(digest) for name, digest in consulted.items()},
    )
