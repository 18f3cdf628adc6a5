"""Replaying a recording: answers, tool calls, usage and approvals come from the record.

A :class:`Replay` holds a recording (a JSONL store or a saved notebook) and follows the turns
being run. Each turn is matched by its thread and position (the cell id or execution count
picks among several), each model call by its index and its request hash. The pieces:

- :class:`ReplayProvider` serves the recorded model calls; a request that differs is a
  one-line error naming the first message that differs (or, when allowed, a live call);
- :class:`ReplayApprover` settles ``ask`` tools with the recorded decision;
- :class:`RecordedTool` stands in, in one turn's view of the tools, for a tool whose results
  come from the recording (MCP tools by default; notebook tools re-run by default).

Each replayed turn is a :class:`ReplayTurn`: a wrapper of that one turn, which changes no
shared state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from ..core.approval import Approver, DecidedBy, Decision, PendingApproval, Scope
from ..core.errors import ErrorKind, ProviderError
from ..core.messages import ToolResult, Usage
from ..core.provider import (
    FinishChunk,
    ModelCapabilities,
    Provider,
    ProviderChunk,
    ProviderRequest,
    TextChunk,
    ToolCallChunk,
    UsageChunk,
    capabilities_of,
)
from ..core.redaction import Redactor
from ..core.thread import Thread
from ..core.tools import Tool, ToolRegistry, ToolSpec
from .fingerprint import Fingerprint, content_hash, fingerprint
from .mismatch import describe_difference, where
from .record import DecisionRecord, ResultRecord, RoundRecord, ToolCallRecord, TurnRecord
from .store import read_records

ResultSource = Literal["recorded", "live"]
LIVE_HINT = "set JupyterOrch.replay_live = True to call the model instead"
NOTEBOOK_SOURCES = ("notebook-read", "notebook-edit")
"""Sources of the tools that read and edit the notebook (:mod:`jupyter_orch.tools.notebook`)."""


class ReplayMismatch(ProviderError):
    """The live request is not the recorded one."""

    def __init__(self, message: str) -> None:
        super().__init__(f"replay: {message}", "config")


@dataclass
class ReplaySettings:
    """How a replay behaves.

    Parameters
    ----------
    live
        Call the model (the provider replay wraps) when a request differs from the recording.
    mcp
        Where MCP tools' results come from: ``recorded`` (default) or ``live``.
    notebook
        Where notebook tools' results come from: ``live`` (re-run, default) or ``recorded``.
    """

    live: bool = False
    mcp: ResultSource = "recorded"
    notebook: ResultSource = "live"

    def source_of(self, tool_source: str | None) -> ResultSource:
        """Where results of a tool from ``tool_source`` come from.

        The notebook tools' results are always the recorded ones: a replay never edits the
        notebook (it already has the recorded edits), and what it would read now differs.
        """
        if tool_source in NOTEBOOK_SOURCES:
            return "recorded"
        return self.mcp if (tool_source or "").startswith("mcp:") else self.notebook


class Recording:
    """The turns of a recording, by thread and position.

    Parameters
    ----------
    records
        The latest record of each turn.
    source
        Where they came from (shown in the records of replayed turns).
    """

    def __init__(self, records: list[TurnRecord], source: str) -> None:
        self.records = records
        self.source = source
        self._at: dict[tuple[str, int], list[TurnRecord]] = {}
        for record in records:
            self._at.setdefault((record.thread, record.position), []).append(record)

    @classmethod
    def load(cls, path: Path) -> Recording:
        """Read a JSONL store or an ``.ipynb`` (a one-line error when it holds no turns)."""
        records = [r for r in read_records(path) if r.rounds]
        if not records:
            raise ReplayMismatch(f"{path} holds no recorded %%chat turns")
        return cls(records, str(path))

    def at(self, thread: str, position: int) -> list[TurnRecord]:
        """Return the recorded turns at ``position`` of ``thread``."""
        return self._at.get((thread, position), [])


@dataclass
class _Cursor:
    thread: str
    position: int
    cell_id: str | None
    execution_count: int | None
    candidates: list[TurnRecord]
    chosen: TurnRecord | None = None
    round: int = 0
    live: bool = False
    used: set[str] = field(default_factory=set)


class Replay:
    """A recording, and the turns being replayed from it.

    Parameters
    ----------
    recording
        What to replay.
    settings
        Live fallback and where tool results come from.
    live
        Makes the provider to call when a request may go live (:attr:`ReplaySettings.live`).
    """

    def __init__(
        self,
        recording: Recording,
        settings: ReplaySettings | None = None,
        live: Callable[[], Provider] | None = None,
    ) -> None:
        self.recording = recording
        self.settings = settings or ReplaySettings()
        self.live = live
        self.calls_served = 0

    @property
    def source(self) -> str:
        """The recording's path."""
        return self.recording.source

    def turn(
        self,
        thread: Thread,
        cell_id: str | None,
        execution_count: int | None,
        redactor: Redactor | None = None,
    ) -> ReplayTurn:
        """Return the replay of a turn about to start in ``thread`` (its recording found)."""
        position = next(
            (i for i, t in enumerate(thread.turns) if cell_id is not None and t.cell_id == cell_id),
            len(thread.turns),
        )
        candidates = self.recording.at(thread.name, position)
        cursor = _Cursor(thread.name, position, cell_id, execution_count, candidates)
        return ReplayTurn(self, cursor, redactor or Redactor())


