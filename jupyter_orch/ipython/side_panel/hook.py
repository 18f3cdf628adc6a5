"""What the side panel puts in place at ``%load_ext`` (light: the rest loads on first use).

:data:`METHODS` are the bridge methods the panel answers; :class:`ThreadHook` follows every
turn (a cell's too) so the pages hear when a thread changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...bridge.stream import Emitter
    from ...turns import TurnStart

LABEL = "in the side panel"
"""How a side panel turn is named (``waiting for the turn in the side panel to finish``)."""

THREAD_EVENT = "thread.changed"
"""Sent when any turn starts or ends on a thread: the panel refreshes."""

METHODS = (
    "threads.list",
    "thread.history",
    "thread.new",
    "thread.fork",
    "thread.clear",
    "chat.send",
    "chat.stop",
    "tools.list",
    "tools.policy",
    "mcp.servers",
    "mcp.restart",
    "usage",
    "models",
)


class ThreadHook:
    """Follows one turn (any surface's) for the panels: its start and its end."""

    def __init__(self, bridge: Emitter, start: TurnStart) -> None:
        self.bridge = bridge
        self.data = {
            "thread": start.plan.thread,
            "turn": start.plan.turn_id,
            "cell_id": start.request.cell_id,
            "panel": start.plan.input.label == LABEL,
        }
        bridge.emit(THREAD_EVENT, {**self.data, "state": "started"})

    def event(self, event: Any) -> None:
        """Nothing per event: the panel's own turns stream through their renderer."""

    def end(self, interrupted: bool) -> dict[str, Any]:
        """Tell the pages the thread changed; nothing joins the cell's bundle."""
        self.bridge.emit(THREAD_EVENT, {**self.data, "state": "ended"})
        return {}
