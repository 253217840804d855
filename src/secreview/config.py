"""Settings from a configuration file, under command-line flags: the one loader.

Files, found from the directory of the reviewed paths upwards (or named with
--config FILE):

- `secreview.toml`: the settings at top level, the LLM reviewer's in `[llm]`;
- `pyproject.toml`: the same under `[tool.secreview]` and `[tool.secreview.llm]`
  (a pyproject.toml without a `[tool.secreview]` table is passed over).

The first directory that has either wins; in one directory secreview.toml wins.
Keys are kebab-case as written below (snake_case is accepted too).  An unknown
key, or a value of the wrong type, is an error naming the file and the key.
Precedence: built-in defaults < file < flags.  Paths in the file (baseline,
cache-dir) are relative to the file's directory; exclude and per-path-ignores
globs are relative to the project root, which is that directory.

Reading files is this module's only I/O (`discover`, `load`, `find_project_root`);
the rest is pure.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from secreview import sources
from secreview.model import PROFILES, Confidence, Severity

CONFIG_NAMES = ("secreview.toml", "pyproject.toml")
DIFF_SCOPES = ("line", "function", "file")
# Larger values cannot be meant: a file of 1 GiB is no source file, a time limit of 11 days is none.
MAX_FILE_SIZE_LIMIT = 1024 ** 3
MAX_SECONDS = 1_000_000.0
# A configuration file is read before --max-file-size is known: it gets the default limit.
CONFIG_SIZE_LIMIT = sources.DEFAULT_MAX_FILE_SIZE


class ConfigError(ValueError):
    """A configuration file or value is unusable; the message names the file and the key."""


@dataclass(frozen=True)
class ConfigFile:
    path: Path | None                     # None: no file (defaults and flags only)
    values: Mapping[str, object] = field(default_factory=dict)   # review settings, kebab-case keys
    llm: Mapping[str, object] = field(default_factory=dict)      # the LLM reviewer's table, as written

    @property
    def label(self) -> str:
        if self.path is None:
            return "no configuration file"
        table = "[tool.secreview]" if self.path.name == "pyproject.toml" else ""
        return f"{self.path} {table}".strip()


# -- the keys ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    default: object
    check: Callable[[object], object]  # returns the normalised value or raises ValueError
    help: str


def _string_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("must be a list of strings")
    return tuple(part.strip() for item in value for part in item.split(",") if part.strip())


def _level(kind: type) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        return kind.parse(value).value
    return check


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _size(value: object) -> int:
    size = _positive_int(value)
    if size > MAX_FILE_SIZE_LIMIT:
        raise ValueError(f"must be at most {MAX_FILE_SIZE_LIMIT} (1 GiB)")
    return size




def _glob_list(value: object) -> tuple[str, ...]:
    """gitignore-style patterns, each checked now so that a bad one is a usage error, not a crash later."""
    patterns = _string_list(value)
    for pattern in patterns:
        error = sources.pattern_error(pattern)
        if error is not None:
            raise ValueError(f"has an invalid gitignore pattern {pattern!r}: {error}")
    return patterns


# Per-file limits: 0 for none; nan, inf and values beyond what the system's timers and
# resource limits hold are mistakes.
MAX_FILE_TIMEOUT = MAX_SECONDS
MAX_FILE_MEMORY = 2**20  # MiB (1 TiB)


def _seconds_limit(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_FILE_TIMEOUT:
        raise ValueError(f"must be a number of seconds from 0 to {MAX_FILE_TIMEOUT} (0: no limit)")
    return float(value)


def _mebibytes_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FILE_MEMORY:
        raise ValueError(f"must be a whole number of MiB from 0 to {MAX_FILE_MEMORY} (0: no limit)")
    return value


def _string(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _optional_path(value: object) -> str | None:
    if value is None:
        return None
    if "\0" in _string(value):
        raise ValueError("must be a path, without NUL characters")
    return value  # type: ignore[return-value]


def _scope(value: object) -> str:
    if value not in DIFF_SCOPES:
        raise ValueError(f"must be one of {', '.join(DIFF_SCOPES)}")
    return value  # type: ignore[return-value]


def _profile(value: object) -> str:
    if value not in PROFILES:
        raise ValueError(f"must be one of {', '.join(PROFILES)}")
    return value  # type: ignore[return-value]


def _per_path(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ValueError('must be a table of glob = ["rule-id", ...]')
    entries = []
    for glob, rules in value.items():
        try:
            entries.append((glob, _string_list(rules)))
        except ValueError:
            raise ValueError(f'entry {glob!r} must be a list of rule ids') from None
        _glob_list([glob])
    return tuple(entries)


KEYS: dict[str, Key] = {
    "select": Key((), _string_list, "only run these rule ids ('prefix*' allowed)"),
    "ignore": Key((), _string_list, "do not run these rule ids ('prefix*' allowed)"),
    "min-severity": Key("low", _level(Severity), "hide findings below: low, medium, high, critical"),
    "min-confidence": Key("medium", _level(Confidence), "hide findings below: low, medium, high"),
    "exclude": Key((), _glob_list, "gitignore-style patterns of paths not to review"),
    "per-path-ignores": Key((), _per_path, "glob -> rule ids hidden in matching files"),
    "max-file-size": Key(sources.DEFAULT_MAX_FILE_SIZE, _size, "larger files are skipped and reported (bytes)"),
    "jobs": Key(None, _positive_int, "files analysed in parallel (default: the number of CPUs)"),
    "include-tests": Key(False, _boolean, "show findings in test code"),
    "profile": Key("default", _profile, "default: findings with evidence; audit: every check"),
    "include-dir": Key((), _string_list, "C/C++ header directories read for macros"),
    "honor-foreign-suppressions": Key(False, _boolean, "respect # nosec, # noqa: S..., # nosemgrep"),
    "dataflow-budget": Key(400_000, _positive_int, "dataflow steps per file before it is reported incomplete"),
    "file-timeout": Key(60.0, _seconds_limit, "seconds per file before its analysis stops, reported incomplete "
                                              "(0: no limit)"),
    "file-memory-limit": Key(2048, _mebibytes_limit, "MiB of memory a file's analysis may add before it stops, "
                                                     "reported incomplete (0: no limit)"),
    "baseline": Key(None, _optional_path, "baseline file of accepted findings"),
    "diff-scope": Key("line", _scope, "with --diff: line, function or file"),
    "cache": Key(True, _boolean, "reuse per-file results of earlier runs"),
    "cache-dir": Key(None, _optional_path, "where results are cached (default: the user cache directory)"),
}
_PATH_KEYS = ("baseline", "cache-dir")


def canonical(name: str) -> str:
    return name.replace("_", "-")


def check_values(raw: Mapping[str, object], where: str, base: Path | None) -> dict[str, object]:
    """Validated, normalised values; every error names `where` and the key."""
    values: dict[str, object] = {}
    for name, value in raw.items():
        key = canonical(name)
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {name!r} (known: {', '.join(KEYS)}, and the llm table)")
        try:
            checked = KEYS[key].check(value)
        except ValueError as error:
            raise ConfigError(f"{where}: {name!r} {error}") from None
        if key in _PATH_KEYS and checked is not None and base is not None:
            checked = str((base / str(checked)).resolve())
        values[key] = checked
    return values


def check_rule_ids(values: Mapping[str, object], known: Iterable[str], where: str) -> None:
    """Rule ids in select/ignore/per-path-ignores must exist (a typo would silently do nothing)."""
    known = frozenset(known)

    def unknown(ids: Iterable[str]) -> list[str]:
        return [i for i in ids if not i.endswith("*") and i not in known]

    for key in ("select", "ignore"):
        bad = unknown(values.get(key, ()))  # type: ignore[arg-type]
        if bad:
            raise ConfigError(f"{where}: {key!r} names unknown rule id(s): {', '.join(bad)} (see 'secreview rules')")
    for glob, rules in values.get("per-path-ignores", ()):  # type: ignore[misc]
        bad = unknown(rules)
        if bad:
            raise ConfigError(f"{where}: 'per-path-ignores' {glob!r} names unknown rule id(s): {', '.join(bad)}")


# -- effective settings --------------------------------------------------------------------------

@dataclass(frozen=True)
class Effective:
    """Every key's value and where it came from ("default", the file, or "--flag")."""

    values: Mapping[str, object]
    origins: Mapping[str, str]
    config: ConfigFile

    def __getitem__(self, key: str) -> object:
        return self.values[key]


