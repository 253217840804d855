"""Model replies cached on disk, keyed by what was asked and of whom.

The key hashes the prompt version, protocol, model and the exact messages
sent (the line-numbered, redacted chunk and its static findings), so a
changed chunk, prompt or model never reuses an old answer.  Only replies
that parsed as JSON objects are stored; verification runs again on every
use, so a cached reply is checked exactly like a fresh one.  A cache that
cannot be read or written is skipped, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def cache_key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))  # length-prefixed: no two part lists collide
        digest.update(encoded)
    return digest.hexdigest()


class ReplyCache:
    """A directory of `<key[:2]>/<key>.json` files; `None` disables caching."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if self.directory is None:
            return None
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict) -> None:
        if self.directory is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent reader never sees half a file.
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                             prefix=".tmp-", suffix=".json") as handle:
                json.dump(value, handle, ensure_ascii=False)
            os.replace(handle.name, path)
        except OSError:
            pass  # a cache is an optimisation; failing to write one must not fail the review
