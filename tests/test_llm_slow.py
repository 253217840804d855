"""A real tiny model through llama-cpp-python's OpenAI-compatible server: the plumbing end to end.

Not in the default run: it needs `pip install 'llama-cpp-python[server]'` and a small GGUF
model already on disk, named by SECREVIEW_TEST_GGUF (for example a Qwen2.5-Coder-0.5B-Instruct
Q4 file).  Nothing is downloaded here.  The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

MODEL = os.environ.get("SECREVIEW_TEST_GGUF", "")
STARTUP_SECONDS = 120

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None
                       or importlib.util.find_spec("llama_cpp.server") is None,
                       reason="llama-cpp-python[server] is not installed"),
    pytest.mark.skipif(not Path(MODEL).is_file(), reason="set SECREVIEW_TEST_GGUF to a local GGUF model file"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail("llama_cpp.server did not start in time")


@pytest.fixture(scope="module")
def llama_server():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", MODEL, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_tiny_model_reviews_the_example_end_to_end(llama_server: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "secreview", "--llm", "--llm-base-url", llama_server, "--llm-model", "local",
         "--llm-no-cache", "--llm-max-tokens", "1024", "--llm-timeout", "600", "-f", "json",
         str(REPO / "examples" / "vulnerable_app.py")],
        capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["llm"]["calls"] >= 1
    # The server constrains the reply to JSON, so every chunk gets a parsed answer ...
    assert data["llm"]["chunks_reviewed"] == data["llm"]["chunks"], data["llm"]["incomplete_reason"]
    assert result.returncode == 1
    # ... and whatever a tiny model claims, only verified claims are reported.
    for finding in data["findings"]:
        if finding["origin"] == "llm":
            assert any(line["flagged"] for line in finding["excerpt"])
    assert any(f["origin"] in ("pattern", "taint", "both") for f in data["findings"])
