"""The Python API: Chat.send / send_sync / events, through a scripted provider and real LiteLLM."""

from __future__ import annotations

import asyncio

import pytest

from jupyter_orch import Chat
from jupyter_orch.core.errors import OrchError, ProviderError
from jupyter_orch.core.events import TextDelta, ToolCallRejected, TurnFinished
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.testing.openai_server import OpenAIServer, Reply


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_send_sync_keeps_the_conversation() -> None:
    provider = ScriptedProvider().enqueue_text("one").enqueue_text("two")
    chat = Chat("scripted/x", system="sys", provider=provider)
    assert chat.send_sync("first") == "one"
    assert chat.send_sync("second") == "two"
    assert [m["content"] for m in provider.requests[1].messages] == [
        "sys",
        "first",
        "one",
        "second",
    ]


def test_tools_ask_and_the_rule_decides() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", {"a": 2, "b": 3}).enqueue_text("5")
    chat = Chat(
        "scripted/x", provider=provider, tools=[add], approve=lambda p: p.arguments["a"] < 10
    )
    assert chat.send_sync("2+3?") == "5"
    assert provider.requests[1].messages[-1]["content"] == "5"

    provider.enqueue_tool_call("add", {"a": 20, "b": 3}).enqueue_text("no")
    events = asyncio.run(_collect(chat, "20+3?"))
    assert [type(e).__name__ for e in events if isinstance(e, ToolCallRejected)] == [
        "ToolCallRejected"
    ]


async def _collect(chat: Chat, text: str) -> list[object]:
    return [e async for e in chat.events(text)]


def test_a_failed_turn_raises_one_line() -> None:
    provider = ScriptedProvider().enqueue_error(ProviderError("Rate limited.", "rate_limit"))
    with pytest.raises(OrchError, match=r"Rate limited\."):
        Chat("scripted/x", provider=provider).send_sync("hi")


def test_send_streams_through_real_litellm() -> None:
    with OpenAIServer() as server:
        answer = "an answer streamed in several small pieces"
        server.enqueue(Reply.text(answer, chunk_chars=3))
        chat = Chat("openai/test", params={"api_base": server.url, "api_key": "sk-test"})

        async def main() -> list[object]:
            return [e async for e in chat.events("hi")]

        events = asyncio.run(main())
        # Redacted as it streams: whole words come out, a few at a time.
        assert sum(isinstance(e, TextDelta) for e in events) >= 3, events
        assert isinstance(events[-1], TurnFinished) and events[-1].answer == answer
        assert len(server.requests) == 1  # Chat speaks through litellm itself, to the server
        assert chat.send_sync("again") == "echo: again"
