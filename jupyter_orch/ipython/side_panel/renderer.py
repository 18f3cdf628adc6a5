"""A panel turn shown on the page: its events sent over the bridge as ``chat`` events.

The side panel's turns have no cell: their renderer sends each (already redacted) event to
the pages as a small ``chat`` event, and the answer's text as ``stream`` events of the turn's
id carrying only the new pieces (:class:`~jupyter_orch.bridge.stream.BridgeStream`). When
the turn ends, the last event carries the turn's record, which the page draws as it draws a
saved turn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...bridge.stream import BridgeStream, Emitter
from ...core.events import (
    Event,
    RoundStarted,
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallProgressed,
    ToolCallRejected,
    ToolCallRequested,
    ToolCallStarted,
    TurnFailed,
    UsageReported,
)
from ...core.messages import Usage
from ...turns import TurnStart
from ..display.summary import ToolView, TurnSummary, fold, pretty_json, source_words

CHAT_EVENT = "chat"
"""The bridge event of a panel turn's steps (``{"turn", "thread", "kind", ...}``)."""

TURN_MIME = "application/vnd.jupyter-orch.turn+json"
ARGUMENTS_CHARS = 20_000
RESULT_CHARS = 4_000


class PanelRenderer:
    """Sends one panel turn to the pages (a ``Renderer`` of the turn runner).

    Parameters
    ----------
    bridge
        Where the events go.
    turn_id, thread
        The turn's id (also its text's stream id) and thread.
    on_end
        Called once the turn has ended (the panel forgets it).
    """

    def __init__(
        self,
        bridge: Emitter,
        turn_id: str,
        thread: str,
        on_end: Callable[[], None] = lambda: None,
    ) -> None:
        self.bridge = bridge
        self.turn_id = turn_id
        self.thread = thread
        self.summary = TurnSummary("")
        self.status = "waiting"
        self.error = ""
        self._text = BridgeStream(bridge, turn_id)
        self._on_end = on_end

    def waiting(self, text: str) -> None:
        """Say that the turn waits for another one on its thread."""
        self._send("waiting", text=text)

    def start(self, start: TurnStart) -> None:
        """Say the turn began: its prompt (redacted), model and notes."""
        self.status = "running"
        self.summary.model = start.plan.model
        prompt = start.redactor.text(start.plan.input.prompt)
        self._send("start", prompt=prompt, model=start.plan.model, notes=list(start.plan.notes))

    def handle(self, event: Event) -> None:
        """Send one event (text as stream pieces, the rest as ``chat`` events)."""
        view = self.summary.add(event)
        if isinstance(event, TextDelta):
            self._text.add(event.text)
            return
        self._text.flush()  # what came before this event shows before it
        if isinstance(event, ToolCallRequested) and view is not None:
            self._send("tool", **tool_data(view, event))
        elif isinstance(event, (ToolCallApproved, ToolCallRejected)) and view is not None:
            self._send("decided", call_id=event.call.id, **decision_data(view))
        elif isinstance(event, ToolCallStarted):
            self._send("running", call_id=event.call.id)
        elif isinstance(event, ToolCallProgressed):
            progress = {"progress": event.progress, "total": event.total, "message": event.message}
            self._send("progress", call_id=event.call.id, **progress)
        elif isinstance(event, ToolCallFinished):
            self._send("result", call_id=event.call.id, **result_data(event))
        elif isinstance(event, RoundStarted) and event.index > 0:
            self._send("round", index=event.index)
        elif isinstance(event, UsageReported):
            self._send("usage", **usage_data(event.usage))
        elif isinstance(event, TurnFailed):
            self.error = event.message

    def flush(self) -> None:
        """Send the text that is still batched."""
        self._text.flush()

    def finish(self, extra: Mapping[str, Any], *, interrupted: bool) -> None:
        """Send the end: how the turn ended and its record (drawn as a saved turn)."""
        self._text.close()
        if interrupted:
            self.status = "interrupted"
        elif self.error:
            self.status = "failed"
        else:
            self.status = "finished"
        record = extra.get(TURN_MIME)
        if isinstance(record, dict):
            record = slim(dict(record))
        try:
            self._send("end", status=self.status, error=self.error, record=record)
        finally:
            self._on_end()

    def _send(self, kind: str, **data: Any) -> None:
        self.bridge.emit(
            CHAT_EVENT, {"turn": self.turn_id, "thread": self.thread, "kind": kind, **data}
        )


def tool_data(view: ToolView, event: ToolCallRequested) -> dict[str, Any]:
    """Return what the page's card shows of a requested call (redacted already)."""
    pending = event.pending
    arguments = pretty_json(view.arguments)
    return {
        "call_id": view.call.id,
        "name": view.call.name,
        "source": view.source,
        "source_words": source_words(view.source),
        "description": view.description[:600],
        "hints": view.hints(),
        "policy": view.policy,
        "arguments": fold(arguments, ARGUMENTS_CHARS),
        "pending": pending is not None and not pending.decided,
        "scopes": list(pending.scopes) if pending is not None else [],
        "position": pending.position if pending is not None else 1,
        "total": pending.total if pending is not None else 1,
        "changed": pending.changed if pending is not None else "",
    }


def decision_data(view: ToolView) -> dict[str, Any]:
    """Return a decision as the page shows it (the same words as the cell's card)."""
    decision = view.decision
    return {
        "approved": decision is not None and decision.approved,
        "by": decision.by if decision is not None else "",
        "words": view.outcome(),
    }


def result_data(event: ToolCallFinished) -> dict[str, Any]:
    """Return a tool's result as the page shows it (text, cut to a bounded size)."""
    result = event.result
    return {
        "text": fold(result.text(), RESULT_CHARS),
        "is_error": result.is_error,
        "seconds": round(event.seconds, 3),
    }


def usage_data(usage: Usage) -> dict[str, Any]:
    """Return token counts and cost as plain data."""
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "cost": usage.cost,
    }


def slim(record: dict[str, Any]) -> dict[str, Any]:
    """Drop what the page never shows of a turn record (the messages as sent, round hashes)."""
    record.pop("messages", None)
    record["rounds"] = [
        {k: v for k, v in one.items() if k != "messages"} for one in record.get("rounds", [])
    ]
    return record
