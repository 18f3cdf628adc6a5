"""Real turns in-process (scripted provider, real tools) through the one turn runner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_orch.core.approval import Approver, HeadlessApprover
from jupyter_orch.core.events import Event
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.core.provider import Provider
from jupyter_orch.core.thread import Thread
from jupyter_orch.core.tools import ToolRegistry, ToolSpec
from jupyter_orch.session import Session
from jupyter_orch.transcript.record import TurnRecord, Versions
from jupyter_orch.transcript.recorder import RecorderSettings, TranscriptLog, TurnRecorder
from jupyter_orch.transcript.replay import Replay, ReplayTurn
from jupyter_orch.transcript.store import TranscriptStore
from jupyter_orch.turns import TurnInput, TurnRunner, TurnSettings, TurnStart

VERSIONS = Versions(jupyter_orch="0.0.test", litellm=None, python="3")


class AddTool:
    """Adds two integers; counts its calls."""

    def __init__(self, source: str = "notebook") -> None:
        self.spec = ToolSpec(
            "add",
            "Add two integers.",
            {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
            source=source,
        )
        self.calls = 0

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls += 1
        return ToolResult(str(arguments["a"] + arguments["b"]))


class ClockTool:
    """Returns a different answer at every call (like an MCP clock server)."""

    def __init__(self) -> None:
        self.spec = ToolSpec(
            "now", "The time.", {"type": "object", "properties": {}}, source="mcp:clock"
        )
        self.calls = 0

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls += 1
        return ToolResult(f"tick {self.calls}")


class EventList:
    """A renderer that keeps the (redacted) events it was shown."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def waiting(self, text: str) -> None:
        pass

    def start(self, start: TurnStart) -> None:
        pass

    def handle(self, event: Event) -> None:
        self.events.append(event)

    def finish(self, extra: Mapping[str, Any], *, interrupted: bool) -> None:
        pass


@dataclass
class Bench:
    """A session, tools and a store: runs turns through the turn runner, as a cell does."""

    tmp: Path
    session: Session = field(default_factory=Session)
    log: TranscriptLog = field(default_factory=TranscriptLog)
    patterns: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    session_id: str = "s1"

    def __post_init__(self) -> None:
        self.store = TranscriptStore(self.tmp / "store.jsonl")

    @property
    def registry(self) -> ToolRegistry:
        return self.session.registry

    @property
    def thread(self) -> Thread:
        return self.session.thread()

    async def turn(
        self,
        provider: Provider,
        prompt: str,
        *,
        approver: Approver | None = None,
        cell_id: str | None = None,
        execution_count: int | None = None,
        policy: str = "ask",
        replay: Replay | None = None,
    ) -> tuple[list[Event], TurnRecord | None]:
        self.session.policy = PolicyTable(default=policy)  # type: ignore[arg-type]
        recorders: list[TurnRecorder] = []

        def recorder(start: TurnStart) -> TurnRecorder:
            settings = RecorderSettings(
                session=self.session_id,
                redactor=start.redactor,
                versions=VERSIONS,
                store=self.store,
                log=self.log,
                execution_count=start.plan.input.execution_count,
                tool_source=lambda name: t.spec.source if (t := self.registry.get(name)) else None,
            )
            recorders.append(TurnRecorder(start.request, settings))
            return recorders[-1]

        def replayed(start: TurnStart) -> ReplayTurn | None:
            if replay is None:
                return None
            request = start.request
            return replay.turn(request.thread, request.cell_id, execution_count, start.redactor)

        settings = TurnSettings(
            model="scripted/model", params=dict(self.params), redact_patterns=self.patterns
        )
        runner = TurnRunner(self.session, provider, settings, hooks=[recorder], wrappers=[replayed])
        plan = runner.plan(TurnInput(prompt, cell_id=cell_id, execution_count=execution_count))
        shown = EventList()
        await runner.run(plan, shown, approver or HeadlessApprover(approve=True))
        return shown.events, recorders[0].record if recorders else None