class ReplayTurn:
    """One turn replayed: its provider, approver and tool view, and where it is.

    It wraps only this turn (a :class:`~jupyter_orch.turns.TurnWrapper`): the shared tool
    registry and provider are never changed, so a turn running at the same time (another
    thread, the chat panel) is not affected.
    """

    def __init__(self, replay: Replay, cursor: _Cursor, redactor: Redactor) -> None:
        self.replay = replay
        self.cursor = cursor
        self.redactor = redactor

    def provider(self, provider: Provider) -> ReplayProvider:
        """Serve this turn's model calls from the recording (``provider`` when live)."""
        return ReplayProvider(self, self.replay.live or (lambda: provider))

    def approver(self, approver: Approver) -> ReplayApprover:
        """Replay recorded decisions; calls with none go to ``approver``."""
        return ReplayApprover(self, approver)

    def tools(self, registry: ToolRegistry) -> ToolRegistry:
        """Return a view of ``registry`` where recorded tools answer from the recording."""
        names = {
            call.name
            for record in self.cursor.candidates
            for call in record.tool_calls
            if self.replay.settings.source_of(call.source) == "recorded"
        }
        view = registry.view()
        for name in sorted(names):
            tool = registry.get(name)
            if tool is not None:
                view.add(RecordedTool(tool, self))
        return view

    def end(self) -> None:
        """Nothing to undo: the turn changed no shared state."""

    def match(self, request: ProviderRequest) -> tuple[TurnRecord, RoundRecord]:
        """Return the recorded turn and model call for ``request``, or raise a mismatch."""
        cursor = self.cursor
        fp = fingerprint(request, self.redactor)
        if cursor.chosen is None:
            cursor.chosen = self._choose(fp)
        record = cursor.chosen
        if cursor.round >= len(record.rounds):
            raise ReplayMismatch(
                f"{where(record, cursor.round)}: the recording ends after "
                f"{len(record.rounds)} model call(s); {LIVE_HINT}"
            )
        recorded = record.rounds[cursor.round]
        if recorded.request_hash != fp.request:
            raise ReplayMismatch(f"{describe_difference(record, recorded, fp)}; {LIVE_HINT}")
        cursor.round += 1
        self.replay.calls_served += 1
        return record, recorded

    def recorded_call(self, call_id: str) -> ToolCallRecord | None:
        """Return the recorded call ``call_id`` of this turn."""
        record = self.cursor.chosen
        if record is None:
            return None
        return next((c for c in record.tool_calls if c.id == call_id), None)

    def recorded_result(self, name: str, arguments: dict[str, Any]) -> ResultRecord | None:
        """Take the next unused recorded result of ``name`` called with ``arguments``."""
        cursor = self.cursor
        if cursor.chosen is None or cursor.live:
            return None
        wanted = content_hash(self.redactor.value(arguments))
        for call in cursor.chosen.tool_calls:
            if call.name != name or call.result is None or call.id in cursor.used:
                continue
            if content_hash(call.arguments) == wanted:
                cursor.used.add(call.id)
                return call.result
        return None

    def _choose(self, fp: Fingerprint) -> TurnRecord:
        cursor = self.cursor
        if not cursor.candidates:
            raise ReplayMismatch(
                f"no recorded turn {cursor.position + 1} in thread {cursor.thread!r} "
                f"(recording: {self.replay.source}); {LIVE_HINT}"
            )
        same_cell = [r for r in cursor.candidates if _same_cell(r, cursor)]
        exact = [r for r in cursor.candidates if r.rounds[0].request_hash == fp.request]
        for group in ([r for r in same_cell if r in exact], exact, same_cell, cursor.candidates):
            if group:
                return group[0]
        raise AssertionError("unreachable: candidates is not empty")


def _same_cell(record: TurnRecord, cursor: _Cursor) -> bool:
    if cursor.cell_id is not None:
        return record.cell_id == cursor.cell_id
    return cursor.execution_count is not None and record.execution_count == cursor.execution_count


