"""Odd and broken replies, through both provider paths: one line each, nothing lost or hung."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from jupyter_orch.core.errors import ProviderError
from jupyter_orch.core.provider import FinishChunk, ProviderRequest, TextChunk
from jupyter_orch.providers.litellm import LiteLLMProvider
from jupyter_orch.providers.openai_http import OpenAIHTTPProvider
from jupyter_orch.testing.openai_server import OpenAIServer, Reply

PATHS = ["openai-http", "litellm"]


def _provider(path: str) -> Any:
    if path == "litellm":
        return LiteLLMProvider(timeout=5, max_retries=0)
    return OpenAIHTTPProvider(timeout=5, max_retries=0)


def _stream(path: str, base: str) -> list[Any]:
    request = ProviderRequest(
        "openai/test-model",
        [{"role": "user", "content": "hi"}],
        params={"api_base": base, "api_key": "sk-test"},
    )

    async def collect() -> list[Any]:
        return [c async for c in _provider(path).stream(request)]

    return asyncio.run(collect())


def _sse(*events: dict[str, Any], done: bool = True) -> str:
    lines = [f"data: {json.dumps(e)}\n\n" for e in events]
    return "".join(lines) + ("data: [DONE]\n\n" if done else "")


def _delta(content: Any = None, finish: str | None = None) -> dict[str, Any]:
    delta = {} if content is None else {"content": content}
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _text(chunks: list[Any]) -> str:
    return "".join(c.text for c in chunks if isinstance(c, TextChunk))


@pytest.mark.parametrize("path", PATHS)
def test_a_wrongly_typed_field_is_one_line(path: str) -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.raw(_sse(_delta("ok "), _delta(12345), _delta(finish="stop"))))
        try:
            chunks = _stream(path, server.url)
        except ProviderError as exc:
            assert "\n" not in exc.message and "12345" in exc.message
            return
    # litellm reads the number as text: no traceback, and only text reaches the answer.
    assert path == "litellm" and _text(chunks) in ("ok ", "ok 12345")


@pytest.mark.parametrize("path", PATHS)
def test_an_error_event_inside_the_stream_fails_the_call(path: str) -> None:
    with OpenAIServer() as server:
        body = _sse(_delta("partial "), {"error": {"message": "upstream overloaded"}})
        server.enqueue(Reply.raw(body))
        with pytest.raises(ProviderError, match="upstream overloaded"):
            _stream(path, server.url)


@pytest.mark.parametrize("path", PATHS)
def test_a_stream_with_a_finish_reason_but_no_done_is_complete(path: str) -> None:
    with OpenAIServer() as server:
        server.enqueue(
            Reply.raw(_sse(_delta("all "), _delta("here"), _delta(finish="stop"), done=False))
        )
        chunks = _stream(path, server.url)
    assert _text(chunks) == "all here"
    assert any(isinstance(c, FinishChunk) for c in chunks)


@pytest.mark.parametrize("path", PATHS)
def test_a_whole_json_completion_to_a_streaming_request_is_read(path: str) -> None:
    completion = {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "not streamed"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }
    with OpenAIServer() as server:
        server.enqueue(Reply.raw(json.dumps(completion), content_type="application/json"))
        try:
            chunks = _stream(path, server.url)
        except ProviderError as exc:  # acceptable only as one line that says so
            assert "\n" not in exc.message and path == "litellm", exc.message
            return
    assert _text(chunks) == "not streamed"


@pytest.mark.parametrize("path", PATHS)
def test_an_html_page_instead_of_a_stream_is_an_error(path: str) -> None:
    page = "<html><body><h1>Sign in to the guest network</h1></body></html>"
    with OpenAIServer() as server:
        server.enqueue(Reply.raw(page, content_type="text/html"))
        with pytest.raises(ProviderError) as failed:
            _stream(path, server.url)
    assert "\n" not in failed.value.message


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "base", ["127.0.0.1:8000/v1", "ftp://127.0.0.1/v1", "http://[::1/v1", "http:///v1"]
)
def test_a_bad_api_base_is_one_line_naming_the_setting(path: str, base: str) -> None:
    with pytest.raises(ProviderError) as failed:
        _stream(path, base)
    assert failed.value.kind == "config"
    assert failed.value.message.startswith("api_base ") and "\n" not in failed.value.message
