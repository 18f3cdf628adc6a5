"""Showing a running turn in a notebook cell, and leaving one MIME bundle when it ends."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from IPython.display import DisplayHandle, clear_output, display

from ...core.events import (
    AnswerCompleted,
    Event,
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallProgressed,
    ToolCallRejected,
    ToolCallRequested,
    ToolCallStarted,
)
from .bridge_stream import BridgeTextStream
from .stream import Handle, TextStream
from .summary import TurnSummary

if TYPE_CHECKING:
    from ...bridge import Bridge
    from ...turns import TurnStart

WAITING = "<i>waiting for the first token from {model}…</i>"
WAITING_FOR_THREAD = "<i>{text}…</i>"
OWN_MIME_PREFIX = "application/vnd.jupyter-orch."
"""A tool's display bundle of one of our own MIME types (an MCP App) is an output of its own."""


class _IPythonHandle(Handle):
    def __init__(self, handle: DisplayHandle) -> None:
        self._handle = handle

    def update(self, bundle: dict[str, Any]) -> None:
        self._handle.update(bundle, raw=True)


def show(bundle: dict[str, Any]) -> Handle:
    """Display ``bundle`` as a new output that can be updated."""
    handle = display(bundle, raw=True, display_id=True)
    assert handle is not None  # display_id=True always returns a handle
    return _IPythonHandle(handle)


class Surface(Protocol):
    """Where a turn is shown: the running cell's output, or a chat panel."""

    def show(self, bundle: dict[str, Any]) -> Handle:
        """Show ``bundle`` as a new output that can be updated."""
        ...

    def add_widget(self, widget: Any) -> None:
        """Show a widget (a tool card)."""
        ...

    def clear(self, wait: bool) -> None:
        """Remove what this turn has shown so far (``wait``: once the next output comes)."""
        ...


class CellSurface:
    """The output of the running cell."""

    def show(self, bundle: dict[str, Any]) -> Handle:
        """Display ``bundle`` in the cell."""
        return show(bundle)

    def add_widget(self, widget: Any) -> None:
        """Display ``widget`` in the cell."""
        display(widget)

    def clear(self, wait: bool) -> None:
        """Clear the cell's output (``wait``: when the next output arrives, no flicker)."""
        clear_output(wait=wait)