class ReplayProvider:
    """Serves recorded model calls; a differing request fails in one line (or goes live).

    Parameters
    ----------
    turn
        The turn being replayed.
    live
        Makes the provider to call when live calls are allowed.
    """

    def __init__(self, turn: ReplayTurn, live: Callable[[], Provider]) -> None:
        self.turn = turn
        self._live = live
        self.live_calls = 0

    def capabilities(self, model: str) -> ModelCapabilities:
        """Answer as the live provider would, so replayed requests are built alike."""
        return capabilities_of(self._live(), model)

    async def context_window(self, model: str) -> int | None:
        """Unknown: a replay trims nothing (set ``JupyterOrch.context_window`` to trim)."""
        return None

    async def supports_images(self, model: str) -> bool:
        """Answer as the live provider would, so replayed requests are built alike."""
        return await self._live().supports_images(model)

    async def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Yield the recorded answer to ``request``."""
        cursor = self.turn.cursor
        if cursor.live:
            async for chunk in self._call_live(request):
                yield chunk
            return
        try:
            record, recorded = self.turn.match(request)
        except ReplayMismatch:
            if not self.turn.replay.settings.live:
                raise
            cursor.live = True  # the conversation left the recording: the rest is live
            async for chunk in self._call_live(request):
                yield chunk
            return
        for chunk in recorded_chunks(record, recorded):
            await asyncio.sleep(0)  # let the loop breathe, as a network stream would
            yield chunk
        _raise_recorded_end(record, recorded)

    async def _call_live(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        self.live_calls += 1
        async for chunk in self._live().stream(request):
            yield chunk


def recorded_chunks(record: TurnRecord, recorded: RoundRecord) -> list[ProviderChunk]:
    """Return the chunks that reproduce a recorded model call."""
    chunks: list[ProviderChunk] = []
    if recorded.text:
        chunks.append(TextChunk(recorded.text))
    calls = [c for c in record.tool_calls if c.round == recorded.index]
    for i, call in enumerate(calls):
        chunks.append(ToolCallChunk(i, call.id, call.name, call.arguments_json))
    if recorded.usage is not None:
        u = recorded.usage
        chunks.append(UsageChunk(Usage(u.prompt_tokens, u.completion_tokens, u.cost)))
    if recorded.finish in ("stop", "tool_calls", "length"):
        chunks.append(FinishChunk(recorded.finish))
    return chunks


def _raise_recorded_end(record: TurnRecord, recorded: RoundRecord) -> None:
    if recorded.finish == "error":
        kinds = get_args(ErrorKind)
        kind: Any = record.error_kind if record.error_kind in kinds else "provider"
        raise ProviderError(record.error or "the recorded model call failed", kind)
    if recorded.finish == "interrupted":
        raise ProviderError(
            "the recorded turn was interrupted here; the replay ends with it", "stream_cut"
        )


class ReplayApprover:
    """Settles an ``ask`` tool with the recorded decision; unrecorded calls go to ``inner``.

    The decision is replayed as it was (who decided, the reason), so the model sees the same
    tool result it saw when the notebook was recorded.
    """

    def __init__(self, turn: ReplayTurn, inner: Approver) -> None:
        self.turn = turn
        self.inner = inner

    async def decide(self, pending: PendingApproval) -> Decision:
        """Return the recorded decision, or ask ``inner``."""
        call = self.turn.recorded_call(pending.call.id)
        if call is None or call.decision is None or call.decision.by == "policy":
            return await self.inner.decide(pending)
        decision = recorded_decision(call.decision)
        pending.settle(decision)
        return decision


def recorded_decision(record: DecisionRecord) -> Decision:
    """Turn a recorded decision back into a :class:`Decision`."""
    by: DecidedBy = record.by if record.by in get_args(DecidedBy) else "replay"  # type: ignore[assignment]
    scope: Scope = "once"
    if record.scope in get_args(Scope):
        scope = record.scope  # type: ignore[assignment]  # checked against the Literal above
    elif record.always:
        scope = "session"  # records before scopes: "always allow" meant this session
    return Decision(record.approved, by, record.reason, scope)


class RecordedTool:
    """A tool whose results come from the recording during a replayed turn.

    Parameters
    ----------
    original
        The live tool (its spec is offered unchanged; it runs when nothing was recorded).
    turn
        The turn being replayed.
    """

    def __init__(self, original: Tool, turn: ReplayTurn) -> None:
        self.original = original
        self.turn = turn

    @property
    def spec(self) -> ToolSpec:
        """The live tool's spec."""
        return self.original.spec

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Validate as the live tool does."""
        return self.original.validate(arguments)

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Return the recorded result; run the live tool when there is none."""
        recorded = self.turn.recorded_result(self.spec.name, arguments)
        if recorded is None:
            return await self.original.call(arguments)
        return ToolResult(recorded.content, recorded.is_error, recorded.structured)
