"""The one turn runner: one turn at a time per thread, nothing half-done, nothing unredacted."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from jupyter_orch.core.approval import HeadlessApprover, InteractiveApprover, PendingApproval
from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.events import Event, RoundStarted, ToolCallRequested, TurnFailed
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.session import Session
from jupyter_orch.turns import TurnInput, TurnRunner, TurnSettings, TurnStart
from tests.core.test_history import assert_valid
from tests.core.test_orchestrator import AddTool

SECRET = "sk-live-0123456789abcdefghij"


class Shown:
    """A renderer that keeps everything it was asked to show."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.waits: list[str] = []
        self.finished: list[bool] = []
        self.started = 0
        self.pending: asyncio.Future[PendingApproval] = asyncio.get_running_loop().create_future()

    def waiting(self, text: str) -> None:
        self.waits.append(text)

    def start(self, start: TurnStart) -> None:
        self.started += 1

    def handle(self, event: Event) -> None:
        self.events.append(event)
        pending = event.pending if isinstance(event, ToolCallRequested) else None
        if pending is not None and not self.pending.done():
            self.pending.set_result(pending)

    def finish(self, extra: Mapping[str, Any], *, interrupted: bool) -> None:
        self.finished.append(interrupted)


def _runner(provider: ScriptedProvider, **kw: Any) -> TurnRunner:
    session = Session(PolicyTable(default="ask"))
    session.registry.add(AddTool())
    settings = TurnSettings(model="scripted/m", params={"api_key": SECRET})
    return TurnRunner(session, provider, settings, **kw)


async def _within(awaitable: Any, seconds: float = 5) -> Any:
    return await asyncio.wait_for(awaitable, seconds)


def test_a_second_turn_on_a_busy_thread_waits_and_every_request_stays_valid() -> None:
    async def scenario() -> tuple[ScriptedProvider, list[str], Shown, Shown]:
        provider = ScriptedProvider()
        provider.enqueue_tool_call("add", {"a": 1, "b": 2}, id="p1")  # the panel's turn
        provider.enqueue_text("3, from the panel")
        provider.enqueue_text("answer to the cell")
        runner = _runner(provider)
        order: list[str] = []
        panel, cell = Shown(), Shown()

        async def turn(name: str, shown: Shown, label: str) -> None:
            plan = runner.plan(TurnInput(f"{name} asks", switch_thread=False, label=label))
            await runner.run(plan, shown, InteractiveApprover())
            order.append(name)

        first = asyncio.ensure_future(turn("panel", panel, "in the chat panel"))
        pending = await _within(panel.pending)  # the panel's turn waits for Approve
        second = asyncio.ensure_future(turn("cell", cell, "in [5]"))
        await asyncio.sleep(0)
        assert cell.waits == ["waiting for the turn in the chat panel to finish"]
        assert cell.started == 0 and len(provider.requests) == 1
        pending.approve()
        await _within(asyncio.gather(first, second))
        return provider, order, panel, cell

    provider, order, panel, cell = asyncio.run(scenario())
    assert order == ["panel", "cell"]
    assert len(provider.requests) == 3
    for request in provider.requests:
        assert_valid(request.messages)
    assert panel.finished == [False] and cell.finished == [False]


def test_interrupt_while_waiting_changes_nothing_and_ends_the_view() -> None:
    async def scenario() -> tuple[Session, Shown]:
        provider = ScriptedProvider().enqueue_tool_call("add", {"a": 1, "b": 2}, id="w")
        runner = _runner(provider)
        runner.session.thread().system = "kept"
        holder = Shown()
        plan = runner.plan(TurnInput("hold"))
        first = asyncio.ensure_future(runner.run(plan, holder, InteractiveApprover()))
        await _within(holder.pending)
        waiter = Shown()
        new_plan = runner.plan(TurnInput("wait", new=True, system="changed"))
        second = asyncio.ensure_future(runner.run(new_plan, waiter, InteractiveApprover()))
        await asyncio.sleep(0)
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        return runner.session, waiter

    session, waiter = asyncio.run(scenario())
    assert waiter.finished == [True] and waiter.started == 0
    thread = session.thread()
    assert thread.system == "kept" and len(thread.turns) == 1  # --new was never applied


def test_a_bad_plan_changes_nothing() -> None:
    runner = _runner(ScriptedProvider())
    thread = runner.session.thread()
    thread.add_messages([])
    runner.session.attach("default", [{"type": "text", "text": "attached"}])
    for given in (
        TurnInput("q", tools=["nope"], new=True),
        TurnInput("q", tools=["add", "nope"], thread="other"),
        TurnInput("q", force_tool="nope", new=True),
        TurnInput("   ", new=True),
    ):
        with pytest.raises(UsageError):
            runner.plan(given)
    assert len(thread.turns) == 1 and runner.session.current_thread == "default"
    assert runner.session.attachments["default"] == [{"type": "text", "text": "attached"}]


def test_a_failing_hook_fails_the_turn_in_one_line_and_the_rest_still_ends() -> None:
    ended: list[bool] = []

    class Breaks:
        def event(self, event: Event) -> None:
            if isinstance(event, RoundStarted):
                raise RuntimeError("hook broke")

        def end(self, interrupted: bool) -> dict[str, Any]:
            ended.append(interrupted)
            return {}

    async def scenario() -> tuple[Any, Shown, TurnRunner]:
        provider = ScriptedProvider().enqueue_text("never shown")
        runner = _runner(provider, hooks=[lambda start: Breaks()])
        shown = Shown()
        outcome = await runner.run(runner.plan(TurnInput("q")), shown, HeadlessApprover())
        return outcome, shown, runner

    outcome, shown, runner = asyncio.run(scenario())
    assert outcome.failure == TurnFailed("internal error: RuntimeError: hook broke", "bug")
    assert isinstance(shown.events[-1], TurnFailed)
    assert ended == [False] and shown.finished == [False]
    ok = ScriptedProvider().enqueue_text("fine")
    later = TurnRunner(runner.session, ok, TurnSettings(model="scripted/m"))

    async def again() -> None:
        await later.run(later.plan(TurnInput("again")), Shown(), HeadlessApprover())

    asyncio.run(again())
    assert_valid(ok.requests[-1].messages)


def test_hooks_and_renderers_never_see_a_secret() -> None:
    seen: list[Event] = []

    class Keeps:
        def event(self, event: Event) -> None:
            seen.append(event)

        def end(self, interrupted: bool) -> dict[str, Any]:
            return {}

    async def scenario() -> Shown:
        provider = ScriptedProvider().enqueue_text(f"the key is {SECRET} ok")
        runner = _runner(provider, hooks=[lambda start: Keeps()])
        shown = Shown()
        await runner.run(runner.plan(TurnInput(f"use {SECRET}")), shown, HeadlessApprover())
        return shown

    shown = asyncio.run(scenario())
    rounds = [e for e in seen if isinstance(e, RoundStarted)]
    assert rounds and rounds[0].request is not None
    assert rounds[0].request.params == {"api_key": "[REDACTED]"}
    assert SECRET not in repr(seen) and SECRET not in repr(shown.events)
