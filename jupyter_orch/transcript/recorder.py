"""The recorder: a turn hook that builds the turn record from events and writes it as it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.approval import Decision
from ..core.events import (
    Event,
    RoundStarted,
    TextDelta,
    ToolCallApproved,
    ToolCallElicited,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallRequested,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    UsageReported,
)
from ..core.messages import Message, Usage
from ..core.redaction import Redactor
from ..core.request import ChatRequest
from ..core.thread import Turn
from ..core.tools import ToolPreview
from .fingerprint import fingerprint, tool_names
from .record import (
    MIME,
    ChangeRecord,
    DecisionRecord,
    ElicitationEntry,
    Outcome,
    ResultRecord,
    RoundRecord,
    Status,
    ToolCallRecord,
    TurnRecord,
    UsageRecord,
    Versions,
    now,
)
from .store import TranscriptStore

CHECKPOINT_SECONDS = 1.0
"""While text streams, the new text is appended to the store at most this often."""


class TranscriptLog:
    """The latest record of each turn of this kernel session, in first-appearance order."""

    def __init__(self) -> None:
        self._records: dict[str, TurnRecord] = {}

    def add(self, record: TurnRecord) -> None:
        """Keep ``record`` as the latest of its key."""
        self._records[record.key] = record

    def records(self, thread: str | None = None) -> list[TurnRecord]:
        """Return the records, of one thread or all."""
        return [r for r in self._records.values() if thread is None or r.thread == thread]


@dataclass
class RecorderSettings:
    """What the recorder needs from its host (the IPython extension, or a script).

    Parameters
    ----------
    session
        An id of the kernel session (part of the key of turns without a cell id).
    redactor
        Applied to everything recorded.
    versions
        Versions of jupyter-orch, litellm and Python (MCP servers are added per turn).
    store
        The JSONL store, or ``None`` to keep records only in the notebook and the log.
    log
        The in-memory log ``%chat export`` reads.
    execution_count
        The cell's execution count.
    tool_source
        Returns the source of an offered tool (``notebook``, ``mcp:time``...), when known.
    server_version
        Returns ``"name version"`` of an MCP tool source (``mcp:time``), when known.
    replay
        The recording this turn is replayed from.
    """

    session: str
    redactor: Redactor
    versions: Versions
    store: TranscriptStore | None = None
    log: TranscriptLog | None = None
    execution_count: int | None = None
    tool_source: Callable[[str], str | None] = lambda name: None
    server_version: Callable[[str], str | None] = lambda source: None
    replay: str | None = None


def turn_key(
    session: str, thread: str, cell_id: str | None, execution_count: int | None, turn_id: str
) -> str:
    """Return the key a turn is stored under; a re-run of the same cell has the same key."""
    if cell_id:
        return f"{thread}/cell:{cell_id}"
    if execution_count is not None:
        return f"{session}/{thread}/in:{execution_count}"
    return f"{session}/{thread}/turn:{turn_id}"


class TurnRecorder:
    """Builds one turn's :class:`TurnRecord` from its (already redacted) events.

    Parameters
    ----------
    request
        The turn's request (thread, cell id, model, parameters).
    settings
        Store, redactor, versions and ids.
    """

    def __init__(self, request: ChatRequest, settings: RecorderSettings) -> None:
        self.request = request
        self.settings = settings
        self.record: TurnRecord | None = None
        self._turn: Turn | None = None
        self._started = time.monotonic()
        self._round_started = self._started
        self._last_write = 0.0
        self._unwritten: list[str] = []

    def event(self, event: Event) -> None:
        """Fold one event into the record; write it when the step matters."""
        if isinstance(event, TurnStarted):
            self._begin(event)
            return
        record = self.record
        if record is None:
            return
        if isinstance(event, TextDelta):
            self._text(record, event.text)
            return
        if isinstance(event, RoundStarted):
            self._round(record, event)
        elif isinstance(event, ToolCallRequested):
            self._requested(record, event)
            if event.pending is None:
                return  # decided at once: the decision writes it
        elif isinstance(event, (ToolCallApproved, ToolCallRejected)):
            self._decided(record, event.call.id, event.decision)
        elif isinstance(event, ToolCallElicited):
            self._elicited(record, event)
        elif isinstance(event, ToolCallFinished):
            self._finished(record, event)
        elif isinstance(event, UsageReported):
            self._usage(record, event.usage)
        elif isinstance(event, TurnFinished):
            self._end(record, "finished", event.stop, event.seconds)
            record.answer = event.answer
            return  # end() follows at once and writes the whole turn
        elif isinstance(event, TurnFailed):
            self._end(record, "failed", "error", time.monotonic() - self._started)
            record.error, record.error_kind = event.message, event.kind
            return
        else:
            return
        self._write()

    def end(self, interrupted: bool) -> dict[str, Any]:
        """Finish the record; return it as the cell's extra MIME entry."""
        record = self.record
        if record is None:
            return {}
        if interrupted:
            self._end(record, "interrupted", "interrupted", time.monotonic() - self._started)
        record.messages = self._messages() or record.messages
        record.ended_at = record.ended_at or now()
        self._write()
        return {MIME: record.to_json()}

    def _begin(self, event: TurnStarted) -> None:
        request, s = self.request, self.settings
        turns = request.thread.turns
        turn = next((t for t in turns if t.id == event.turn_id), None)
        self._turn = turn
        position = turns.index(turn) if turn is not None else len(turns)
        params = s.redactor.value(request.params)
        prompt = Message("user", request.prompt)
        self.record = TurnRecord(
            key=turn_key(
                s.session, event.thread, request.cell_id, s.execution_count, event.turn_id
            ),
            id=event.turn_id,
            session=s.session,
            thread=event.thread,
            position=position,
            parent=turns[position - 1].id if 0 < position <= len(turns) else None,
            cell_id=request.cell_id,
            execution_count=s.execution_count,
            model=event.model,
            provider=event.model.split("/", 1)[0] if "/" in event.model else None,
            params=params,
            messages=[s.redactor.message(prompt.to_provider())],
            prompt=s.redactor.text(prompt.text()),
            started_at=now(),
            versions=s.versions.model_copy(deep=True),
            replay=s.replay,
        )
        self._write()

    def _round(self, record: TurnRecord, event: RoundStarted) -> None:
        self._close_round(record, "tool_calls")
        self._round_started = time.monotonic()
        if event.request is None:
            return
        fp = fingerprint(event.request, None)  # the event's request is redacted already
        record.rounds.append(
            RoundRecord(
                index=event.index,
                request_hash=fp.request,
                messages=fp.messages,
                tools_hash=fp.tools,
                tool_choice=event.request.tool_choice,
                started_at=now(),
            )
        )
        if event.index == 0:
            record.tools_offered = tool_names(event.request.tools)
            record.tools_hash = fp.tools
            self._servers(record)

    def _servers(self, record: TurnRecord) -> None:
        s = self.settings
        for name in record.tools_offered:
            source = s.tool_source(name)
            if source and source.startswith("mcp:"):
                version = s.server_version(source)
                if version:
                    record.versions.mcp_servers[source] = version

    def _text(self, record: TurnRecord, text: str) -> None:
        record.answer += text
        if record.rounds:
            current = record.rounds[-1]
            if current.first_token_s is None:
                current.first_token_s = round(time.monotonic() - self._round_started, 4)
            current.text += text
        if record.latency.first_token_s is None:
            record.latency.first_token_s = round(time.monotonic() - self._started, 4)
        self._unwritten.append(text)
        if time.monotonic() - self._last_write >= CHECKPOINT_SECONDS:
            self._write_text(record)

    def _requested(self, record: TurnRecord, event: ToolCallRequested) -> None:
        source = event.spec.source if event.spec else None
        server = (
            self.settings.server_version(source) if source and source.startswith("mcp:") else None
        )
        if record.latency.first_token_s is None:
            record.latency.first_token_s = round(time.monotonic() - self._started, 4)
        record.tool_calls.append(
            ToolCallRecord(
                id=event.call.id,
                name=event.call.name,
                round=record.rounds[-1].index if record.rounds else 0,
                arguments_json=event.call.arguments,
                arguments=event.arguments,
                source=source,
                server=server,
                policy=event.policy,
                requested_at=now(),
                change=_change(event.preview),
            )
        )

    def _decided(self, record: TurnRecord, call_id: str, decision: Decision) -> None:
        call = _find(record, call_id)
        if call is not None:
            call.decision = DecisionRecord(
                outcome=outcome(decision),
                approved=decision.approved,
                by=decision.by,
                reason=decision.reason,
                always=decision.always,
                scope=decision.scope,
                at=now(),
            )

    def _elicited(self, record: TurnRecord, event: ToolCallElicited) -> None:
        call = _find(record, event.call.id)
        if call is not None:
            call.elicitations.append(ElicitationEntry.model_validate(event.elicitation))

    def _finished(self, record: TurnRecord, event: ToolCallFinished) -> None:
        call = _find(record, event.call.id)
        if call is None:
            return
        result = event.result
        call.result = ResultRecord(
            content=result.content,
            is_error=result.is_error,
            structured=result.structured,
            display=[mime for bundle in result.display for mime in bundle],
        )
        call.seconds = round(event.seconds, 4)
        call.finished_at = now()

    def _usage(self, record: TurnRecord, usage: Usage) -> None:
        if record.rounds:
            record.rounds[-1].usage = _usage(usage)
        total = Usage(record.usage.prompt_tokens, record.usage.completion_tokens, record.usage.cost)
        record.usage = _usage(total + usage)
        record.cost = record.usage.cost

    def _end(self, record: TurnRecord, status: Status, stop: str, seconds: float) -> None:
        finish = {"finished": "stop", "failed": "error", "interrupted": "interrupted"}.get(
            status, "stop"
        )
        self._close_round(record, "length" if stop == "length" else finish)
        record.status, record.stop = status, stop
        record.latency.total_s = round(seconds, 4)
        record.ended_at = now()

    def _close_round(self, record: TurnRecord, finish: str) -> None:
        """Set the finish of the round under way; a round that asked for tools finished so."""
        if not record.rounds or record.rounds[-1].finish is not None:
            return
        current = record.rounds[-1]
        asked = any(c.round == current.index for c in record.tool_calls)
        current.finish = "tool_calls" if asked else finish

    def _messages(self) -> list[dict[str, Any]]:
        turn = self._turn
        if turn is None or turn not in self.request.thread.turns:
            return []
        out = []
        for message in turn.messages:
            data = self.settings.redactor.message(message.to_provider())
            if message.interrupted:
                data["interrupted"] = True
            out.append(data)
        return out

    def _write(self) -> None:
        """Write the whole record (at the steps that matter: a round, a decision, the end)."""
        record, s = self.record, self.settings
        if record is None:
            return
        self._unwritten.clear()  # the snapshot holds the text too
        if s.store is not None:
            s.store.append(record)
        if s.log is not None:
            s.log.add(record)
        self._last_write = time.monotonic()

    def _write_text(self, record: TurnRecord) -> None:
        """Append only the text streamed since the last write (the store grows linearly)."""
        store = self.settings.store
        if store is not None and self._unwritten:
            store.append_text(record.key, record.id, "".join(self._unwritten))
        self._unwritten.clear()
        self._last_write = time.monotonic()


def outcome(decision: Decision) -> Outcome:
    """Name a decision: approved, automatic (by policy), expired or rejected."""
    if decision.approved:
        return "automatic" if decision.by == "policy" else "approved"
    return "expired" if decision.by == "expired" else "rejected"


def _change(preview: ToolPreview | None) -> ChangeRecord | None:
    """Record what the card showed: the diff, or the code when nothing changes (a run)."""
    if preview is None:
        return None
    unchanged = preview.before == preview.after
    return ChangeRecord(
        title=preview.title,
        diff="" if unchanged else preview.diff(),
        code=preview.before if unchanged else None,
        language=preview.language,
    )


def _find(record: TurnRecord, call_id: str) -> ToolCallRecord | None:
    return next((c for c in reversed(record.tool_calls) if c.id == call_id), None)


def _usage(usage: Usage) -> UsageRecord:
    return UsageRecord(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost=usage.cost,
    )
