"""The orchestrator's turn, tool loop and failure paths, with the scripted provider."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from jupyter_orch.core.approval import Decision, HeadlessApprover
from jupyter_orch.core.errors import ProviderError
from jupyter_orch.core.events import (
    AnswerCompleted,
    Event,
    RoundStarted,
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallRequested,
    ToolCallStarted,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    UsageReported,
)
from jupyter_orch.core.messages import ToolCall, ToolResult, Usage
from jupyter_orch.core.orchestrator import INTERRUPTED_RESULT, Orchestrator
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.core.request import ChatRequest
from jupyter_orch.core.thread import Thread
from jupyter_orch.core.tools import ToolArgumentError, ToolSpec
from jupyter_orch.providers.scripted import ScriptedProvider

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class AddTool:
    """A tiny real tool: adds two integers."""

    def __init__(self, *, delay: float = 0.0, fail: bool = False) -> None:
        self.spec = ToolSpec(
            "add",
            "Add two integers.",
            {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
            },
        )
        self.delay = delay
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        if not all(isinstance(arguments.get(k), int) for k in ("a", "b")):
            raise ToolArgumentError("a and b must be integers")
        return arguments

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(arguments)
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow tool, to reach the timeout
        if self.fail:
            raise RuntimeError("boom")
        return ToolResult(str(arguments["a"] + arguments["b"]))


def make(
    provider: ScriptedProvider, policy: str = "auto", **kwargs: Any
) -> tuple[Orchestrator, AddTool]:
    orch = Orchestrator(provider, policy=PolicyTable(default=policy), **kwargs)  # type: ignore[arg-type]
    tool = AddTool()
    orch.registry.add(tool)
    return orch, tool


async def collect(
    orch: Orchestrator,
    thread: Thread,
    prompt: str = "hi",
    on: Callable[[Event], None] | None = None,
    **kw: Any,
) -> list[Event]:
    events: list[Event] = []
    async for event in orch.run(ChatRequest(prompt, thread, "scripted/model", **kw)):
        events.append(event)
        if on:
            on(event)
    return events


def test_a_text_turn_streams_deltas_and_ends_with_the_whole_answer() -> None:
    provider = ScriptedProvider().enqueue_text("Hel", "lo", usage=Usage(3, 2))
    orch, _ = make(provider)
    thread = Thread(system="Be brief.")
    events = run(collect(orch, thread))
    assert events == [
        TurnStarted("default", "scripted/model", "x"),
        RoundStarted(0),
        TextDelta("Hel"),
        TextDelta("lo"),
        UsageReported(Usage(3, 2)),
        AnswerCompleted(),
        TurnFinished("Hello", Usage(3, 2)),
    ]
    assert [m.to_provider() for m in thread.request_messages()] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello"},
    ]
    assert provider.requests[0].messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
    ]


def test_an_auto_tool_runs_and_its_result_goes_back_to_the_model() -> None:
    provider = ScriptedProvider()
    provider.enqueue_tool_call("add", {"a": 2, "b": 3}, id="c1").enqueue_text("5")
    orch, tool = make(provider, "auto")
    events = run(collect(orch, Thread()))
    call = ToolCall("c1", "add", '{"a": 2, "b": 3}')
    assert events[2:8] == [
        UsageReported(Usage(10, 5)),
        ToolCallRequested(call, tool.spec, "auto", {"a": 2, "b": 3}),
        ToolCallApproved(call, Decision(True, "policy")),
        ToolCallStarted(call),
        ToolCallFinished(call, ToolResult("5")),
        RoundStarted(1),
    ]
    assert provider.requests[1].messages[-2:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'},
                }
            ],
        },
        {"role": "tool", "content": "5", "tool_call_id": "c1", "name": "add"},
    ]
    assert isinstance(events[-1], TurnFinished) and events[-1].answer == "5"


def _decide_on_request(action: Callable[[Any], None]) -> Callable[[Event], None]:
    def on(event: Event) -> None:
        if isinstance(event, ToolCallRequested) and event.pending is not None:
            action(event.pending)

    return on


def test_approve_through_the_pending_request_runs_the_tool() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("2")
    orch, tool = make(provider, "ask")
    events = run(collect(orch, Thread(), on=_decide_on_request(lambda p: p.approve())))
    assert tool.calls == [{"a": 1, "b": 1}]
    assert any(
        isinstance(e, ToolCallApproved) and e.decision == Decision(True, "user") for e in events
    )


def test_a_rejection_with_reason_goes_back_to_the_model_and_the_turn_goes_on() -> None:
    provider = (
        ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 1}, id="c9").enqueue_text("ok")
    )
    orch, tool = make(provider, "ask")
    events = run(collect(orch, Thread(), on=_decide_on_request(lambda p: p.reject("not now"))))
    assert tool.calls == []
    rejected = [e for e in events if isinstance(e, ToolCallRejected)]
    assert rejected == [
        ToolCallRejected(
            ToolCall("c9", "add", '{"a": 1, "b": 1}'), Decision(False, "user", "not now")
        )
    ]
    assert provider.requests[1].messages[-1] == {
        "role": "tool",
        "content": "The user rejected this tool call: not now",
        "tool_call_id": "c9",
        "name": "add",
    }
    assert isinstance(events[-1], TurnFinished) and events[-1].answer == "ok"


def test_always_allow_makes_the_next_call_automatic() -> None:
    provider = ScriptedProvider()
    provider.enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_tool_call(
        "add", {"a": 2, "b": 2}
    ).enqueue_text("done")
    orch, tool = make(provider, "ask")
    asked: list[Event] = []

    def on(event: Event) -> None:
        if isinstance(event, ToolCallRequested):
            asked.append(event)
            if event.pending is not None:
                event.pending.approve(always=True)

    run(collect(orch, Thread(), on=on))
    assert [e.policy for e in asked if isinstance(e, ToolCallRequested)] == ["ask", "auto"]
    assert len(tool.calls) == 2


def test_a_pending_approval_expires_and_counts_as_rejected() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("ok")
    orch, tool = make(provider, "ask", approval_ttl=0.05)
    events = run(collect(orch, Thread()))
    rejected = [e for e in events if isinstance(e, ToolCallRejected)]
    assert [e.decision.by for e in rejected] == ["expired"]
    assert "expired" in provider.requests[1].messages[-1]["content"]
    assert tool.calls == []


def test_deny_never_runs_the_tool_and_tells_the_model() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("ok")
    orch, tool = make(provider, "deny")
    run(collect(orch, Thread()))
    assert tool.calls == []
    assert (
        provider.requests[1].messages[-1]["content"]
        == "This tool is denied by policy: denied by policy"
    )


def test_headless_approver_rejects_ask_tools_unless_allowed() -> None:
    provider = ScriptedProvider()
    provider.enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("no")
    orch, tool = make(provider, "ask", approver=HeadlessApprover())
    run(collect(orch, Thread()))
    assert tool.calls == [] and "headless" in provider.requests[1].messages[-1]["content"]

    provider2 = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("yes")
    orch2, tool2 = make(provider2, "ask", approver=HeadlessApprover(allow=["add"]))
    run(collect(orch2, Thread()))
    assert tool2.calls == [{"a": 1, "b": 1}]


def test_several_calls_in_one_response_each_get_a_tool_message() -> None:
    provider = ScriptedProvider()
    provider.enqueue_tool_calls(
        [("add", {"a": 1, "b": 2}, "x1"), ("add", {"a": 3, "b": 4}, "x2")]
    ).enqueue_text("3 and 7")
    orch, _ = make(provider, "auto")
    run(collect(orch, Thread()))
    tool_messages = [m for m in provider.requests[1].messages if m["role"] == "tool"]
    assert [(m["tool_call_id"], m["content"]) for m in tool_messages] == [("x1", "3"), ("x2", "7")]


def test_max_rounds_ends_the_turn_with_every_call_answered() -> None:
    provider = ScriptedProvider()
    for _ in range(3):
        provider.enqueue_tool_call("add", {"a": 1, "b": 1})
    orch, _ = make(provider, "auto", max_rounds=3)
    thread = Thread()
    events = run(collect(orch, thread))
    assert isinstance(events[-1], TurnFinished) and events[-1].stop == "max_rounds"
    roles = [m.role for m in thread.messages()]
    assert roles == ["user"] + ["assistant", "tool"] * 3


@pytest.mark.parametrize(
    ("arguments", "name", "expected"),
    [
        ('{"a": "x", "b": 1}', "add", "invalid arguments for add: a and b must be integers"),
        ("{not json", "add", "invalid arguments for add: "),
        ('{"a": 1}', "nope", "unknown tool 'nope'; tools: add"),
    ],
)
def test_bad_calls_become_error_results_the_model_sees(
    arguments: str, name: str, expected: str
) -> None:
    provider = ScriptedProvider().enqueue_tool_call(name, arguments).enqueue_text("sorry")
    orch, tool = make(provider, "auto")
    events = run(collect(orch, Thread()))
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert len(finished) == 1 and finished[0].result.is_error
    assert finished[0].result.text().startswith(expected)
    assert tool.calls == []


def test_a_tool_exception_and_a_timeout_become_error_results() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("x")
    orch = Orchestrator(provider, policy=PolicyTable(default="auto"), tool_timeout=0.05)
    orch.registry.add(AddTool(fail=True))
    events = run(collect(orch, Thread()))
    assert [e.result for e in events if isinstance(e, ToolCallFinished)] == [
        ToolResult.error("add raised RuntimeError: boom")
    ]
    provider.enqueue_tool_call("add", {"a": 1, "b": 1}).enqueue_text("y")
    orch.registry.add(AddTool(delay=5))
    events = run(collect(orch, Thread()))
    assert [e.result for e in events if isinstance(e, ToolCallFinished)] == [
        ToolResult.error("add timed out after 0.05 s")
    ]


def test_interrupt_while_waiting_for_a_click_leaves_a_valid_history() -> None:
    provider = ScriptedProvider().enqueue_tool_call(
        "add", {"a": 1, "b": 1}, id="w1", text="Let me add."
    )
    orch, tool = make(provider, "ask")
    thread = Thread()

    async def main() -> None:
        requested = asyncio.Event()

        async def consume() -> None:
            async for event in orch.run(ChatRequest("hi", thread, "m")):
                if isinstance(event, ToolCallRequested):
                    requested.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(requested.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main())
    assert tool.calls == []
    assert [m.to_provider() for m in thread.messages()][1:] == [
        {
            "role": "assistant",
            "content": "Let me add.",
            "tool_calls": [
                {
                    "id": "w1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1, "b": 1}'},
                }
            ],
        },
        {"role": "tool", "content": INTERRUPTED_RESULT, "tool_call_id": "w1", "name": "add"},
    ]
    assert thread.turns[0].interrupted


def test_interrupt_mid_stream_keeps_the_partial_answer_marked() -> None:
    provider = ScriptedProvider().enqueue_hang(after=["Once ", "upon"])
    orch, _ = make(provider)
    thread = Thread()

    async def main() -> None:
        seen = asyncio.Event()

        async def consume() -> None:
            async for event in orch.run(ChatRequest("tell", thread, "m")):
                if event == TextDelta("upon"):
                    seen.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(seen.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main())
    last = thread.messages()[-1]
    assert (last.role, last.content, last.interrupted) == ("assistant", "Once upon", True)


def test_a_provider_error_before_output_drops_the_turn_and_the_next_turn_works() -> None:
    provider = ScriptedProvider().enqueue_error(
        ProviderError("Rate limited by openai.", "rate_limit")
    )
    provider.enqueue_text("fine")
    orch, _ = make(provider)
    thread = Thread()
    events = run(collect(orch, thread))
    assert events[-1] == TurnFailed("Rate limited by openai.", "rate_limit", "")
    assert thread.messages() == []
    events = run(collect(orch, thread, "again"))
    assert isinstance(events[-1], TurnFinished) and [m.role for m in thread.messages()] == [
        "user",
        "assistant",
    ]


def test_a_stream_cut_keeps_the_partial_answer_marked() -> None:
    provider = ScriptedProvider().enqueue_error(
        ProviderError("The stream was cut.", "stream_cut"), after=["par", "tial"]
    )
    orch, _ = make(provider)
    thread = Thread()
    events = run(collect(orch, thread))
    assert events[-1] == TurnFailed("The stream was cut.", "stream_cut", "partial")
    assert thread.messages()[-1].interrupted and thread.messages()[-1].content == "partial"


def test_rerunning_a_cell_replaces_its_turn_in_place() -> None:
    provider = ScriptedProvider(default=lambda r: "ok")
    orch, _ = make(provider)
    thread = Thread()
    for _ in range(3):
        run(collect(orch, thread, "q1", cell_id="cell-a"))
    run(collect(orch, thread, "q2", cell_id="cell-b"))
    run(collect(orch, thread, "q1 again", cell_id="cell-a"))
    assert [t.cell_id for t in thread.turns] == ["cell-a", "cell-b"]
    assert thread.turns[0].messages[0].content == "q1 again"
    # The re-run first cell saw only itself, not the later cell's turn.
    assert [m["content"] for m in provider.requests[-1].messages] == ["q1 again"]


def test_a_forced_tool_is_called_once_then_the_model_answers_without_tools() -> None:
    provider = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 2}).enqueue_text("3")
    orch, _ = make(provider, "auto")
    run(collect(orch, Thread(), force_tool="add"))
    first, second = provider.requests
    assert first.tool_choice == {"type": "function", "function": {"name": "add"}}
    assert [t["function"]["name"] for t in first.tools] == ["add"]
    assert (second.tools, second.tool_choice) == ([], None)


def test_no_tools_offers_none() -> None:
    provider = ScriptedProvider().enqueue_text("plain")
    orch, _ = make(provider)
    run(collect(orch, Thread(), tools=()))
    assert provider.requests[0].tools == []


class ChartTool(AddTool):
    """A tool whose result holds an image, as MCP and matplotlib results do."""

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
        return ToolResult([{"type": "text", "text": "a chart"}, image])


@pytest.mark.parametrize("vision", [True, False])
def test_images_in_tool_results_reach_only_models_that_read_images(vision: bool) -> None:
    provider = ScriptedProvider(images=vision).enqueue_tool_call("add", {"a": 1, "b": 1}, id="i1")
    provider.enqueue_text("nice chart")
    orch = Orchestrator(provider, policy=PolicyTable(default="auto"))
    orch.registry.add(ChartTool())
    run(collect(orch, Thread()))
    sent = provider.requests[1].messages[2:]
    tool_message = {
        "role": "tool",
        "content": "a chart\n[1 image(s) returned: shown to the user]",
        "tool_call_id": "i1",
        "name": "add",
    }
    image_message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "Images returned by the tool calls above:"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ],
    }
    assert sent == ([tool_message, image_message] if vision else [tool_message])
