"""What `secreview scan` reviews: repositories from a manifest or a directory of checkouts.

A manifest is either TOML::

    [[repository]]
    location = "https://example.org/team/service.git"   # a git URL or a local path
    ref = "v2.1.0"                                       # optional: branch, tag or commit
    name = "service"                                     # optional: defaults to the location's last part
    settings = { profile = "audit", exclude = ["vendor/"] }   # optional: secreview configuration keys

or plain lines, one repository per line: ``LOCATION [REF]``; ``#`` starts a comment.  Relative local
paths are taken from the manifest's directory.  Reading a manifest never touches the repositories.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from secreview import config

_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)  # scheme:// or scp-like git@host:
_MANIFEST_LIMIT = 4 * 1024 * 1024


class ManifestError(ValueError):
    """A manifest that cannot be used as written (the message names the place)."""


@dataclass(frozen=True)
class RepositorySpec:
    """One repository to review: where it is, which revision, and its own settings."""

    name: str
    location: str  # a git URL, or an absolute local path
    ref: str | None = None
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def is_remote(self) -> bool:
        return is_git_url(self.location)


def is_git_url(location: str) -> bool:
    return bool(_URL.match(location))


def read(path: str | os.PathLike[str]) -> list[RepositorySpec]:
    """The repositories a manifest file or a directory of checkouts names, in order."""
    source = Path(path)
    if source.is_dir():
        return from_directory(source)
    try:
        with open(source, "rb") as stream:
            data = stream.read(_MANIFEST_LIMIT + 1)
    except OSError as error:
        raise ManifestError(f"cannot read manifest {source}: {error.strerror or error}") from None
    if len(data) > _MANIFEST_LIMIT:
        raise ManifestError(f"manifest {source} is over {_MANIFEST_LIMIT} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(f"manifest {source} is not UTF-8 (byte {error.start})") from None
    base = source.resolve().parent
    specs = _from_toml(text, source, base) if _looks_like_toml(source, text) else _from_lines(text, source, base)
    return _unique_names(specs, source)


def from_directory(directory: Path) -> list[RepositorySpec]:
    """Every immediate subdirectory is one repository (hidden ones excepted), sorted by name."""
    children = sorted(entry for entry in directory.iterdir() if entry.is_dir() and not entry.name.startswith("."))
    if not children:
        raise ManifestError(f"{directory} holds no repository checkouts (no subdirectories)")
    return [RepositorySpec(child.name, str(child.resolve())) for child in children]


def _looks_like_toml(path: Path, text: str) -> bool:
    return path.suffix == ".toml" or re.search(r"^\s*\[\[", text, re.MULTILINE) is not None


def _from_toml(text: str, source: Path, base: Path) -> list[RepositorySpec]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"manifest {source}: {error}") from None
    unknown = sorted(set(document) - {"repository"})
    if unknown:
        raise ManifestError(f"manifest {source}: unknown table(s) {', '.join(unknown)} (expected [[repository]])")
    entries = document.get("repository", [])
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"manifest {source}: no [[repository]] entries")
    return [_entry(entry, f"manifest {source}, repository {number}", base)
            for number, entry in enumerate(entries, start=1)]


def _entry(entry: object, where: str, base: Path) -> RepositorySpec:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: expected a table")
    unknown = sorted(set(entry) - {"location", "ref", "name", "settings"})
    if unknown:
        raise ManifestError(f"{where}: unknown key(s) {', '.join(unknown)}")
    location = entry.get("location")
    if not isinstance(location, str) or not location.strip():
        raise ManifestError(f"{where}: 'location' (a git URL or a path) is required")
    ref, name, settings = entry.get("ref"), entry.get("name"), entry.get("settings", {})
    if ref is not None and not isinstance(ref, str):
        raise ManifestError(f"{where}: 'ref' must be a string")
    if name is not None and not isinstance(name, str):
        raise ManifestError(f"{where}: 'name' must be a string")
    return RepositorySpec(name or _default_name(location), _absolute(location.strip(), base), ref,
                          _checked_settings(settings, where, base))


def _from_lines(text: str, source: Path, base: Path) -> list[RepositorySpec]:
    specs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2:
            raise ManifestError(f"manifest {source}, line {number}: expected 'LOCATION [REF]', got {line!r}")
        location = parts[0]
        specs.append(RepositorySpec(_default_name(location), _absolute(location, base),
                                    parts[1] if len(parts) == 2 else None))
    if not specs:
        raise ManifestError(f"manifest {source} names no repository")
    return specs


def _checked_settings(settings: object, where: str, base: Path) -> dict[str, object]:
    """Configuration keys as in secreview.toml, checked now so a typo fails before any work starts."""
    if not isinstance(settings, dict):
        raise ManifestError(f"{where}: 'settings' must be a table")
    try:
        return config.check_values(settings, where, base)
    except config.ConfigError as error:
        raise ManifestError(str(error)) from None


def _absolute(location: str, base: Path) -> str:
    if is_git_url(location):
        return location
    return str((base / os.path.expanduser(location)).resolve())


def _default_name(location: str) -> str:
    tail = re.split(r"[/:]", location.rstrip("/"))[-1]
    return tail.removesuffix(".git") or location


def _unique_names(specs: list[RepositorySpec], source: Path) -> list[RepositorySpec]:
    seen: dict[str, str] = {}
    for spec in specs:
        if spec.name in seen:
            raise ManifestError(f"manifest {source}: two repositories are named {spec.name!r} "
                                f"({seen[spec.name]} and {spec.location}); give one a 'name'")
        seen[spec.name] = spec.location
    return specs
