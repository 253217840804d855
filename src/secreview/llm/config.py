"""Settings of the optional model reviewer: `[tool.secreview.llm]` under flags.

Precedence: built-in defaults < `[tool.secreview.llm]` in pyproject.toml (or
`[llm]` in secreview.toml, found and read by secreview.config, the one loader) <
command-line flags.  The file can configure the reviewer but never switch it
on: only `--llm` sends code anywhere.  API keys are never read from files or
flags, only the *name* of the environment variable that holds one.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from secreview import config as review_config

PROTOCOLS = ("openai", "anthropic")

# With no base_url, the OpenAI protocol talks to a local Ollama: code stays on this machine.
DEFAULT_BASE_URL = {"openai": "http://127.0.0.1:11434/v1", "anthropic": "https://api.anthropic.com"}
DEFAULT_KEY_ENV = {"openai": None, "anthropic": "ANTHROPIC_API_KEY"}


class ConfigError(ValueError):
    """The LLM settings are unusable; the message says what to change."""


@dataclass(frozen=True)
class LlmConfig:
    protocol: str = "openai"
    base_url: str = ""  # "" = the protocol's default
    model: str = ""
    api_key_env: str | None = None  # None = the protocol's default ("" = send no key)
    timeout: float = 120.0  # seconds per HTTP request
    max_calls: int = 100  # HTTP requests per run, retries included
    max_tokens: int = 4096  # reply tokens per call
    max_retries: int = 3  # extra attempts after a 429, 5xx or network error
    retry_delay: float = 1.0  # first backoff in seconds, doubled per attempt
    chunk_lines: int = 300  # files up to this many lines go whole; larger ones by function/class
    jobs: int = 1  # concurrent requests
    cache: bool = True
    cache_dir: str = ""  # "" = the user's cache directory

    @property
    def endpoint(self) -> str:
        return self.base_url or DEFAULT_BASE_URL[self.protocol]

    @property
    def key_variable(self) -> str | None:
        name = DEFAULT_KEY_ENV[self.protocol] if self.api_key_env is None else self.api_key_env
        return name or None


_FIELDS = {f.name: f for f in dataclasses.fields(LlmConfig)}
_POSITIVE = ("timeout", "max_calls", "max_tokens", "chunk_lines", "jobs")
_NON_NEGATIVE = ("max_retries", "retry_delay")
_SECONDS = ("timeout", "retry_delay")


def find_pyproject(start: Path) -> Path | None:
    """The nearest configuration file in `start` or above (secreview.config does the finding)."""
    return review_config.discover(start)


def read_pyproject(path: Path) -> dict:
    """The LLM table (`[tool.secreview.llm]`, or `[llm]` of secreview.toml) of `path` ({} when absent)."""
    try:
        return dict(review_config.load(path).llm)
    except review_config.ConfigError as error:
        raise ConfigError(str(error)) from None


def resolve(file_values: Mapping[str, object], flag_values: Mapping[str, object]) -> LlmConfig:
    """Defaults < file < flags (flags left at None do not override)."""
    if "api_key" in file_values:
        raise ConfigError("[tool.secreview.llm] must not hold a key: put it in an environment variable "
                          "and give that variable's name as api_key_env")
    unknown = sorted(set(file_values) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"unknown key(s) in [tool.secreview.llm]: {', '.join(unknown)} "
                          f"(known: {', '.join(_FIELDS)})")
    merged = {**file_values, **{k: v for k, v in flag_values.items() if v is not None}}
    config = LlmConfig(**{name: _typed(name, value) for name, value in merged.items()})
    _validate(config)
    return config


def _typed(name: str, value: object) -> object:
    """Check a value against the field's type; TOML ints are fine where floats are wanted."""
    kind = _FIELDS[name].type
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind in ("str", "str | None") and isinstance(value, str):
        return value
    raise ConfigError(f"llm setting {name!r} must be of type {kind}, got {value!r}")


def _validate(config: LlmConfig) -> None:
    if config.protocol not in PROTOCOLS:
        raise ConfigError(f"unknown llm protocol {config.protocol!r} (choose from {', '.join(PROTOCOLS)})")
    if not config.model.strip():
        raise ConfigError("--llm needs a model name: --llm-model NAME or model = \"...\" in [tool.secreview.llm]")
    _check_url(config.endpoint)
    if "\0" in config.cache_dir:
        raise ConfigError("llm setting 'cache_dir' must be a path, without NUL characters")
    for name in _SECONDS:  # nan or inf would reach a socket timeout or time.sleep()
        value = getattr(config, name)
        if not math.isfinite(value) or value > review_config.MAX_SECONDS:
            raise ConfigError(f"llm setting {name!r} must be a finite number of seconds, at most "
                              f"{review_config.MAX_SECONDS:.0f}, got {value!r}")
    for name in _POSITIVE:
        if getattr(config, name) <= 0:
            raise ConfigError(f"llm setting {name!r} must be positive")
    for name in _NON_NEGATIVE:
        if getattr(config, name) < 0:
            raise ConfigError(f"llm setting {name!r} must not be negative")


def _check_url(url: str) -> None:
    """An http(s) URL with a host and, if any, a port in range (`http://[::1` or port 99999 are errors)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError as error:
        raise ConfigError(f"llm base_url {url!r} is not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c <= " " or c == "\x7f" for c in url):
        raise ConfigError(f"llm base_url must be an http(s) URL, got {url!r}")
    if port == 0:
        raise ConfigError(f"llm base_url {url!r} has port 0")


def api_key(config: LlmConfig, environ: Mapping[str, str]) -> str | None:
    """The key from the named environment variable; refused over plain HTTP to another host."""
    name = config.key_variable
    if name is None:
        return None
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} (api_key_env) is not set; "
                          f"set it, or set api_key_env = \"\" for a server that needs no key")
    if urlsplit(config.endpoint).scheme == "http" and not is_loopback(config.endpoint):
        raise ConfigError(f"refusing to send the key in {name} over plain http to {endpoint_label(config.endpoint)}; "
                          "use https")
    return value


def is_loopback(url: str) -> bool:
    """True when the host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_label(url: str) -> str:
    """The URL without user info, query or fragment: safe to print in a report."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """$XDG_CACHE_HOME/secreview/llm, else the platform's usual cache directory."""
    return review_config.default_cache_root(environ) / "llm"


def cache_dir(config: LlmConfig, environ: Mapping[str, str]) -> Path | None:
    if not config.cache:
        return None
    return Path(config.cache_dir) if config.cache_dir else default_cache_dir(environ)