def resolve(config: ConfigFile, flags: Mapping[str, object]) -> Effective:
    """Defaults < file < flags; a flag left at None does not override."""
    values: dict[str, object] = {}
    origins: dict[str, str] = {}
    for key, spec in KEYS.items():
        values[key], origins[key] = spec.default, "default"
        if key in config.values:
            values[key], origins[key] = config.values[key], config.label
        if flags.get(key) is not None:
            values[key], origins[key] = flags[key], f"--{key}"
    return Effective(values, origins, config)


def render(effective: Effective) -> str:
    """The effective settings as TOML a user can paste, each with where it came from."""
    rows = [f"# configuration: {effective.config.label}"]
    for key, spec in KEYS.items():
        value = effective.values[key]
        if value is None:  # TOML has no null: show the key commented out with what unset means
            rows.append(f"# {key} is unset: {spec.help}  # {effective.origins[key]}")
        else:
            shown = "{}" if key == "per-path-ignores" and not value else _toml(value)
            rows.append(f"{key} = {shown}  # {effective.origins[key]}")
    if effective.config.llm:
        rows.append("# [llm] settings are shown by the LLM reviewer when it runs (--llm)")
    return "\n".join(rows) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # per-path-ignores
        return "{ " + ", ".join(f"{_quote(glob)} = {_toml(rules)}" for glob, rules in value) + " }"
    if isinstance(value, tuple):
        return "[" + ", ".join(_quote(str(item)) for item in value) + "]"
    return _quote(str(value))


