"""A running tool call: its progress, and failures that stay the tool's own."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from jupyter_orch.core.context import current_call
from jupyter_orch.core.events import ToolCallFinished, ToolCallProgressed, TurnFinished
from jupyter_orch.core.messages import ToolCall, ToolResult
from jupyter_orch.core.orchestrator import Orchestrator
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.core.request import ChatRequest
from jupyter_orch.core.thread import Thread
from jupyter_orch.core.tools import ToolSpec
from jupyter_orch.providers.scripted import ScriptedProvider


class BodyTool:
    """A tool whose body is given by the test."""

    def __init__(self, body: Callable[[], Awaitable[str]]) -> None:
        self.spec = ToolSpec("work", "Do some work.", {"type": "object", "properties": {}})
        self.body = body

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(await self.body())


def _turn(body: Callable[[], Awaitable[str]]) -> tuple[list[Any], ScriptedProvider]:
    provider = ScriptedProvider().enqueue_tool_call("work", {}, id="c1").enqueue_text("done")
    orch = Orchestrator(provider, policy=PolicyTable(default="auto"))
    orch.registry.add(BodyTool(body))

    async def go() -> list[Any]:
        return [e async for e in orch.run(ChatRequest("go", Thread(), "scripted/m"))]

    return asyncio.run(go()), provider


def test_progress_reported_by_a_tool_shows_as_events_before_its_result() -> None:
    async def body() -> str:
        call = current_call()
        assert call is not None and call.tool == "work" and call.call_id == "c1"
        call.report(1, 3, "first")
        await asyncio.sleep(0)
        call.report(2, 3, None)
        await asyncio.to_thread(call.report, 3, 3, "from a thread")
        return "ok"

    events, _ = _turn(body)
    call = ToolCall("c1", "work", "{}")
    shown = [e for e in events if isinstance(e, (ToolCallProgressed, ToolCallFinished))]
    assert shown == [
        ToolCallProgressed(call, 1.0, 3, "first"),
        ToolCallProgressed(call, 2.0, 3, None),
        ToolCallProgressed(call, 3.0, 3, "from a thread"),
        ToolCallFinished(call, ToolResult("ok")),
    ]


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (SystemExit(3), "work raised SystemExit(3)"),
        (KeyboardInterrupt(), "work raised KeyboardInterrupt"),
    ],
)
def test_a_tool_that_exits_or_raises_keyboard_interrupt_fails_alone(
    exc: BaseException, text: str
) -> None:
    async def body() -> str:
        raise exc

    events, provider = _turn(body)
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [f.result for f in finished] == [ToolResult.error(text)]
    assert isinstance(events[-1], TurnFinished) and events[-1].answer == "done"
    assert provider.requests[1].messages[-1]["content"] == text


def test_sys_exit_in_a_sync_tool_thread_fails_alone() -> None:
    async def body() -> str:
        return await asyncio.to_thread(sys.exit, "bye")

    events, _ = _turn(body)
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [f.result for f in finished] == [ToolResult.error("work raised SystemExit(bye)")]


def test_a_cancellation_inside_the_tool_is_its_failure_not_an_interrupt() -> None:
    async def body() -> str:
        inner = asyncio.ensure_future(asyncio.sleep(10))
        inner.cancel()
        await inner  # raises CancelledError inside the tool
        return "unreachable"

    events, _ = _turn(body)
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [f.result for f in finished] == [
        ToolResult.error("work was cancelled by its own code before it finished")
    ]
    assert isinstance(events[-1], TurnFinished) and events[-1].stop == "done"
