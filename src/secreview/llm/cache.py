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
from pathlib import Path

from secreview import sources

MAX_ENTRY_BYTES = 16 * 1024 * 1024  # replies are read up to 8 MiB (client.MAX_REPLY_BYTES)


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
            content = sources.read_limited(self._path(key), MAX_ENTRY_BYTES, follow_symlinks=False)
            value = json.loads(content.decode("utf-8"))
        except (OSError, ValueError, RecursionError):  # a link, FIFO, device, or not JSON: ask again
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict) -> None:
        if self.directory is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Atomic, so a concurrent reader never sees half a file.
            sources.write_atomically(path, json.dumps(value, ensure_ascii=False), prefix=".tmp-")
        except (OSError, ValueError, RecursionError):
            pass  # a cache is an optimisation; failing to write one must not fail the review
