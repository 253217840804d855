"""LLM settings: [tool.secreview.llm] under flags; keys only by environment variable name."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview.llm.config import (
    ConfigError, api_key, cache_dir, default_cache_dir, endpoint_label, find_pyproject, is_loopback,
    read_pyproject, resolve,
)

PYPROJECT = '''
[project]
name = "demo"

[tool.secreview.llm]
protocol = "openai"
base_url = "http://127.0.0.1:8080/v1"
model = "qwen2.5-coder:7b"
max_calls = 20
timeout = 30
cache_dir = ".cache/llm"
'''


def test_pyproject_table_is_read_and_relative_cache_dir_is_the_projects(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    values = read_pyproject(path)
    assert values["model"] == "qwen2.5-coder:7b" and values["max_calls"] == 20
    assert values["cache_dir"] == str(tmp_path.resolve() / ".cache" / "llm")
    config = resolve(values, {})
    assert config.timeout == 30.0 and config.endpoint == "http://127.0.0.1:8080/v1"


def test_nearest_pyproject_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    assert find_pyproject(nested) == tmp_path / "pyproject.toml"


def test_flags_override_the_file() -> None:
    config = resolve({"model": "from-file", "max_calls": 5}, {"model": "from-flag", "max_calls": None})
    assert config.model == "from-flag" and config.max_calls == 5


def test_protocol_defaults() -> None:
    openai = resolve({}, {"model": "m"})
    assert openai.endpoint == "http://127.0.0.1:11434/v1" and openai.key_variable is None
    anthropic = resolve({"protocol": "anthropic"}, {"model": "claude"})
    assert anthropic.endpoint == "https://api.anthropic.com" and anthropic.key_variable == "ANTHROPIC_API_KEY"
    assert resolve({"protocol": "anthropic", "api_key_env": ""}, {"model": "m"}).key_variable is None


@pytest.mark.parametrize("values, message", [
    ({"model": "m", "api_key": "sk-123"}, "must not hold a key"),
    ({"model": "m", "modle": "x"}, "unknown key"),
    ({}, "needs a model"),
    ({"model": "m", "protocol": "grpc"}, "unknown llm protocol"),
    ({"model": "m", "max_calls": "ten"}, "must be of type int"),
    ({"model": "m", "max_calls": 0}, "must be positive"),
    ({"model": "m", "base_url": "ftp://host/v1"}, "http(s) URL"),
    ({"model": "m", "cache": "yes"}, "must be of type bool"),
    # issue 16: crashes later (socket, sleep, urlsplit) become usage errors now
    ({"model": "m", "base_url": "http://127.0.0.1:99999/v1"}, "not a valid URL"),
    ({"model": "m", "base_url": "http://[::1"}, "not a valid URL"),
    ({"model": "m", "timeout": float("nan")}, "finite number of seconds"),
    ({"model": "m", "timeout": float("inf")}, "finite number of seconds"),
    ({"model": "m", "retry_delay": float("nan")}, "finite number of seconds"),
    ({"model": "m", "retry_delay": 1e300}, "finite number of seconds"),
    ({"model": "m", "base_url": "http://a\0b/v1"}, "http(s) URL"),
    ({"model": "m", "cache_dir": "a\0b"}, "without NUL characters"),
])
def test_bad_settings_are_usage_errors(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve(values, {})


def test_key_comes_from_the_named_variable_only() -> None:
    config = resolve({"protocol": "openai", "base_url": "https://api.openai.com/v1", "model": "gpt-4o-mini",
                      "api_key_env": "MY_KEY"}, {})
    assert api_key(config, {"MY_KEY": "sk-test"}) == "sk-test"
    with pytest.raises(ConfigError, match="MY_KEY"):
        api_key(config, {})


def test_key_is_never_sent_over_plain_http_to_another_host() -> None:
    remote = resolve({"base_url": "http://gpu-box.example:8000/v1", "model": "m", "api_key_env": "K"}, {})
    with pytest.raises(ConfigError, match="plain http"):
        api_key(remote, {"K": "secret"})
    local = resolve({"base_url": "http://localhost:8000/v1", "model": "m", "api_key_env": "K"}, {})
    assert api_key(local, {"K": "secret"}) == "secret"


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:11434/v1", True), ("http://localhost:8000", True), ("http://[::1]:8000/v1", True),
    ("http://127.1.2.3/v1", True), ("https://api.openai.com/v1", False), ("http://10.0.0.5:8000/v1", False),
    ("http://localhost.evil.example/v1", False),
])
def test_loopback_detection(url: str, expected: bool) -> None:
    assert is_loopback(url) is expected


def test_endpoint_label_hides_credentials_and_query() -> None:
    assert endpoint_label("https://user:pw@llm.example.com:8443/v1/?key=abc") == "https://llm.example.com:8443/v1"


def test_cache_directory(tmp_path: Path) -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "secreview" / "llm"
    assert cache_dir(resolve({"model": "m", "cache": False}, {}), {}) is None
    assert cache_dir(resolve({"model": "m"}, {"cache_dir": str(tmp_path)}), {}) == tmp_path
