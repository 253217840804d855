"""Baselines: findings a team has accepted, so that only new ones are reported.

A baseline file is JSON:

    {"version": 1, "tool": "secreview",
     "findings": [{"fingerprint": "...", "rule_id": "...", "path": "...", "line": 12, "message": "..."}]}

Findings match by fingerprint alone (engine.finalise): rule id, path below the
project root, the flagged lines' text with whitespace normalised, and an
occurrence counter.  Lines inserted above a finding, or re-indenting it, keep
it matched; editing the flagged line itself makes it a new finding, which is
what a reviewer wants to see.  `path`, `line` and `message` are for people
reading the file in review.

Pure: the command line reads and writes the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from secreview.model import Finding

VERSION = 1


class BaselineError(ValueError):
    """The file is not a secreview baseline; the message names it and says why."""


def build(findings: Iterable[Finding]) -> str:
    """The baseline accepting `findings`, as stable JSON text (sorted, no timestamps)."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.location.path,
          "line": f.location.start_line, "message": f.message} for f in findings if f.fingerprint),
        key=lambda e: (e["path"], e["line"], e["rule_id"], e["fingerprint"]))
    return json.dumps({"version": VERSION, "tool": "secreview", "findings": entries}, indent=2,
                      ensure_ascii=False) + "\n"


def fingerprints(content: bytes, where: str) -> frozenset[str]:
    """The accepted fingerprints of a baseline file's content (UTF-8 JSON, as `build` writes it)."""
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BaselineError(f"{where}: not UTF-8 text (byte 0x{content[error.start]:02x} at offset {error.start}); "
                            "a baseline is UTF-8 JSON written by --write-baseline") from None
    except ValueError as error:
        raise BaselineError(f"{where}: not JSON ({error})") from None
    except RecursionError:
        raise BaselineError(f"{where}: nested too deeply to be a baseline") from None
    if not isinstance(data, dict) or data.get("tool") != "secreview" or "findings" not in data:
        raise BaselineError(f"{where}: not a secreview baseline (write one with --write-baseline)")
    if data.get("version") != VERSION:
        raise BaselineError(f"{where}: baseline version {data.get('version')!r} is not {VERSION}; write it again")
    entries = data["findings"]
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                                                for e in entries):
        raise BaselineError(f"{where}: every entry of 'findings' needs a 'fingerprint' string")
    return frozenset(e["fingerprint"] for e in entries)
