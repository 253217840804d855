"""A fake model server for the LLM reviewer tests: real HTTP on 127.0.0.1, standard library only.

It speaks both protocols secreview uses, chosen by the request path:
`.../chat/completions` (OpenAI) and `.../messages` (Anthropic).  Replies are
scripted: each request takes the next step of the script (the last step
repeats once the script is used up, `Findings({})` when there was none).

Steps:
    Findings(payload)    a well-formed answer; payload is the review JSON, or a
                         function of the user message returning it
    Raw(text)            the model's text as given (malformed JSON, prose, ...)
    Refusal(text)        a refusal (OpenAI `refusal`, Anthropic stop_reason refusal)
    Status(code, ...)    an HTTP error such as 429 or 503 (Retry-After: 0 by default)

`reject_modes` makes the server answer 400 to structured-output modes it
"does not support" ("json_schema", "json_object", "tool"), without using a
step, to exercise the client's fallback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Findings:
    payload: dict | Callable[[str], dict]


@dataclass(frozen=True)
class Raw:
    text: str


@dataclass(frozen=True)
class Refusal:
    text: str = "I can't help with that."


@dataclass(frozen=True)
class Status:
    code: int
    body: str = '{"error": {"message": "try again"}}'
    headers: dict = field(default_factory=lambda: {"Retry-After": "0"})


Step = Findings | Raw | Refusal | Status


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict
    body: dict

    @property
    def mode(self) -> str:
        if "tools" in self.body:
            return "tool"
        return self.body.get("response_format", {}).get("type", "plain")

    @property
    def user_text(self) -> str:
        return self.body["messages"][-1]["content"]


class FakeModelServer:
    def __init__(self, script: Iterable[Step] = (), reject_modes: Iterable[str] = ()) -> None:
        self._script = list(script) or [Findings({"findings": [], "static_findings": []})]
        self._reject = frozenset(reject_modes)
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-model-server", daemon=True)

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> FakeModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_url(self) -> str:
        return self.root + "/v1"

    @property
    def anthropic_url(self) -> str:
        return self.root

    # -- behaviour ---------------------------------------------------------

    def _next_step(self) -> Step:
        with self._lock:
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    def _respond(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        with self._lock:
            self.requests.append(recorded)
        anthropic = recorded.path.endswith("/messages")
        if recorded.mode in self._reject:
            return 400, {}, json.dumps({"error": {"message": f"{recorded.mode} is not supported"}}).encode()
        step = self._next_step()
        if isinstance(step, Status):
            return step.code, step.headers, step.body.encode()
        envelope = _anthropic(step, recorded) if anthropic else _openai(step, recorded)
        return 200, {}, json.dumps(envelope).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                recorded = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                status, headers, payload = server._respond(recorded)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
                pass

        return Handler


def _payload(step: Findings, recorded: Recorded) -> dict:
    return step.payload(recorded.user_text) if callable(step.payload) else step.payload


def _openai(step: Step, recorded: Recorded) -> dict:
    message: dict = {"role": "assistant", "content": None}
    finish = "stop"
    if isinstance(step, Findings):
        message["content"] = json.dumps(_payload(step, recorded))
    elif isinstance(step, Raw):
        message["content"] = step.text
    elif isinstance(step, Refusal):
        message["refusal"] = step.text
    return {"id": "fake", "object": "chat.completion", "model": recorded.body.get("model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}]}


def _anthropic(step: Step, recorded: Recorded) -> dict:
    content: list[dict] = []
    stop = "end_turn"
    if isinstance(step, Findings):
        payload = _payload(step, recorded)
        if recorded.mode == "tool":
            content = [{"type": "tool_use", "id": "toolu_fake", "name": recorded.body["tools"][0]["name"],
                        "input": payload}]
            stop = "tool_use"
        else:
            content = [{"type": "text", "text": json.dumps(payload)}]
    elif isinstance(step, Raw):
        content = [{"type": "text", "text": step.text}]
    elif isinstance(step, Refusal):
        stop = "refusal"
    return {"id": "msg_fake", "type": "message", "role": "assistant", "model": recorded.body.get("model"),
            "content": content, "stop_reason": stop}
