"""A small chat client on the standard library, for two wire protocols.

`openai`: the chat-completions API that OpenAI, vLLM, the llama.cpp server,
Ollama, LM Studio and most hosted services speak.  `anthropic`: the
Messages API.

Structured output degrades gracefully: a JSON schema the server enforces
(OpenAI `response_format: json_schema`, Anthropic forced tool use), then
OpenAI's JSON object mode, then a plain prompt that spells the schema out.
A server that rejects a mode with 400/422 is asked again in the next one,
and the client remembers the mode that worked.  Every reply is parsed and
checked here; what it *means* is checked later (see verify.py).

429 and 5xx answers and network errors are retried with exponential backoff
(honouring Retry-After).  Every HTTP request counts against the run's call
budget, retries included, so `max_calls` bounds the cost.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from secreview.llm import config as llm_config
from secreview.llm.prompts import REPLY_NAME, REPLY_SCHEMA, plain_suffix

RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504, 529})
FATAL = frozenset({401, 402, 403, 404})  # bad key, no credit, no such model: every call would fail
REJECTED = frozenset({400, 413, 415, 422})
MAX_BACKOFF = 60.0
MAX_REPLY_BYTES = 8 * 1024 * 1024
_ERROR_TEXT_LIMIT = 300


@dataclass(frozen=True)
class ChatRequest:
    system: str
    user: str
    max_tokens: int


class LlmError(Exception):
    """A call produced no usable reply."""


class ModelUnavailable(LlmError):
    """The model refused, or a safety filter blocked the request or the reply."""


class MalformedReply(LlmError):
    """The reply is not the JSON object we asked for."""


class CallFailed(LlmError):
    """HTTP or network failure.  `fatal`: every further call would fail the same way."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class BudgetExhausted(LlmError):
    """max_calls was reached before this call."""


class CallBudget:
    """Thread-safe count of HTTP requests against a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self._used >= self.limit:
                raise BudgetExhausted(f"max_calls budget ({self.limit}) reached")
            self._used += 1

    @property
    def used(self) -> int:
        with self._lock:
            return self._used


class ChatClient(Protocol):
    def complete(self, request: ChatRequest) -> dict:
        """The reply as a JSON object, or raise an LlmError."""


# --------------------------------------------------------------------------
# Parsing replies
# --------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_json_object(text: object) -> dict:
    """The JSON object in a model's text: bare, fenced, or surrounded by prose."""
    if not isinstance(text, str) or not text.strip():
        raise MalformedReply("empty reply")
    candidates = [text.strip(), *(m.group(1).strip() for m in _FENCE.finditer(text))]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first:last + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than any reply of ours
            continue
        if isinstance(value, dict):
            return value
    raise MalformedReply(f"reply is not a JSON object: {_clip(text)}")


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _ERROR_TEXT_LIMIT else flat[:_ERROR_TEXT_LIMIT] + "..."


def _refusal_in_error(body: str) -> bool:
    lowered = body.lower()
    return any(word in lowered for word in ("content_filter", "content_policy", "content policy", "safety"))


def _context_overflow(body: str) -> bool:
    lowered = body.lower()
    return any(word in lowered for word in ("context_length", "context length", "maximum context",
                                            "prompt is too long", "too many tokens"))


# --------------------------------------------------------------------------
# The two protocols: URL, headers, request body, reply content
# --------------------------------------------------------------------------


class _OpenAI:
    modes = ("json_schema", "json_object", "plain")

    @staticmethod
    def url(base_url: str) -> str:
        base = base_url.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"

    @staticmethod
    def headers(key: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    @staticmethod
    def payload(request: ChatRequest, model: str, mode: str) -> dict:
        user = request.user if mode == "json_schema" else request.user + plain_suffix()
        body: dict = {
            "model": model,
            "messages": [{"role": "system", "content": request.system}, {"role": "user", "content": user}],
            "temperature": 0,
            "max_tokens": request.max_tokens,
        }
        if mode == "json_schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": REPLY_NAME, "schema": REPLY_SCHEMA, "strict": True}}
        elif mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    @staticmethod
    def content(data: dict, mode: str) -> dict:
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise MalformedReply("reply has no choices[0].message") from None
        if not isinstance(message, dict):
            raise MalformedReply("choices[0].message is not an object")
        if message.get("refusal"):
            raise ModelUnavailable(f"the model refused: {_clip(str(message['refusal']))}")
        if choice.get("finish_reason") == "content_filter":
            raise ModelUnavailable("the provider's content filter blocked the reply")
        return _parsed(message.get("content"), truncated=choice.get("finish_reason") == "length")


class _Anthropic:
    modes = ("tool", "plain")

    @staticmethod
    def url(base_url: str) -> str:
        base = base_url.rstrip("/")
        if base.endswith("/messages"):
            return base
        return base + "/messages" if base.endswith("/v1") else base + "/v1/messages"

    @staticmethod
    def headers(key: str | None) -> dict[str, str]:
        headers = {"anthropic-version": "2023-06-01"}
        if key:
            headers["x-api-key"] = key
        return headers

    @staticmethod
    def payload(request: ChatRequest, model: str, mode: str) -> dict:
        user = request.user if mode == "tool" else request.user + plain_suffix()
        body: dict = {
            "model": model,
            "system": request.system,
            "messages": [{"role": "user", "content": user}],
            "temperature": 0,
            "max_tokens": request.max_tokens,
        }
        if mode == "tool":
            body["tools"] = [{"name": REPLY_NAME, "description": "Report the result of the security review.",
                              "input_schema": REPLY_SCHEMA}]
            body["tool_choice"] = {"type": "tool", "name": REPLY_NAME}
        return body

    @staticmethod
    def content(data: dict, mode: str) -> dict:
        stop = data.get("stop_reason")
        if stop == "refusal":
            raise ModelUnavailable("the model refused (stop_reason: refusal)")
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise MalformedReply("reply has no content blocks")
        for block in blocks:
            if (isinstance(block, dict) and block.get("type") == "tool_use"
                    and block.get("name") == REPLY_NAME and isinstance(block.get("input"), dict)):
                return block["input"]
        text = "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
        return _parsed(text, truncated=stop == "max_tokens")


