"""What the orchestrator is doing, for the page's status bar and notifications.

A turn hook (one per turn, from :meth:`StatusBoard.hook`) follows the turn's events; the
board sums up all running turns (a cell and a panel can run at once) and emits ``status``
only when that sum changes, never per text chunk. Pending approvals are kept by call id, so
a page's ``approval.decide`` reaches the same :class:`PendingApproval` as the card's buttons.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from ..core.approval import Decision, PendingApproval
from ..core.events import (
    Event,
    RoundStarted,
    TextDelta,
    ToolCallFinished,
    ToolCallRequested,
    ToolCallStarted,
    TurnFailed,
    TurnFinished,
)
from ..turns import TurnStart
from .bridge import Bridge, BridgeError
from .pages import Page
from .protocol import card_class, one_line

_ARGUMENTS_PREVIEW = 200


@dataclass
class _Turn:
    state: str = "thinking"
    tool: str = ""
    since: float = 0.0


@dataclass
class _Waiting:
    pending: PendingApproval
    info: dict[str, Any]


class StatusBoard:
    """The kernel's orchestrator state, as pages see it.

    Parameters
    ----------
    bridge
        Where ``status``, ``approval.pending`` and ``approval.decided`` events go; its
        ``approval.decide`` requests are answered here.
    """

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge
        self._turns: dict[int, _Turn] = {}
        self._waiting: dict[str, _Waiting] = {}
        self._last: dict[str, Any] | None = None
        bridge.on_request("approval.decide", self.decide)
        bridge.state = self.state

    def hook(self, start: TurnStart) -> StatusHook:
        """Make the turn hook of one turn (a factory for the turn runner's hooks)."""
        return StatusHook(self, start.request.cell_id)

    def snapshot(self) -> dict[str, Any]:
        """Sum up the state: ``idle``, ``thinking``, ``streaming``, ``tool`` or ``waiting``."""
        turns = list(self._turns.values())
        tools = [t for t in turns if t.state == "tool"]
        if self._waiting:
            return {"state": "waiting", "pending": len(self._waiting)}
        if tools:
            elapsed = round(time.monotonic() - tools[0].since, 1)
            return {"state": "tool", "tool": tools[0].tool, "elapsed": elapsed}
        for state in ("streaming", "thinking"):
            if any(t.state == state for t in turns):
                return {"state": state}
        return {"state": "idle"}

    def state(self) -> dict[str, Any]:
        """Return what a newly connected page needs: the status and pending approvals."""
        return {"status": self.snapshot(), "pending": [w.info for w in self._waiting.values()]}

    def decide(self, params: Any, page: Page) -> dict[str, Any]:
        """Answer a page's ``approval.decide``: settle the pending call it names."""
        if not isinstance(params, dict) or not isinstance(params.get("call_id"), str):
            raise BridgeError("approval.decide needs a call_id")
        waiting = self._waiting.get(params["call_id"])
        if waiting is None:
            raise BridgeError(
                f"no tool call {params['call_id']!r} waits for a decision "
                "(it was decided or expired)"
            )
        reason = params.get("reason")
        scope = params.get("scope")
        if params.get("approved") is True:
            if scope in ("once", "session", "always"):
                waiting.pending.approve(scope=scope)
            else:
                waiting.pending.approve(always=params.get("always") is True)
        else:
            waiting.pending.reject(reason if isinstance(reason, str) else "")
        return {"decided": True}

    # --- what the hooks report -----------------------------------------------------------

    def turn(self, key: int, state: str, tool: str = "") -> None:
        """Record that turn ``key`` is now in ``state``."""
        self._turns[key] = _Turn(state, tool, time.monotonic())
        self._publish()

    def ended(self, key: int) -> None:
        """Record that turn ``key`` ended."""
        self._turns.pop(key, None)
        self._publish()

    def waiting(self, event: ToolCallRequested, cell_id: str | None) -> None:
        """Keep (and announce) a call that waits for the user's decision."""
        pending = event.pending
        if pending is None:
            return
        call_id = event.call.id
        info = {
            "call_id": call_id,
            "tool": event.call.name,
            "source": str(event.spec.source) if event.spec is not None else "",
            "arguments": _preview(event.arguments),
            "card": card_class(call_id),
            "cell_id": cell_id,
        }
        self._waiting[call_id] = _Waiting(pending, info)
        self.bridge.emit("approval.pending", info)
        self._publish()
        pending.on_decided(lambda decision: self._decided(call_id, decision))

    def _decided(self, call_id: str, decision: Decision) -> None:
        if self._waiting.pop(call_id, None) is None:
            return
        self.bridge.emit(
            "approval.decided",
            {"call_id": call_id, "approved": decision.approved, "by": decision.by},
        )
        self._publish()

    def _publish(self) -> None:
        snapshot = self.snapshot()
        same = {k: v for k, v in snapshot.items() if k != "elapsed"}
        if same != self._last:
            self._last = same
            self.bridge.emit("status", snapshot)


class StatusHook:
    """Follows one turn for the :class:`StatusBoard` (a ``TurnHook``)."""

    def __init__(self, board: StatusBoard, cell_id: str | None) -> None:
        self.board = board
        self.cell_id = cell_id
        self.key = id(self)
        self._streaming = False
        board.turn(self.key, "thinking")

    def event(self, event: Event) -> None:
        """See one (redacted) event of the turn."""
        if isinstance(event, TextDelta) and not self._streaming:
            self._streaming = True
            self.board.turn(self.key, "streaming")
        elif isinstance(event, RoundStarted) and event.index > 0:
            self._streaming = False
            self.board.turn(self.key, "thinking")
        elif isinstance(event, ToolCallRequested):
            self.board.waiting(event, self.cell_id)
        elif isinstance(event, ToolCallStarted):
            self.board.turn(self.key, "tool", event.call.name)
        elif isinstance(event, ToolCallFinished):
            self._streaming = False
            self.board.turn(self.key, "thinking")
        elif isinstance(event, (TurnFinished, TurnFailed)):
            self.board.ended(self.key)

    def end(self, interrupted: bool) -> dict[str, Any]:
        """End the turn; nothing is added to the cell's bundle."""
        self.board.ended(self.key)
        return {}


def _preview(arguments: dict[str, object] | None) -> str:
    if arguments is None:
        return ""
    try:
        text = json.dumps(arguments, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = str(arguments)
    return one_line(text, _ARGUMENTS_PREVIEW)
