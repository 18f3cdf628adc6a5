"""Real turns in-process (scripted provider, real tools) through redaction and the recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_orch.core.approval import Approver, HeadlessApprover
from jupyter_orch.core.events import Event
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.orchestrator import Orchestrator
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.core.provider import Provider
from jupyter_orch.core.request import ChatRequest
from jupyter_orch.core.thread import Thread
from jupyter_orch.core.tools import ToolRegistry, ToolSpec
from jupyter_orch.transcript.record import TurnRecord, Versions
from jupyter_orch.transcript.recorder import RecorderSettings, TranscriptLog, TurnRecorder
from jupyter_orch.core.redaction import EventRedactor, Redactor
from jupyter_orch.transcript.store import TranscriptStore

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


@dataclass
class Bench:
    """A thread, tools and a store: runs turns the way a %%chat cell does."""

    tmp: Path
    registry: ToolRegistry = field(default_factory=ToolRegistry)
    thread: Thread = field(default_factory=Thread)
    log: TranscriptLog = field(default_factory=TranscriptLog)
    patterns: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    session: str = "s1"

    def __post_init__(self) -> None:
        self.store = TranscriptStore(self.tmp / "store.jsonl")

    async def turn(
        self,
        provider: Provider,
        prompt: str,
        *,
        approver: Approver | None = None,
        cell_id: str | None = None,
        execution_count: int | None = None,
        policy: str = "ask",
        redactor: Redactor | None = None,
    ) -> tuple[list[Event], TurnRecord | None]:
        request = ChatRequest(
            prompt, self.thread, "scripted/model", params=dict(self.params), cell_id=cell_id
        )
        redactor = redactor or Redactor.build(self.patterns, params=request.params)
        settings = RecorderSettings(
            session=self.session,
            redactor=redactor,
            versions=VERSIONS,
            store=self.store,
            log=self.log,
            execution_count=execution_count,
            tool_source=lambda name: t.spec.source if (t := self.registry.get(name)) else None,
        )
        recorder = TurnRecorder(request, settings)
        orch = Orchestrator(
            provider,
            self.registry,
            PolicyTable(default=policy),  # type: ignore[arg-type]
            approver or HeadlessApprover(approve=True),
        )
        scrub = EventRedactor(redactor)
        shown: list[Event] = []
        async for raw in orch.run(request):
            for event in scrub.feed(raw):
                shown.append(event)
                recorder.event(event)
        recorder.end(False)
        return shown, recorder.record