def _parsed(text: object, truncated: bool) -> dict:
    try:
        return parse_json_object(text)
    except MalformedReply:
        if truncated:
            raise MalformedReply("reply cut off at max_tokens (raise max_tokens)") from None
        raise


_PROTOCOLS = {"openai": _OpenAI, "anthropic": _Anthropic}


# --------------------------------------------------------------------------
# HTTP: the I/O edge
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _HttpResult:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could carry the key and the code to another host: never follow one.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913 - urllib's signature
        return None


def _opener(url: str) -> urllib.request.OpenerDirector:
    # Loopback traffic must not go through an HTTP proxy from the environment.
    proxies = urllib.request.ProxyHandler({}) if llm_config.is_loopback(url) else urllib.request.ProxyHandler()
    return urllib.request.build_opener(proxies, _NoRedirect)


class HttpChatClient:
    """ChatClient over HTTP for the `openai` or `anthropic` protocol."""

    def __init__(self, protocol: str, base_url: str, model: str, api_key: str | None, *,
                 timeout: float, max_retries: int, retry_delay: float, budget: CallBudget,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._protocol = _PROTOCOLS[protocol]
        self._url = self._protocol.url(base_url)
        self._label = llm_config.endpoint_label(self._url)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         "User-Agent": "secreview", **self._protocol.headers(api_key)}
        self._model = model
        self._timeout = timeout
        self._max_retries = max_retries
        self._retry_delay = retry_delay
        self._budget = budget
        self._sleep = sleep
        self._opener = _opener(self._url)
        self._mode_index = 0

    @property
    def mode(self) -> str:
        return self._protocol.modes[self._mode_index]

    def complete(self, request: ChatRequest) -> dict:
        while True:
            mode_index = self._mode_index
            mode = self._protocol.modes[mode_index]
            result = self._post_with_retries(self._protocol.payload(request, self._model, mode))
            if result.status == 200:
                return self._protocol.content(self._json(result), mode)
            if result.status in REJECTED and _refusal_in_error(result.text):
                raise ModelUnavailable(f"the provider's safety filter blocked the request: {_clip(result.text)}")
            weaker_mode_left = mode_index + 1 < len(self._protocol.modes)
            if result.status in REJECTED and weaker_mode_left and not _context_overflow(result.text):
                # Probably a structured-output mode this server lacks: ask again in the next mode.
                self._mode_index = max(self._mode_index, mode_index + 1)
                continue
            raise CallFailed(f"HTTP {result.status} from {self._label}: {_clip(result.text)}",
                             fatal=result.status in FATAL)

    def _json(self, result: _HttpResult) -> dict:
        try:
            data = json.loads(result.body)
        except (ValueError, RecursionError):
            raise MalformedReply(f"the server's answer is not JSON: {_clip(result.text)}") from None
        if not isinstance(data, dict):
            raise MalformedReply("the server's answer is not a JSON object")
        return data

    def _post_with_retries(self, payload: dict) -> _HttpResult:
        body = json.dumps(payload).encode("utf-8")
        for attempt in range(self._max_retries + 1):
            self._budget.take()
            outcome = self._attempt(body)
            final = attempt == self._max_retries
            if isinstance(outcome, _HttpResult):
                if outcome.status not in RETRYABLE or final:
                    return outcome
                delay = self._backoff(attempt, outcome.headers.get("Retry-After"))
            elif final:
                raise self._network_failure(outcome)
            else:
                delay = self._backoff(attempt, None)
            self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, body: bytes) -> _HttpResult | Exception:
        try:
            return self._post(body)
        except (OSError, http.client.HTTPException) as error:
            return error

    def _post(self, body: bytes) -> _HttpResult:
        request = urllib.request.Request(self._url, data=body, headers=self._headers, method="POST")
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return _HttpResult(response.status, response.headers, response.read(MAX_REPLY_BYTES))
        except urllib.error.HTTPError as error:
            with error:
                return _HttpResult(error.code, error.headers or {}, error.read(MAX_REPLY_BYTES))

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = math.nan  # an HTTP date: fall back to our own schedule
            if math.isfinite(seconds):  # nan would reach time.sleep(); inf is capped below anyway
                return min(max(seconds, 0.0), MAX_BACKOFF)
        return min(self._retry_delay * 2 ** attempt, MAX_BACKOFF)

    def _network_failure(self, error: BaseException) -> CallFailed:
        if isinstance(error, TimeoutError) or "timed out" in str(error):
            return CallFailed(f"no answer from {self._label} within {self._timeout:g} s")
        reason = getattr(error, "reason", error)
        # The endpoint cannot be reached at all: stop instead of failing every chunk slowly.
        return CallFailed(f"cannot reach {self._label}: {reason}", fatal=True)