def _quote(text: str) -> str:
    """A TOML basic string: control characters as \\uXXXX escapes, so a pasted value parses as shown."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 else c for c in escaped) + '"'


# -- finding and reading files (I/O) -------------------------------------------------------------

def discover(start: Path) -> Path | None:
    """The nearest secreview.toml, or pyproject.toml with [tool.secreview], in `start` or above."""
    for directory in (start, *start.parents):
        own = directory / "secreview.toml"
        if _exists(own):
            return own
        pyproject = directory / "pyproject.toml"
        if _exists(pyproject) and _has_our_table(pyproject):
            return pyproject
    return None


def _exists(path: Path) -> bool:
    """Whether `path` is there; a directory that cannot be looked into holds nothing we can use."""
    try:
        os.stat(path)
    except OSError:
        return False
    return not os.path.isdir(path)


def _has_our_table(pyproject: Path) -> bool:
    try:
        data = _read_toml(pyproject)
    except ConfigError:
        return True  # a broken file is reported by load(), not passed over
    return isinstance(data.get("tool"), dict) and "secreview" in data["tool"]


def _read_toml(path: Path) -> dict:
    try:
        text = sources.read_limited(path, CONFIG_SIZE_LIMIT).decode("utf-8")
        return tomllib.loads(text)
    except sources.NotReadable as refused:
        raise ConfigError(f"cannot read {path}: {refused}") from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid UTF-8 (byte 0x{error.object[error.start]:02x} at offset "
                          f"{error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a configuration") from None


def load(path: Path) -> ConfigFile:
    """Read and validate one configuration file."""
    path = path.resolve()
    data = _read_toml(path)
    if path.name == "secreview.toml":
        table, where = data, f"{path}"
    else:
        tool = data.get("tool", {})
        table = tool.get("secreview", {}) if isinstance(tool, dict) else {}
        where = f"{path} [tool.secreview]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    raw = dict(table)
    llm = raw.pop("llm", {})
    if not isinstance(llm, dict):
        raise ConfigError(f"{where}: 'llm' must be a table")
    return ConfigFile(path, check_values(raw, where, path.parent), _llm_paths(llm, path.parent))


def _llm_paths(llm: dict, base: Path) -> dict:
    values = dict(llm)
    if isinstance(values.get("cache_dir"), str) and values["cache_dir"] and "\0" not in values["cache_dir"]:
        # A relative cache directory is relative to the project, not to wherever secreview runs.
        values["cache_dir"] = str((base / values["cache_dir"]).resolve())
    return values


def load_for(explicit: str | None, start: Path, use_files: bool = True) -> ConfigFile:
    """The configuration a run uses: --config FILE, else the nearest file above `start`, else none."""
    if explicit:
        path = Path(explicit)
        if not os.path.lexists(path):
            raise ConfigError(f"--config {explicit}: no such file")
        return load(path)  # a directory, FIFO or device is refused with its reason
    if not use_files:
        return ConfigFile(None)
    found = discover(start.resolve())
    return load(found) if found is not None else ConfigFile(None)


def common_directory(paths: Iterable[str]) -> Path:
    """Where to start looking for a configuration: the deepest directory holding every reviewed path."""
    directories = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
                   for p in paths if p != "-" and os.path.exists(p)]
    if not directories:
        return Path.cwd()
    return Path(os.path.commonpath(directories))


def find_project_root(config: ConfigFile, start: Path) -> Path:
    """The directory paths are shown relative to for fingerprints and test code: the config file's,
    else the enclosing git work tree's, else `start`."""
    if config.path is not None:
        return config.path.parent
    for directory in (start, *start.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return start


def default_cache_root(environ: Mapping[str, str]) -> Path:
    """Where secreview keeps its caches: $XDG_CACHE_HOME/secreview, else ~/.cache/secreview (LOCALAPPDATA on
    Windows)."""
    if environ.get("XDG_CACHE_HOME"):
        base = Path(environ["XDG_CACHE_HOME"])
    elif os.name == "nt" and environ.get("LOCALAPPDATA"):
        base = Path(environ["LOCALAPPDATA"])
    else:
        base = Path.home() / ".cache"
    return base / "secreview"
