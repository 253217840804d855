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
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import secreview
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


def default_cache_root(environ: Mapping[str, str]) -> Path:
    """$XDG_CACHE_HOME/secreview, else ~/.cache/secreview (LOCALAPPDATA on Windows)."""
    if environ.get("XDG_CACHE_HOME"):
        base = Path(environ["XDG_CACHE_HOME"])
    elif os.name == "nt" and environ.get("LOCALAPPDATA"):
        base = Path(environ["LOCALAPPDATA"])
    else:
        base = Path.home() / ".cache"
    return base / "secreview"


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
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            result = result_from_data(data)
        except (OSError, ValueError, KeyError, TypeError):
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
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent run never reads half an entry.
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                             prefix=".tmp-", suffix=".json") as handle:
                json.dump(result_to_data(result), handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(handle.name, path)
        except OSError:
            pass  # a cache is an optimisation; failing to write one must not fail the review


def usage(root: Path) -> tuple[int, int]:
    """(entries, bytes) of the result cache under `root`."""
    directory = root / RESULTS_DIR
    sizes = [path.stat().st_size for path in directory.rglob("*.json")] if directory.is_dir() else []
    return len(sizes), sum(sizes)


def clear(root: Path) -> tuple[int, int]:
    """Delete the result cache (every rule-set version) under `root`; (files, bytes) removed."""
    files, size = usage(root)
    directory = root / RESULTS_DIR
    if directory.is_dir():
        shutil.rmtree(directory)
    return files, size


# -- (de)serialisation: lossless, so a cached run reports exactly what a fresh one does ----------

def _location(location: Location) -> list:
    return [location.path, location.start_line, location.start_column, location.end_line, location.end_column]


def _location_from(data: list) -> Location:
    return Location(*data)


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
        rule_id=data["rule"], cwe=data["cwe"], severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]), location=_location_from(data["location"]),
        message=data["message"], description=data["description"], solution=data["solution"],
        origin=Origin(data["origin"]), fingerprint=data["fingerprint"],
        trace=tuple(TraceStep(_location_from(loc), note) for loc, note in data["trace"]),
        excerpt=tuple(ExcerptLine(number, text, flagged) for number, text, flagged in data["excerpt"]),
        annotations=tuple(data["annotations"]),
        fix=None if fix is None else Fix(fix["description"], tuple(
            Edit(_location_from(loc), text) for loc, text in fix["edits"]), fix["safe"]),
        suppression=None if suppression is None else Suppression(HiddenBecause(suppression[0]), suppression[1]),
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
    return FileResult(
        findings=[finding_from_data(f) for f in data["findings"]],
        problems=[FileProblem(path, ProblemKind(kind), detail) for path, kind, detail in data["problems"]],
        unused_suppressions=list(data["unused_suppressions"]),
        consulted=dict(data["consulted"]),
    )
