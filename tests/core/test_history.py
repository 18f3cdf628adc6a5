"""Whatever happens in a turn, the next request holds a history strict providers accept."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from typing import Any

from jupyter_orch.core.errors import ProviderError
from jupyter_orch.core.events import TextDelta, TurnFailed, TurnFinished
from jupyter_orch.core.messages import Usage
from jupyter_orch.core.orchestrator import EMPTY_ANSWER, Orchestrator
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.core.provider import FinishChunk, ProviderRequest, TextChunk, UsageChunk
from jupyter_orch.core.request import ChatRequest
from jupyter_orch.core.thread import Thread
from jupyter_orch.providers.scripted import ScriptedProvider
from tests.core.test_orchestrator import AddTool


def assert_valid(messages: list[dict[str, Any]]) -> None:
    """No two user messages in a row; every assistant tool call answered; no empty message."""
    roles = [m["role"] for m in messages if m["role"] != "system"]
    for a, b in itertools.pairwise(roles):
        assert not (a == b == "user"), roles
    for i, m in enumerate(messages):
        if m["role"] == "assistant":
            assert m.get("content") or m.get("tool_calls"), m
            ids = [c["id"] for c in m.get("tool_calls") or []]
            answered = [n.get("tool_call_id") for n in messages[i + 1 : i + 1 + len(ids)]]
            assert answered == ids, (ids, answered)
            for call in m.get("tool_calls") or []:
                assert isinstance(json.loads(call["function"]["arguments"]), dict)


def _next_request(
    provider: ScriptedProvider, orch: Orchestrator, thread: Thread
) -> ProviderRequest:
    provider.enqueue_text("fine")

    async def go() -> None:
        async for _ in orch.run(ChatRequest("next", thread, "scripted/m")):
            pass

    asyncio.run(go())
    return provider.requests[-1]


def test_an_interrupt_before_the_first_token_leaves_no_dangling_user_message() -> None:
    provider = ScriptedProvider().enqueue_hang()
    orch = Orchestrator(provider)
    thread = Thread()

    async def interrupted() -> None:
        task = asyncio.ensure_future(_drain(orch.run(ChatRequest("first", thread, "scripted/m"))))
        deadline = asyncio.get_running_loop().time() + 5
        while not provider.requests:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    request = _next_request(provider, orch, thread)
    assert_valid(request.messages)
    assert [m["content"] for m in request.messages] == ["next"]


def test_invalid_json_arguments_are_not_sent_back_as_they_were() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", '{"a": 1, "b": ', id="bad")
    provider.enqueue_text("sorry")
    orch = Orchestrator(provider, policy=PolicyTable(default="auto"))
    orch.registry.add(AddTool())
    thread = Thread()
    asyncio.run(_drain(orch.run(ChatRequest("add", thread, "scripted/m"))))
    assert_valid(provider.requests[1].messages)
    assert "invalid arguments" in provider.requests[1].messages[-1]["content"]
    assert_valid(_next_request(provider, orch, thread).messages)


def test_an_empty_answer_is_kept_as_a_placeholder_the_next_request_accepts() -> None:
    provider = ScriptedProvider()
    provider.enqueue_chunks([UsageChunk(Usage(3, 0)), FinishChunk("stop")])
    orch = Orchestrator(provider)
    thread = Thread()
    events = asyncio.run(_drain(orch.run(ChatRequest("say nothing", thread, "scripted/m"))))
    assert isinstance(events[-1], TurnFinished) and events[-1].answer == ""
    request = _next_request(provider, orch, thread)
    assert_valid(request.messages)
    assert request.messages[1] == {"role": "assistant", "content": EMPTY_ANSWER}


def test_a_surrogate_pair_split_over_two_chunks_arrives_whole() -> None:
    provider = ScriptedProvider()
    provider.enqueue_chunks(
        [TextChunk("smile \ud83d"), TextChunk("\ude00 and \udc00 alone"), FinishChunk("stop")]
    )
    events = asyncio.run(_drain(Orchestrator(provider).run(ChatRequest("x", Thread(), "s/m"))))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "smile 😀 and \ufffd alone"
    text.encode("utf-8")  # every piece can be shown


def test_an_unexpected_provider_bug_fails_the_turn_in_one_line_and_the_thread_stays_valid() -> None:
    class Broken(ScriptedProvider):
        async def stream(self, request: ProviderRequest) -> Any:  # type: ignore[override]
            yield TextChunk("half ")
            raise KeyError("choices")

    provider = Broken()
    orch = Orchestrator(provider)
    thread = Thread()
    events = asyncio.run(_drain(orch.run(ChatRequest("x", thread, "s/m"))))
    failed = events[-1]
    assert isinstance(failed, TurnFailed) and failed.kind == "bug"
    assert failed.message == "internal error: KeyError: 'choices'" and failed.partial == "half "
    ok = ScriptedProvider()
    assert_valid(_next_request(ok, Orchestrator(ok), thread).messages)


def test_a_provider_error_in_the_retry_wait_leaves_a_valid_thread() -> None:
    provider = ScriptedProvider().enqueue_error(ProviderError("rate limited", "rate_limit"))
    orch = Orchestrator(provider)
    thread = Thread()
    asyncio.run(_drain(orch.run(ChatRequest("x", thread, "s/m"))))
    assert_valid(_next_request(provider, orch, thread).messages)


async def _drain(events: Any) -> list[Any]:
    return [e async for e in events]