class CellRenderer:
    """Consumes a turn's events and shows them in the running cell.

    Parameters
    ----------
    model
        Shown while waiting and in the footer.
    fmt
        ``markdown`` or ``text``.
    quiet
        Show only the final answer (no streaming, no footer).
    hz
        Streaming updates per second at most.
    widgets
        Show tool cards (ipywidgets); off in headless runs where nobody sees them.
    surface
        Where to show the turn: the running cell (default) or a chat panel.
    bridge
        The bridge to the page: when a page offers ``stream``, the text goes there as its
        new pieces only (the page extension renders it into the cell's output).
    """

    def __init__(
        self,
        model: str,
        *,
        fmt: str = "markdown",
        quiet: bool = False,
        hz: float = 20.0,
        widgets: bool = True,
        surface: Surface | None = None,
        bridge: Bridge | None = None,
    ) -> None:
        self._surface: Surface = surface if surface is not None else CellSurface()
        self._bridge = bridge
        self.summary = TurnSummary(model)
        self._mime = "text/markdown" if fmt == "markdown" else "text/plain"
        self._quiet = quiet
        self._hz = hz
        self._widgets = widgets and not quiet
        self._stream: TextStream | BridgeTextStream | None = None
        self._waiting: Handle | None = None
        self._cards: dict[str, Any] = {}
        self._shown_widgets: list[Any] = []
        self._final: Handle | None = None
        self._own_outputs: list[dict[str, Any]] = []
        self.redact: Callable[[str], str] = str
        """Applied to the final bundle's text (a last pass: events arrive redacted already)."""

    def waiting(self, text: str) -> None:
        """Show that the turn waits for another turn on its thread."""
        note = WAITING_FOR_THREAD.format(text=html.escape(text))
        self._note({"text/markdown": note, "text/plain": f"{text}…"})

    def start(self, start: TurnStart | None = None) -> None:
        """Show the "waiting for the first token" state."""
        if start is not None:
            self.redact = start.redactor.text
            self.summary.remarks.extend(start.plan.notes)
        if not self._quiet:
            text = WAITING.format(model=html.escape(self.summary.model))
            self._note({"text/markdown": text, "text/plain": "waiting…"})

    def _note(self, bundle: dict[str, Any]) -> None:
        if self._waiting is None:
            self._waiting = self._surface.show(bundle)
        else:
            self._waiting.update(bundle)

    def handle(self, event: Event) -> None:
        """Show one event."""
        view = self.summary.add(event)
        if isinstance(event, AnswerCompleted):
            if isinstance(self._stream, BridgeTextStream):
                # The page holds the whole answer already: the final bundle, with usage and
                # the turn record, replaces the streamed output once, when the turn ends.
                self._close_stream()
            else:
                # Show the answer now; usage and the turn record join it when the stream ends.
                self._final = self._show_final({})
        if isinstance(event, ToolCallFinished):
            self._show_own_outputs(event)
        if self._quiet:
            return
        if isinstance(event, TextDelta):
            self._text(event.text)
        elif isinstance(event, ToolCallRequested):
            self._close_stream()
            if self._waiting is not None:
                # The model answered with a tool call, not text: the waiting note is stale.
                self._waiting.update({"text/plain": ""})
                self._waiting = None
            if self._widgets and view is not None:
                from ..widgets.card import ToolCard

                card = ToolCard(view, event.pending)
                self._cards[event.call.id] = card
                self._surface.add_widget(card.widget)
        elif isinstance(
            event,
            (
                ToolCallApproved,
                ToolCallRejected,
                ToolCallStarted,
                ToolCallProgressed,
                ToolCallFinished,
            ),
        ):
            self._card_event(event)

    def finish(self, extra: Mapping[str, Any] | None = None, *, interrupted: bool = False) -> None:
        """Replace the streamed outputs with one final MIME bundle (images sit with their call).

        ``extra`` adds MIME entries (the turn's JSON record). A turn that failed (or was
        interrupted) before producing anything leaves no output: its one-line error says it
        all. The cards are closed: their widgets and timers end with the turn.
        """
        try:
            self._finish(dict(extra or {}), interrupted)
        finally:
            self.close()

    def _finish(self, extra: dict[str, Any], interrupted: bool) -> None:
        summary = self.summary
        if interrupted:
            summary.stop = "interrupted"
        if not summary.segments and (summary.error or interrupted or self._final is None):
            self._close_stream()
            self._surface.clear(wait=False)
            return
        if self._final is None:
            self._show_final(extra)
        else:
            self._final.update(self._bundle(extra))

    def add_widget(self, widget: Any) -> None:
        """Show ``widget`` with the turn (a form, a card a tool asked for); closed at the end."""
        self._shown_widgets.append(widget)
        self._surface.add_widget(widget)

    def close(self) -> None:
        """Close every card and widget of the turn (timers stop; widget models are freed)."""
        from ..widgets.closing import close_tree

        self._close_stream()
        cards, self._cards = list(self._cards.values()), {}
        for card in cards:
            card.close()
        widgets, self._shown_widgets = self._shown_widgets, []
        for widget in widgets:
            close_tree(widget)

    def _show_final(self, extra: dict[str, Any]) -> Handle:
        self._close_stream()
        self._surface.clear(wait=True)
        final = self._surface.show(self._bundle(extra))
        for bundle in self._own_outputs:  # an MCP App stays, below the answer
            self._surface.show(bundle)
        return final

    def _show_own_outputs(self, event: ToolCallFinished) -> None:
        for bundle in event.result.display:
            if any(mime.startswith(OWN_MIME_PREFIX) for mime in bundle):
                self._own_outputs.append(bundle)
                self._close_stream()
                self._surface.show(bundle)

    def _bundle(self, extra: dict[str, Any]) -> dict[str, Any]:
        summary = self.summary
        if self._mime == "text/plain":
            bundle: dict[str, Any] = {"text/plain": summary.to_text(footer=not self._quiet)}
        else:
            bundle = {
                "text/markdown": summary.to_markdown(footer=not self._quiet),
                "text/plain": summary.to_text(footer=not self._quiet),
            }
        bundle = {mime: self.redact(text) for mime, text in bundle.items()}
        bundle.update(extra)
        return bundle

    def _text(self, text: str) -> None:
        if self._stream is None:
            first, self._waiting = self._waiting, None
            bridge = self._bridge
            if bridge is not None and bridge.offers("stream"):
                fmt = "markdown" if self._mime == "text/markdown" else "text"
                self._stream = BridgeTextStream(self._surface.show, bridge, fmt, first)
            else:
                self._stream = TextStream(self._surface.show, self._mime, self._hz, first)
        self._stream.add(text)

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _card_event(
        self,
        event: ToolCallApproved
        | ToolCallRejected
        | ToolCallStarted
        | ToolCallProgressed
        | ToolCallFinished,
    ) -> None:
        card = self._cards.get(event.call.id)
        if card is None:
            return
        if isinstance(event, (ToolCallApproved, ToolCallRejected)):
            card.decided(event.decision)
        elif isinstance(event, ToolCallStarted):
            card.started()
        elif isinstance(event, ToolCallProgressed):
            card.progressed(event.progress, event.total, event.message)
        else:
            card.finished(event.result, event.seconds)
