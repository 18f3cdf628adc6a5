"""Showing a turn in terminal IPython: plain text, streamed as it comes."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...core.events import (
    Event,
    TextDelta,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallRequested,
)
from .summary import TurnSummary, pretty_json

if TYPE_CHECKING:
    from ...turns import TurnStart


class TerminalRenderer:
    """Writes deltas straight to stdout; tool calls and the footer as short lines."""

    def __init__(self, model: str, *, quiet: bool = False, **_ignored: object) -> None:
        self.summary = TurnSummary(model)
        self._quiet = quiet

    def waiting(self, text: str) -> None:
        """Say that the turn waits for another one on its thread."""
        print(f"({text}…)")

    def start(self, start: TurnStart | None = None) -> None:
        """Nothing to show before the first token in a terminal (notes come at the end)."""
        if start is not None:
            self.summary.remarks.extend(start.plan.notes)

    def handle(self, event: Event) -> None:
        """Print one event."""
        self.summary.add(event)
        if self._quiet:
            return
        out = sys.stdout
        if isinstance(event, TextDelta):
            out.write(event.text)
        elif isinstance(event, ToolCallRequested) and event.pending is None:
            out.write(f"\n[tool {event.call.name} {pretty_json(event.arguments)}]\n")
        elif isinstance(event, ToolCallRejected):
            out.write(f"[rejected: {event.decision.reason or event.decision.by}]\n")
        elif isinstance(event, ToolCallFinished):
            out.write(f"[{event.call.name} → {event.result.text()[:200]}]\n")
        out.flush()

    def finish(self, extra: Mapping[str, Any] | None = None, *, interrupted: bool = False) -> None:
        """Print the notes and footer (or, when quiet, the whole answer)."""
        if interrupted:
            self.summary.stop = "interrupted"
        if self._quiet:
            print(self.summary.answer())
            return
        for note in self.summary.notes():
            print(f"\n{note}")
        print(f"\n-- {self.summary.footer()}")
