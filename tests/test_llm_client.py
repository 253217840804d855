"""The standard-library chat client, against the fake server on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest

from llm_fake_server import FakeModelServer, Findings, Raw, Refusal, Status
from secreview.llm.client import (
    BudgetExhausted, CallBudget, CallFailed, ChatRequest, HttpChatClient, MalformedReply, ModelUnavailable,
    parse_json_object,
)

REPLY = {"findings": [], "static_findings": [{"id": "S1", "verdict": "confirmed", "reason": "yes"}]}
REQUEST = ChatRequest("system words", "user words", 256)


def make_client(url: str, protocol: str = "openai", key: str | None = None, max_calls: int = 20,
                max_retries: int = 2, sleeps: list | None = None) -> HttpChatClient:
    budget = CallBudget(max_calls)
    return HttpChatClient(protocol, url, "fake-model", key, timeout=5, max_retries=max_retries, retry_delay=0.0,
                          budget=budget, sleep=(sleeps.append if sleeps is not None else lambda _: None))


def test_openai_json_schema_mode() -> None:
    with FakeModelServer([Findings(REPLY)]) as server:
        assert make_client(server.openai_url, key="sk-test").complete(REQUEST) == REPLY
    (request,) = server.requests
    assert request.path == "/v1/chat/completions" and request.mode == "json_schema"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.body["model"] == "fake-model" and request.body["max_tokens"] == 256
    assert request.body["messages"][0] == {"role": "system", "content": "system words"}


def test_no_key_no_authorization_header() -> None:
    with FakeModelServer([Findings(REPLY)]) as server:
        make_client(server.openai_url).complete(REQUEST)
    assert "authorization" not in server.requests[0].headers


def test_structured_output_falls_back_and_remembers_the_mode_that_works() -> None:
    with FakeModelServer([Findings(REPLY)], reject_modes={"json_schema"}) as server:
        client = make_client(server.openai_url)
        assert client.complete(REQUEST) == REPLY
        assert client.complete(REQUEST) == REPLY
    assert [r.mode for r in server.requests] == ["json_schema", "json_object", "json_object"]


def test_plain_prompt_is_the_last_resort_and_prose_around_json_is_tolerated() -> None:
    text = 'Here is my review:\n```json\n{"findings": [], "static_findings": []}\n```\nHope it helps.'
    with FakeModelServer([Raw(text)], reject_modes={"json_schema", "json_object"}) as server:
        assert make_client(server.openai_url).complete(REQUEST) == {"findings": [], "static_findings": []}
    assert [r.mode for r in server.requests] == ["json_schema", "json_object", "plain"]
    assert "JSON schema" in server.requests[-1].user_text, "the plain prompt spells the schema out"


def test_anthropic_tool_use_and_headers() -> None:
    with FakeModelServer([Findings(REPLY)]) as server:
        assert make_client(server.anthropic_url, protocol="anthropic", key="ak-test").complete(REQUEST) == REPLY
    (request,) = server.requests
    assert request.path == "/v1/messages" and request.mode == "tool"
    assert request.headers["x-api-key"] == "ak-test" and request.headers["anthropic-version"]
    assert request.body["system"] == "system words" and request.body["tool_choice"]["type"] == "tool"


def test_anthropic_without_tools_falls_back_to_plain_text() -> None:
    with FakeModelServer([Findings(REPLY)], reject_modes={"tool"}) as server:
        assert make_client(server.anthropic_url, protocol="anthropic").complete(REQUEST) == REPLY
    assert [r.mode for r in server.requests] == ["tool", "plain"]


def test_429_then_success_is_retried_with_backoff() -> None:
    sleeps: list[float] = []
    with FakeModelServer([Status(429), Status(503, headers={}), Findings(REPLY)]) as server:
        client = make_client(server.openai_url, sleeps=sleeps)
        assert client.complete(REQUEST) == REPLY
    assert len(server.requests) == 3
    assert sleeps == [0.0, 0.0], "Retry-After: 0 is honoured, then the (test) backoff of 0 s"


def test_server_errors_give_up_after_the_retries() -> None:
    with FakeModelServer([Status(503)]) as server:
        with pytest.raises(CallFailed, match="HTTP 503") as error:
            make_client(server.openai_url, max_retries=2).complete(REQUEST)
    assert len(server.requests) == 3 and not error.value.fatal


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_refusal_is_model_unavailable(protocol: str) -> None:
    with FakeModelServer([Refusal()]) as server:
        url = server.openai_url if protocol == "openai" else server.anthropic_url
        with pytest.raises(ModelUnavailable, match="refused"):
            make_client(url, protocol=protocol).complete(REQUEST)


def test_safety_block_as_http_error_is_model_unavailable() -> None:
    body = '{"error": {"code": "content_policy_violation", "message": "blocked"}}'
    with FakeModelServer([Status(400, body=body, headers={})]) as server:
        with pytest.raises(ModelUnavailable):
            make_client(server.openai_url).complete(REQUEST)


def test_bad_key_is_fatal() -> None:
    with FakeModelServer([Status(401, body='{"error": "invalid api key"}', headers={})]) as server:
        with pytest.raises(CallFailed) as error:
            make_client(server.openai_url).complete(REQUEST)
    assert error.value.fatal and len(server.requests) == 1


def test_unreachable_server_is_fatal() -> None:
    with socket.socket() as probe:  # a port on 127.0.0.1 that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CallFailed, match="cannot reach") as error:
        make_client(f"http://127.0.0.1:{port}/v1", max_retries=1).complete(REQUEST)
    assert error.value.fatal


def test_malformed_reply() -> None:
    with FakeModelServer([Raw("{'findings': [oops")]) as server:
        with pytest.raises(MalformedReply):
            make_client(server.openai_url).complete(REQUEST)


def test_retries_count_against_the_budget() -> None:
    with FakeModelServer([Status(429)]) as server:
        client = make_client(server.openai_url, max_calls=2, max_retries=5)
        with pytest.raises(BudgetExhausted):
            client.complete(REQUEST)
    assert len(server.requests) == 2


@pytest.mark.parametrize("text", [
    '{"findings": []}', ' \n{"findings": []}\n', 'Sure! {"findings": []} Done.', '```\n{"findings": []}\n```',
])
def test_json_object_is_found_in_the_reply_text(text: str) -> None:
    assert parse_json_object(text) == {"findings": []}


@pytest.mark.parametrize("text", ["", "[1, 2]", "no json here", None])
def test_replies_without_an_object_are_malformed(text: object) -> None:
    with pytest.raises(MalformedReply):
        parse_json_object(text)
