"""Replay: recorded answers, tool results and decisions; mismatches in one line; live fallback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jupyter_orch.core.approval import HeadlessApprover, InteractiveApprover
from jupyter_orch.core.errors import ProviderError
from jupyter_orch.core.events import Event, TurnFailed, TurnFinished
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.transcript.replay import Recording, Replay, ReplaySettings
from jupyter_orch.transcript.store import read_store
from tests.transcript.turns import AddTool, Bench, ClockTool


class NoLive(ScriptedProvider):
    """The live provider of a replay that must not go live."""

    async def stream(self, request: Any) -> Any:  # type: ignore[override]
        raise AssertionError("a replay without live calls must not call the model")
        yield  # an async generator


def _record(tmp: Path) -> tuple[Bench, list[list[Event]]]:
    """Three turns: tools (one approved, one rejected), plain text, a failure after partial text."""
    bench = Bench(tmp / "rec")
    bench.registry.add(AddTool())
    bench.registry.add(ClockTool())
    provider = ScriptedProvider()
    provider.enqueue_tool_calls(
        [("add", {"a": 2, "b": 3}, "c1"), ("now", {}, "c2")], text="Checking. "
    )
    provider.enqueue_text("5, at tick 1.")
    provider.enqueue_text("Plain ", "answer.")
    provider.enqueue_error(ProviderError("rate limited", "rate_limit"), after=["Half"])
    approver = HeadlessApprover(allow=["add", "now"])
    shown = [
        asyncio.run(bench.turn(provider, "add and time", approver=approver, execution_count=1))[0],
        asyncio.run(bench.turn(provider, "plain", execution_count=2))[0],
        asyncio.run(bench.turn(provider, "fails", execution_count=3))[0],
    ]
    return bench, shown


def _replay(tmp: Path, replay: Replay, prompts: list[str]) -> tuple[Bench, list[list[Event]]]:
    bench = Bench(tmp / "replay", session_id="s2")
    bench.registry.add(AddTool())
    bench.registry.add(ClockTool())
    out = []
    for count, prompt in enumerate(prompts, 1):
        # Nobody clicks here: only the recorded decisions can settle the approvals.
        events, _ = asyncio.run(
            bench.turn(
                NoLive(),
                prompt,
                approver=InteractiveApprover(),
                execution_count=count,
                replay=replay,
            )
        )
        out.append(events)
    return bench, out


def test_a_replay_shows_the_same_events_and_calls_no_model(tmp_path: Path) -> None:
    recorded, shown = _record(tmp_path)
    replay = Replay(Recording(read_store(recorded.store.path), "rec.jsonl"))
    bench, replayed = _replay(tmp_path, replay, ["add and time", "plain", "fails"])
    assert replayed == shown
    assert replay.calls_served == 4
    add, clock = bench.registry.get("add"), bench.registry.get("now")
    assert isinstance(add, AddTool) and isinstance(clock, ClockTool)  # the stand-ins are gone
    assert (add.calls, clock.calls) == (1, 0)  # notebook tools re-run, MCP results recorded
    assert isinstance(replayed[2][-1], TurnFailed) and replayed[2][-1].message == "rate limited"
    records = read_store(bench.store.path)
    assert [r.replay for r in records] == [None, None, None]  # Bench records replay=None itself
    assert [r.answer for r in records] == ["Checking. 5, at tick 1.", "Plain answer.", "Half"]


def test_tool_result_sources_are_switchable(tmp_path: Path) -> None:
    recorded, shown = _record(tmp_path)
    settings = ReplaySettings(mcp="live", notebook="recorded")
    replay = Replay(Recording(read_store(recorded.store.path), "rec"), settings)
    bench, replayed = _replay(tmp_path, replay, ["add and time"])
    add, clock = bench.registry.get("add"), bench.registry.get("now")
    assert isinstance(add, AddTool) and isinstance(clock, ClockTool)
    assert (add.calls, clock.calls) == (0, 1)
    assert replayed[0] == shown[0]  # the live clock says "tick 1" again, as recorded


def test_a_different_prompt_is_a_one_line_error_naming_the_message(tmp_path: Path) -> None:
    recorded, _ = _record(tmp_path)
    replay = Replay(Recording(read_store(recorded.store.path), "rec"))
    _, replayed = _replay(tmp_path, replay, ["add and tell the time"])
    failed = replayed[0][-1]
    assert failed == TurnFailed(
        "replay: thread 'default', turn 1, model call 1: message 1 (user) differs from the "
        "recording: now 'add and tell the time', recorded 'add and time'; set "
        "JupyterOrch.replay_live = True to call the model instead",
        "config",
    )


class WrongAddTool(AddTool):
    """The same tool, answering differently than when the notebook was recorded."""

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(str(arguments["a"] + arguments["b"] + 1))


def test_a_tool_that_now_returns_something_else_is_named(tmp_path: Path) -> None:
    recorded, _ = _record(tmp_path)
    replay = Replay(Recording(read_store(recorded.store.path), "rec"))
    bench = Bench(tmp_path / "changed")
    bench.registry.add(WrongAddTool())
    bench.registry.add(ClockTool())
    events, _ = asyncio.run(
        bench.turn(
            NoLive(),
            "add and time",
            approver=InteractiveApprover(),
            execution_count=1,
            replay=replay,
        )
    )
    failed = events[-1]
    assert isinstance(failed, TurnFailed)
    assert (
        "model call 2: message 3 (tool) differs from the recording: now '6', recorded '5'"
        in failed.message
    )


def test_live_calls_take_over_when_allowed(tmp_path: Path) -> None:
    recorded, _ = _record(tmp_path)
    live = ScriptedProvider().enqueue_text("live answer")
    replay = Replay(Recording(read_store(recorded.store.path), "rec"), ReplaySettings(live=True))
    bench = Bench(tmp_path / "live")
    events, _ = asyncio.run(bench.turn(live, "something new", execution_count=1, replay=replay))
    assert isinstance(events[-1], TurnFinished) and events[-1].answer == "live answer"
    assert len(live.requests) == 1 and replay.calls_served == 0


def test_the_turn_is_picked_by_cell_and_a_missing_one_is_named(tmp_path: Path) -> None:
    bench = Bench(tmp_path / "a")
    provider = ScriptedProvider().enqueue_text("from cell A").enqueue_text("from cell B")
    asyncio.run(bench.turn(provider, "q", cell_id="A"))
    bench.thread.clear()  # a --new thread: the next cell is position 0 again
    asyncio.run(bench.turn(provider, "q", cell_id="B"))
    replay = Replay(Recording(read_store(bench.store.path), "rec"))
    other = Bench(tmp_path / "b")
    for cell, answer in (("B", "from cell B"), ("A", "from cell A")):
        other.thread.clear()
        events, _ = asyncio.run(other.turn(NoLive(), "q", cell_id=cell, replay=replay))
        assert isinstance(events[-1], TurnFinished) and events[-1].answer == answer
    events, _ = asyncio.run(other.turn(NoLive(), "next", cell_id="C", replay=replay))
    assert isinstance(events[-1], TurnFailed)
    assert events[-1].message.startswith("replay: no recorded turn 2 in thread 'default'")
