"""The fake OpenAI server, exercised through real litellm and through plain HTTP."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Without this, `import litellm` downloads its price list: set it before the import.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import litellm
from litellm import exceptions as errors

from jupyter_orch.core.errors import UsageError
from jupyter_orch.testing import openai_server
from jupyter_orch.testing.openai_server import (
    OpenAIServer,
    Reply,
    echo_responder,
    tool_then_answer,
)
from jupyter_orch.testing.replies import CallInput
from jupyter_orch.testing.script import load_script

litellm.suppress_debug_info = True

# litellm 1.106 itself trips these pydantic warnings (ReadOnly TypedDict items on first use;
# dir() over a Delta on empty chunks, e.g. the usage chunk); with warnings as errors they would
# break the stream inside litellm.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Item .* is using the `ReadOnly` qualifier:UserWarning"),
    pytest.mark.filterwarnings(
        "ignore:Accessing the 'model_.*' attribute on the instance is deprecated:DeprecationWarning"
    ),
]

USER_HI = [{"role": "user", "content": "hi there"}]


# ---------------------------------------------------------------- helpers


async def _litellm_stream(server: OpenAIServer, **kwargs: Any) -> list[Any]:
    kwargs.setdefault("messages", USER_HI)
    response = await litellm.acompletion(
        model="openai/test-model", api_base=server.url, api_key="sk-test", stream=True, **kwargs
    )
    return [chunk async for chunk in response]


def _stream_until_error(server: OpenAIServer, **kwargs: Any) -> tuple[list[Any], BaseException]:
    """Stream through litellm, collecting chunks until the error the test expects."""
    chunks: list[Any] = []

    async def run() -> BaseException:
        kwargs.setdefault("messages", USER_HI)
        try:
            response = await litellm.acompletion(
                model="openai/test-model",
                api_base=server.url,
                api_key="sk-test",
                stream=True,
                **kwargs,
            )
            async for chunk in response:
                chunks.append(chunk)
        except Exception as error:
            return error
        raise AssertionError(f"the stream ended without an error after {len(chunks)} chunks")

    return chunks, asyncio.run(run())


def _built_choice(chunks: list[Any]) -> Any:
    built = litellm.stream_chunk_builder(chunks)
    assert built is not None
    return built.model_dump()["choices"][0]


def _text_of(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _post(url: str, body: Any, timeout: float = 5.0) -> tuple[int, Any, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        connection.request("POST", parts.path + "/chat/completions", payload, headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _sse_events(body: bytes) -> list[Any]:
    events = [e for e in body.split(b"\n\n") if e]
    assert all(e.startswith(b"data: ") for e in events), events
    assert events[-1] == b"data: [DONE]"
    return [json.loads(e[len(b"data: ") :]) for e in events[:-1]]


def _sse_text(body: bytes) -> str:
    return "".join(
        e["choices"][0]["delta"].get("content") or "" for e in _sse_events(body) if e["choices"]
    )


def _stream_body(messages: list[dict[str, Any]] = USER_HI, **extra: Any) -> dict[str, Any]:
    return {"model": "test-model", "messages": messages, "stream": True, **extra}


# ---------------------------------------------------------------- through litellm


def test_text_streams_in_several_chunks_and_reassembles_through_litellm() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.text("Hello **world**", chunk_chars=4))
        chunks = asyncio.run(_litellm_stream(server, stream_options={"include_usage": True}))
    content = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert content == ["Hell", "o **", "worl", "d**"]
    assert _text_of(chunks) == "Hello **world**"
    usage = [c.usage for c in chunks if getattr(c, "usage", None)]
    assert usage and usage[-1].completion_tokens == 4 and usage[-1].prompt_tokens == 2


def test_two_tool_calls_in_one_response_reassemble_through_litellm() -> None:
    calls: list[CallInput] = [
        ("add", {"a": 2, "b": 3}),
        ("lookup", {"query": "pi", "digits": [1, 2]}, "call_x"),
    ]
    with OpenAIServer() as server:
        server.enqueue(Reply.tool_calls(calls, chunk_chars=5))
        chunks = asyncio.run(_litellm_stream(server))
    choice = _built_choice(chunks)
    got = [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in choice["message"]["tool_calls"]
    ]
    assert got == [
        ("call_1", "add", {"a": 2, "b": 3}),
        ("call_x", "lookup", {"query": "pi", "digits": [1, 2]}),
    ]
    assert choice["finish_reason"] == "tool_calls"
    assert len(chunks) > 6  # the arguments really came in fragments


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, errors.RateLimitError),
        (401, errors.AuthenticationError),
        (500, errors.InternalServerError),
    ],
)
def test_error_status_surfaces_as_the_matching_litellm_exception(
    status: int, expected: type[Exception]
) -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.error(status, f"scripted {status}"))
        chunks, error = _stream_until_error(server, max_retries=0)
    assert not chunks
    assert type(error) is expected, repr(error)
    assert f"scripted {status}" in str(error)


def test_sdk_retries_a_429_with_the_next_reply_unless_told_not_to() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.error(429, "slow down"), Reply.text("after retry"))
        chunks = asyncio.run(_litellm_stream(server))  # default retries
        assert _text_of(chunks) == "after retry"
        assert len(server.requests) == 2
        server.enqueue(Reply.error(429, "slow down", should_retry=False))
        _, error = _stream_until_error(server)
        assert isinstance(error, errors.RateLimitError)
        assert len(server.requests) == 3


def test_cut_stream_delivers_the_first_chunks_then_raises_mid_stream() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.text("partial answer here", chunk_chars=4, cut_after=3))
        chunks, error = _stream_until_error(server, max_retries=0)
    assert _text_of(chunks) == "partial answ"
    # litellm wraps the transport's "payload is not completed" as MidStreamFallbackError,
    # a ServiceUnavailableError (status 503) whose message names the APIConnectionError.
    assert isinstance(error, errors.MidStreamFallbackError)
    assert isinstance(error, errors.ServiceUnavailableError)
    assert "APIConnectionError" in str(error)


def test_hanging_reply_makes_the_client_time_out() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.hang())
        started = time.monotonic()
        chunks, error = _stream_until_error(server, timeout=0.3, max_retries=0)
        waited = time.monotonic() - started
        assert isinstance(error, errors.Timeout), repr(error)
        assert not chunks and waited >= 0.3
        assert len(server.requests) == 1


def test_non_streaming_request_gets_a_whole_completion_through_litellm() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.tool_calls([("add", {"a": 1})], text="Let me add."))
        response = asyncio.run(
            litellm.acompletion(
                model="openai/test-model", api_base=server.url, api_key="sk-test", messages=USER_HI
            )
        )
    choice = response.model_dump()["choices"][0]
    assert choice["message"]["content"] == "Let me add."
    assert [
        (c["id"], c["function"]["name"], c["function"]["arguments"])
        for c in choice["message"]["tool_calls"]
    ] == [("call_1", "add", '{"a": 1}')]
    assert choice["finish_reason"] == "tool_calls"


def test_tool_then_answer_asks_for_the_tool_then_quotes_its_result() -> None:
    with OpenAIServer(tool_then_answer("add", {"a": 2, "b": 3})) as server:
        call = _built_choice(asyncio.run(_litellm_stream(server)))["message"]["tool_calls"][0]
        history = [
            *USER_HI,
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call["id"], "content": "Rejected: not today"},
        ]
        second = asyncio.run(_litellm_stream(server, messages=history))
    function = call["function"]
    assert (function["name"], json.loads(function["arguments"])) == ("add", {"a": 2, "b": 3})
    assert _text_of(second) == "Tool results: add: Rejected: not today"


# ---------------------------------------------------------------- plain HTTP


def test_stream_has_openai_chunk_shape_and_usage_before_done() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.text(["He", "llo"]))
        status, headers, body = _post(
            server.url, _stream_body(stream_options={"include_usage": True})
        )
    assert status == 200
    assert headers["Transfer-Encoding"] == "chunked"
    assert headers["Content-Type"].startswith("text/event-stream")
    events = _sse_events(body)
    assert [e["choices"][0]["delta"] for e in events[:2]] == [
        {"role": "assistant", "content": "He"},
        {"content": "llo"},
    ]
    assert events[2]["choices"][0]["finish_reason"] == "stop"
    assert events[3]["choices"] == []
    assert events[3]["usage"] == {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}
    assert {e["object"] for e in events} == {"chat.completion.chunk"}
    assert len({e["id"] for e in events}) == 1


def test_tool_call_deltas_open_with_id_and_name_then_carry_argument_fragments() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})], chunk_chars=6))
        _, _, body = _post(server.url, _stream_body())
    deltas = [e["choices"][0]["delta"] for e in _sse_events(body)]
    opening = deltas[0]["tool_calls"][0]
    assert opening == {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "add", "arguments": ""},
    }
    assert deltas[0]["role"] == "assistant"
    fragments = [d["tool_calls"][0]["function"]["arguments"] for d in deltas[1:-1]]
    assert fragments == ['{"a": ', '2, "b"', ": 3}"]
    assert deltas[-1] == {}


def test_requests_are_recorded_in_order_and_can_be_waited_for() -> None:
    with OpenAIServer() as server:
        for n in range(3):
            _post(server.url, _stream_body([{"role": "user", "content": f"message {n}"}]))
        got = server.wait_for_requests(3, timeout=1.0)
        assert [r["messages"][0]["content"] for r in got] == ["message 0", "message 1", "message 2"]
        assert server.requests == got
        assert len(server.first_byte_times) == 3
        with pytest.raises(TimeoutError, match="3 of 4 requests"):
            server.wait_for_requests(4, timeout=0.05)


def test_pacing_at_100_tokens_per_second_spreads_20_tokens_over_190_ms() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.text(["tok"] * 20, tokens_per_second=100))
        started = time.monotonic()
        status, _, body = _post(server.url, _stream_body())
        elapsed = time.monotonic() - started
    assert status == 200
    assert len(_sse_events(body)) == 21
    assert elapsed >= 0.19 * 0.98  # the 20th token is due 19 intervals after the first


def test_a_hanging_request_does_not_block_other_connections_and_stop_ends_it() -> None:
    outcome: list[BaseException | bytes] = []

    def hang() -> None:
        try:
            outcome.append(_post(server.url, _stream_body(), timeout=30)[2])
        except (http.client.HTTPException, OSError) as error:
            outcome.append(error)

    server = OpenAIServer()
    try:
        server.enqueue(Reply.hang())
        client = threading.Thread(target=hang)
        client.start()
        server.wait_for_requests(1)
        status, _, body = _post(server.url, _stream_body())
        assert status == 200 and _sse_text(body) == "echo: hi there"
    finally:
        server.stop()
    client.join(5)
    assert not client.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], http.client.RemoteDisconnected)


def test_stop_cuts_a_slow_stream_short() -> None:
    server = OpenAIServer()
    server.enqueue(Reply.text(["x"] * 1000, tokens_per_second=10))
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("POST", "/v1/chat/completions", json.dumps(_stream_body()).encode())
        response = connection.getresponse()
        assert response.read1().startswith(b"data: ")  # the stream is under way
        started = time.monotonic()
        server.stop()
        stopped_in = time.monotonic() - started
        with pytest.raises(http.client.IncompleteRead):
            response.read()
    finally:
        connection.close()
        server.stop()
    assert stopped_in < 2.0  # the 1,000 paced tokens would take 100 s


def test_non_streaming_body_and_models_list() -> None:
    with OpenAIServer(model="my-model") as server:
        status, _, body = _post(server.url, {"model": "m", "messages": USER_HI})
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        connection.request("GET", "/v1/models")
        models = json.loads(connection.getresponse().read())
        connection.close()
    completion = json.loads(body)
    assert status == 200 and completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"] == "echo: hi there"
    assert completion["usage"]["completion_tokens"] == 4
    assert [m["id"] for m in models["data"]] == ["my-model"]


def test_malformed_requests_and_failing_responders_get_json_errors() -> None:
    def broken(request: dict[str, Any]) -> Reply:
        raise RuntimeError("no reply for you")

    with OpenAIServer(broken) as server:
        bad_json = _post(server.url, b"{not json")
        failing = _post(server.url, _stream_body())
    assert bad_json[0] == 400 and "not JSON" in json.loads(bad_json[2])["error"]["message"]
    assert failing[0] == 500 and "no reply for you" in json.loads(failing[2])["error"]["message"]


# ---------------------------------------------------------------- responders and replies


def test_echo_responder_quotes_the_user_or_the_trailing_tool_results() -> None:
    assert echo_responder({"messages": USER_HI}).text_content == "echo: hi there"
    calls = [
        {"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}},
        {"id": "c2", "type": "function", "function": {"name": "mul", "arguments": "{}"}},
    ]
    messages = [
        *USER_HI,
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": "c1", "content": "5"},
        {"role": "tool", "tool_call_id": "c2", "name": "mul", "content": [{"text": "rejected"}]},
    ]
    reply = echo_responder({"messages": messages})
    assert reply.text_content == "Tool results: add: 5; mul: rejected"


def test_bad_reply_arguments_raise_one_line_usage_errors() -> None:
    with pytest.raises(UsageError, match="chunk_chars"):
        Reply.text("x", chunk_chars=0)
    with pytest.raises(UsageError, match="400-599"):
        Reply.error(200, "fine")
    with pytest.raises(UsageError, match="at least one"):
        Reply.tool_calls([])


def test_public_names_are_pinned() -> None:
    assert sorted(openai_server.__all__) == [
        "OpenAIServer",
        "Reply",
        "ScriptedCall",
        "echo_responder",
        "main",
        "tool_then_answer",
    ]


# ---------------------------------------------------------------- command line


def test_command_line_prints_the_url_then_serves_the_script(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(
        json.dumps(
            [
                "first answer",
                {"tool_calls": [["add", {"a": 1}, "call_7"]]},
                {"error": 429, "message": "slow down"},
            ]
        )
    )
    command = [sys.executable, "-m", "jupyter_orch.testing.openai_server", "--port", "0"]
    with subprocess.Popen(
        [*command, "--script", str(script)], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            first = _post(url, _stream_body())
            second = _post(url, {"messages": USER_HI})
            third = _post(url, _stream_body())
            fourth = _post(url, _stream_body())
        finally:
            process.terminate()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    assert _sse_text(first[2]) == "first answer"
    assert json.loads(second[2])["choices"][0]["message"]["tool_calls"][0]["id"] == "call_7"
    assert third[0] == 429
    assert _sse_text(fourth[2]) == "echo: hi there"  # the script is used up: echo


def test_malformed_script_is_a_one_line_usage_error(tmp_path: Path) -> None:
    script = tmp_path / "bad.json"
    script.write_text(json.dumps([{"tool_calls": [["add"]]}]))
    with pytest.raises(UsageError, match=r"bad.json item 1: malformed reply"):
        load_script(script)
    script.write_text("{")
    with pytest.raises(UsageError, match="cannot read reply script"):
        load_script(script)
